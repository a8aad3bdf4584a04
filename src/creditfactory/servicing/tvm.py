"""Time value of money in Decimal: numpy-financial's pmt, ipmt, ppmt, pv, fv, nper, rate, npv,
irr and mirr, plus the per-period rate factors and the level payment the schedule engine uses.

Conventions follow numpy-financial (the peer, BSD-3): cash paid out is negative, so a positive
`pv` gives a negative `pmt`; `when` is "end" (0, ordinary annuity) or "begin" (1, annuity due);
an out-of-range period gives Decimal("NaN") as the peer gives nan. Every function computes in a
local Decimal context of 34 significant digits (never float); rates are per period, given as
Decimal, int or a decimal string. Checked against `../shared/cases/tvm_numpy_financial.json`.

`level_payment` is the annuity with unequal period rates (Fineract's progressive EMI:
A = B·Π(1+r_k) / fn_n, fn_1 = 1, fn_k = 1 + fn_{k−1}·(1+r_k)); with equal rates it is the
textbook A = B·r(1+r)^n/((1+r)^n − 1) (DOMAIN.md §3.5). `fineract_rate_factor` reproduces
Fineract's ProgressiveEMICalculator.calculateRateFactorPerPeriod for the Fineract-compatible
schedule mode.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Literal

from creditfactory.kernel.money import to_decimal
from creditfactory.servicing.duedates import FrequencyUnit

__all__ = [
    "PRECISION",
    "fineract_rate_factor",
    "fv",
    "ipmt",
    "irr",
    "level_payment",
    "mirr",
    "npv",
    "nper",
    "pmt",
    "ppmt",
    "pv",
    "rate",
]

PRECISION = 34
"""Significant digits of every TVM computation (the brief asks for at least 28)."""

NAN = Decimal("NaN")
Number = Decimal | int | str
When = Literal["end", "begin", 0, 1]


def _when(when: When) -> Decimal:
    if when in ("begin", 1):
        return Decimal(1)
    if when in ("end", 0):
        return Decimal(0)
    raise ValueError(f"when must be 'end' or 'begin', got {when!r}")


def _annuity_factor(r: Decimal, n: Decimal, w: Decimal) -> Decimal:
    """(1 + r·w)·((1+r)^n − 1)/r, or n when r = 0."""
    if r == 0:
        return n
    return (1 + r * w) * ((1 + r) ** n - 1) / r


def fv(rate: Number, nper: Number, pmt: Number, pv: Number, when: When = "end") -> Decimal:
    """Future value: −(pv·(1+r)^n + pmt·annuity_factor)."""
    with localcontext(prec=PRECISION):
        r, n = to_decimal(rate), to_decimal(nper)
        factor = _annuity_factor(r, n, _when(when))
        return -(to_decimal(pv) * (1 + r) ** n + to_decimal(pmt) * factor)


_future_value = fv  # `fv` is also a parameter name below (the peer's signature)


def pmt(rate: Number, nper: Number, pv: Number, fv: Number = 0, when: When = "end") -> Decimal:
    """Level payment per period: −(fv + pv·(1+r)^n) / annuity_factor."""
    with localcontext(prec=PRECISION):
        r, n = to_decimal(rate), to_decimal(nper)
        factor = _annuity_factor(r, n, _when(when))
        return -(to_decimal(fv) + to_decimal(pv) * (1 + r) ** n) / factor


def pv(rate: Number, nper: Number, pmt: Number, fv: Number = 0, when: When = "end") -> Decimal:
    """Present value: −(fv + pmt·annuity_factor) / (1+r)^n."""
    with localcontext(prec=PRECISION):
        r, n = to_decimal(rate), to_decimal(nper)
        factor = _annuity_factor(r, n, _when(when))
        return -(to_decimal(fv) + to_decimal(pmt) * factor) / (1 + r) ** n


def nper(rate: Number, pmt: Number, pv: Number, fv: Number = 0, when: When = "end") -> Decimal:
    """Number of periods: ln((−fv + z)/(pv + z)) / ln(1+r), z = pmt(1+r·w)/r; −(fv+pv)/pmt at r=0."""
    with localcontext(prec=PRECISION):
        r, p, v, f = to_decimal(rate), to_decimal(pmt), to_decimal(pv), to_decimal(fv)
        if r == 0:
            return -(f + v) / p
        z = p * (1 + r * _when(when)) / r
        return ((-f + z) / (v + z)).ln() / (1 + r).ln()


def ipmt(
    rate: Number, per: int, nper: Number, pv: Number, fv: Number = 0, when: When = "end"
) -> Decimal:
    """Interest part of payment `per` (1-based); NaN when per < 1 or per > nper."""
    with localcontext(prec=PRECISION):
        r = to_decimal(rate)
        if per < 1 or per > to_decimal(nper):
            return NAN
        total = pmt(r, nper, pv, fv, when)
        interest = _future_value(r, per - 1, total, pv, when) * r  # remaining balance × rate
        if _when(when) == 1:
            return Decimal(0) if per == 1 else interest / (1 + r)
        return interest


def ppmt(
    rate: Number, per: int, nper: Number, pv: Number, fv: Number = 0, when: When = "end"
) -> Decimal:
    """Principal part of payment `per`: pmt − ipmt (NaN when per is out of range)."""
    with localcontext(prec=PRECISION):
        return pmt(rate, nper, pv, fv, when) - ipmt(rate, per, nper, pv, fv, when)


def rate(
    nper: Number,
    pmt: Number,
    pv: Number,
    fv: Number = 0,
    when: When = "end",
    guess: Number = "0.1",
    tol: Number = "1e-12",
    maxiter: int = 100,
) -> Decimal:
    """Rate per period solving pv(1+r)^n + pmt·annuity_factor + fv = 0 by Newton's method; NaN if it fails."""
    with localcontext(prec=PRECISION):
        r, step = to_decimal(guess), Decimal(1)
        for _ in range(maxiter):
            value = _fv_gap(r, nper, pmt, pv, fv, when)
            h = max(abs(r), Decimal(1)) * Decimal("1e-12")
            slope = (_fv_gap(r + h, nper, pmt, pv, fv, when) - value) / h
            if slope == 0:
                return NAN
            step = value / slope
            r -= step
            if abs(step) < to_decimal(tol):
                return r
        return NAN


def _fv_gap(r: Decimal, n: Number, p: Number, v: Number, f: Number, when: When) -> Decimal:
    return -_future_value(r, n, p, v, when) + to_decimal(f)


def npv(rate: Number, values: Sequence[Number]) -> Decimal:
    """Net present value, the first value at t = 0 (numpy-financial, unlike Excel's NPV)."""
    with localcontext(prec=PRECISION):
        r = to_decimal(rate)
        return sum((to_decimal(x) / (1 + r) ** t for t, x in enumerate(values)), Decimal(0))


def irr(values: Sequence[Number], tol: Number = "1e-20", maxiter: int = 400) -> Decimal:
    """Internal rate of return (npv = 0) by bisection on (−0.99, 100]; NaN without a sign change.

    Of several roots, returns the one nearest zero found by scanning outward from 0, as the peer
    prefers the root closest to zero.
    """
    with localcontext(prec=PRECISION):
        bracket = _irr_bracket(values)
        if bracket is None:
            return NAN
        low, high = bracket
        f_low = npv(low, values)
        for _ in range(maxiter):
            mid = (low + high) / 2
            f_mid = npv(mid, values)
            if f_mid == 0 or high - low < to_decimal(tol):
                return mid
            if (f_mid > 0) == (f_low > 0):
                low, f_low = mid, f_mid
            else:
                high = mid
        return (low + high) / 2


def _irr_bracket(values: Sequence[Number]) -> tuple[Decimal, Decimal] | None:
    """A (low, high) interval with an npv sign change, the nearest to 0 on a scan."""
    grid = [Decimal(k) / 100 for k in range(0, 10001)]  # 0 .. 100 by 0.01
    negatives = [-Decimal(k) / 100 for k in range(1, 100)]  # −0.01 .. −0.99
    for side in (grid, [Decimal(0), *negatives]):
        previous = side[0]
        f_prev = npv(previous, values)
        for point in side[1:]:
            f_point = npv(point, values)
            if f_prev == 0:
                return previous, previous
            if (f_point > 0) != (f_prev > 0):
                return (previous, point) if previous < point else (point, previous)
            previous, f_prev = point, f_point
    return None


def mirr(values: Sequence[Number], finance_rate: Number, reinvest_rate: Number) -> Decimal:
    """Modified IRR: (|npv(reinvest, positives)| / |npv(finance, negatives)|)^(1/(n−1))·(1+reinvest) − 1."""
    with localcontext(prec=PRECISION):
        flows = [to_decimal(x) for x in values]
        positives = [x if x > 0 else Decimal(0) for x in flows]
        negatives = [x if x < 0 else Decimal(0) for x in flows]
        if not any(positives) or not any(negatives):
            return NAN
        numer = abs(npv(reinvest_rate, positives))
        denom = abs(npv(finance_rate, negatives))
        growth = (numer / denom) ** (Decimal(1) / (len(flows) - 1))
        return growth * (1 + to_decimal(reinvest_rate)) - 1


def level_payment(balance: Decimal, factors: Sequence[Decimal]) -> Decimal:
    """The level payment that retires `balance` over periods with rates `factors` (unrounded).

    Equal factors use the annuity formula B·r(1+r)^n/((1+r)^n − 1) (B/n at r = 0); unequal ones
    the progressive-EMI recursion B·Π(1+r_k)/fn_n. Raises ValueError for no periods.
    """
    if not factors:
        raise ValueError("level_payment needs at least one period")
    with localcontext(prec=PRECISION):
        first = factors[0]
        if all(f == first for f in factors):
            return -pmt(first, len(factors), balance)
        growth, fn = Decimal(1), Decimal(1)
        for index, factor in enumerate(factors):
            growth *= 1 + factor
            if index:
                fn = 1 + fn * (1 + factor)
        return balance * growth / fn


FINERACT_CONTEXT = Context(prec=12, rounding=ROUND_HALF_EVEN)
"""Fineract's MathContext for the progressive calculator (12 digits, HALF_EVEN)."""


def fineract_rate_factor(
    annual_rate: Decimal,
    period_start: date,
    period_end: date,
    *,
    unit: FrequencyUnit = FrequencyUnit.MONTHS,
    every: int = 1,
    days_in_year: int | None = None,
    days_in_month: int | None = None,
    interest_start: date | None = None,
) -> Decimal:
    """Fineract's progressive rate factor r for one repayment period (fraction, 12 decimals).

    r = annual × (unit_days × every / days_in_year) × actual_days / period_days, where unit_days
    is days_in_month (MONTHS; None = ACTUAL = the length of the interest start's month), 7
    (WEEKS) or 1 (DAYS); days_in_year None = ACTUAL (the start year's length). With ACTUAL days
    in year and a period crossing 1 January, Fineract sums per-year fractions with the first
    piece ending on 31 December (so 12-12 → 01-12 is 19/365 + 12/366). `interest_start` is a
    disbursement inside the period (actual days run from it). Source: Apache Fineract
    ProgressiveEMICalculator.calculateRateFactorPerPeriod, commit 582cfdef.
    """
    ctx = FINERACT_CONTEXT
    start = interest_start or period_start
    actual = Decimal((period_end - start).days)
    calculated = Decimal((period_end - period_start).days)
    if days_in_year is None and period_end.year > start.year:
        fraction = ctx.multiply(Decimal(every), _fineract_year_fractions(start, period_end))
    else:
        year_days = days_in_year or (366 if calendar.isleap(start.year) else 365)
        unit_days = _unit_days(unit, start, days_in_month)
        fraction = ctx.divide(ctx.multiply(Decimal(unit_days), Decimal(every)), Decimal(year_days))
    factor = ctx.divide(ctx.multiply(ctx.multiply(annual_rate, fraction), actual), calculated)
    return factor.quantize(Decimal("1e-12"), rounding=ROUND_HALF_EVEN)


def _unit_days(unit: FrequencyUnit, start: date, days_in_month: int | None) -> int:
    if unit is FrequencyUnit.WEEKS:
        return 7
    if unit is FrequencyUnit.DAYS:
        return 1
    return days_in_month or calendar.monthrange(start.year, start.month)[1]


def _fineract_year_fractions(start: date, end: date) -> Decimal:
    ctx, total, cursor = FINERACT_CONTEXT, Decimal(0), start
    for year in range(start.year, end.year + 1):
        piece_end = end if year == end.year else date(year, 12, 31)
        length = Decimal(366 if calendar.isleap(year) else 365)
        total = ctx.add(total, ctx.divide(Decimal((piece_end - cursor).days), length))
        cursor = piece_end
    return total
