"""Repayment schedules (还款计划): terms in, installments out. Pure, exact (Decimal, no float).

Each period k has a rate factor r_k, the interest per unit of balance:
- InterestBasis.MONTHLY (按月计息): r = annual/12 per whole month of the period (月利率 = 年利率
  ÷ 12, DOMAIN.md §3.3); the odd days of a broken period (disbursement to the start of the first
  whole month counted back from the due date) add annual × year_fraction(day_count, odd days).
  Business-day adjustment moves the payment date, not the interest, on this basis.
- InterestBasis.DAILY (按日计息): r = annual × year_fraction(day_count, start, end) of the actual
  (adjusted) period.
Interest of a period = round(opening balance × r_k) (FLAT: original principal × r_k), rounded
to 0.01 by `rounding`. Then by method (STYLE.md, DOMAIN.md §3.5):
- EQUAL_INSTALLMENT (等额本息): level installment A = B·r(1+r)^n/((1+r)^n−1) when the factors are
  equal, else the progressive form B·Π(1+r_k)/fn_n (tvm.level_payment); A is rounded to 0.01 or,
  half-up, to `installment_multiple`; principal = A − interest (never below 0).
- EQUAL_PRINCIPAL (等额本金): principal = round(B/n) each period.
- INTEREST_ONLY_BULLET (先息后本): interest each period, all principal in the last.
- BULLET (一次性还本付息): ONE installment at maturity (term periods after disbursement),
  interest = round(P × Σ r_k) (simple interest).
The first `grace_on_principal_periods` pay interest only. The last installment pays the whole
remaining balance, so scheduled principal sums exactly to the loan; a balance retired early by
rounding leaves later rows at zero principal and zero interest.

`build_progressive_schedule` is the Fineract-compatible mode (explicit period boundaries and
rate factors, 12-digit HALF_EVEN arithmetic and Fineract's EMI adjustment), used to reproduce
`../shared/cases/schedules_fineract.json`; see docs/schedules.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import Enum
from typing import Final, Literal

from creditfactory.kernel.calendar import BusinessCalendar, DateAdjustment
from creditfactory.kernel.daycount import DayCount, year_fraction
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money, RoundingMode, quantize_to_minor
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.duedates import FrequencyUnit, add_months, add_periods, due_dates
from creditfactory.servicing.errors import ScheduleDoesNotAmortize, ServicingError
from creditfactory.servicing.tvm import FINERACT_CONTEXT, PRECISION, level_payment

__all__ = [
    "AmortizationMethod",
    "Installment",
    "InterestBasis",
    "InterestType",
    "RepaymentSchedule",
    "ScheduleError",
    "ScheduleTerms",
    "build_progressive_schedule",
    "build_schedule",
    "parse_method",
    "period_rate_factor",
    "reamortize",
]

Row = tuple[Decimal, Decimal]
"""(principal, interest) of one installment, rounded."""

MAX_PRINCIPAL: Final = Decimal(10) ** 12  # CNY; far above any small-business loan
MAX_TERM: Final = 600  # periods (50 years of months)
EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(2200, 12, 31)
RATE_QUANTUM: Final = Decimal("1E-8")  # rates carry at most 8 decimals (0.01 bp)


class ScheduleError(ValidationError, ServicingError):
    """Schedule terms broke a rule; `field` names the term, `rule` the rule ("term: must be >= 1").

    Both a ValidationError (edges print it as one line, exit 2) and a ServicingError.
    """


class AmortizationMethod(str, Enum):
    """How principal and interest spread over the installments (还款方式)."""

    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY_BULLET = "interest_only"  # 先息后本
    BULLET = "bullet"  # 一次性还本付息


class InterestBasis(str, Enum):
    """MONTHLY: annual/12 per whole month; DAILY: annual × day-count fraction of the period."""

    MONTHLY = "monthly"
    DAILY = "daily"


class InterestType(str, Enum):
    """DECLINING_BALANCE: interest on what is owed; FLAT: on the original principal (Fineract)."""

    DECLINING_BALANCE = "declining_balance"
    FLAT = "flat"


def parse_method(text: str) -> AmortizationMethod:
    """The method named `text` ("equal_installment", …); raises ScheduleError("method")."""
    try:
        return AmortizationMethod(text)
    except ValueError:
        names = ", ".join(m.value for m in AmortizationMethod)
        raise ScheduleError("method", f"must be one of {names}, got {text!r}") from None


@dataclass(frozen=True, slots=True)
class ScheduleTerms:
    """Everything a schedule depends on (no clock, no ids).

    principal: Money > 0 in whole minor units. annual_rate: fraction <= 1. term: installments
    (BULLET: periods to maturity). first_due_date: anchor of the due dates, default one period
    after disbursement. frequency/frequency_unit: every N months (weeks and days need the DAILY
    basis). installment_multiple: round the level installment half-up to a multiple of this many
    currency units (Fineract installmentAmountInMultiplesOf); None = 0.01.
    Raises ScheduleError(field, rule) on inconsistent terms.
    """

    principal: Money
    annual_rate: Rate
    term: int
    method: AmortizationMethod
    disbursement_date: date
    first_due_date: date | None = None
    frequency: int = 1
    frequency_unit: FrequencyUnit = FrequencyUnit.MONTHS
    day_count: DayCount = DayCount.ACT_360
    interest_basis: InterestBasis = InterestBasis.MONTHLY
    interest_type: InterestType = InterestType.DECLINING_BALANCE
    installment_multiple: Decimal | None = None
    rounding: RoundingMode = RoundingMode.HALF_UP
    calendar: BusinessCalendar | None = None
    date_adjustment: DateAdjustment = DateAdjustment.NONE
    grace_on_principal_periods: int = 0

    def __post_init__(self) -> None:
        _check_amount_and_rate(self.principal, self.annual_rate)
        if not isinstance(self.method, AmortizationMethod):
            parse_method(str(self.method))
        if not 1 <= self.term <= MAX_TERM:
            raise ScheduleError("term", f"must be between 1 and {MAX_TERM}, got {self.term}")
        if not EARLIEST <= self.disbursement_date <= LATEST:
            raise ScheduleError("disbursement_date", f"must lie between {EARLIEST} and {LATEST}")
        if self.frequency < 1:
            raise ScheduleError("frequency", f"must be >= 1, got {self.frequency}")
        if self.first_due_date is not None and self.first_due_date <= self.disbursement_date:
            raise ScheduleError("first_due_date", "must be after the disbursement date")
        if not 0 <= self.grace_on_principal_periods < self.term:
            raise ScheduleError("grace_on_principal_periods", "must be >= 0 and < term")
        if self.installment_multiple is not None and not (
            0 < self.installment_multiple < self.principal.amount
        ):
            raise ScheduleError("installment_multiple", "must be > 0 and below the principal")
        if self.date_adjustment is not DateAdjustment.NONE and self.calendar is None:
            raise ScheduleError("date_adjustment", "needs a business calendar")
        monthly = self.interest_basis is InterestBasis.MONTHLY
        if monthly and self.frequency_unit is not FrequencyUnit.MONTHS:
            raise ScheduleError("interest_basis", "weekly or daily frequencies need 'daily'")


def _check_amount_and_rate(principal: Money, annual_rate: Rate) -> None:
    if not 0 < principal.amount <= MAX_PRINCIPAL:
        raise ScheduleError(
            "principal", f"must be > 0 and at most {MAX_PRINCIPAL:,}, got {principal.amount}"
        )
    if principal.rounded() != principal:
        raise ScheduleError("principal", "must be a whole number of minor units (0.01)")
    if annual_rate.value > 1:
        raise ScheduleError(
            "annual_rate", f"must be a fraction <= 1 (0.12 = 12 %), got {annual_rate.value}"
        )
    if annual_rate.value != annual_rate.value.quantize(RATE_QUANTUM) and annual_rate.value != 0:
        raise ScheduleError("annual_rate", "at most 8 decimal places (0.01 bp)")


@dataclass(frozen=True, slots=True)
class Installment:
    """One row: accrual [period_start, due_date); amounts rounded to the minor unit.

    installment = principal_due + interest_due; outstanding = principal balance after paying it.
    """

    seq: int
    period_start: date
    due_date: date
    principal_due: Money
    interest_due: Money
    installment: Money
    outstanding: Money


@dataclass(frozen=True, slots=True)
class RepaymentSchedule:
    """Installments in due-date order, one currency; level_installment is the rounded EMI
    (EQUAL_INSTALLMENT only)."""

    installments: tuple[Installment, ...]
    currency: str
    level_installment: Money | None = None

    def _sum(self, name: str) -> Money:
        total = Money.zero(self.currency)
        for row in self.installments:
            total += getattr(row, name)
        return total

    @property
    def total_principal(self) -> Money:
        """Σ principal_due; equals the loan exactly."""
        return self._sum("principal_due")

    @property
    def total_interest(self) -> Money:
        """Σ interest_due."""
        return self._sum("interest_due")

    @property
    def total_due(self) -> Money:
        """Σ installment."""
        return self._sum("installment")

    @property
    def maturity_date(self) -> date:
        """Due date of the last installment."""
        return self.installments[-1].due_date


def period_rate_factor(
    annual_rate: Decimal, start: date, end: date, basis: InterestBasis, day_count: DayCount
) -> Decimal:
    """Interest per unit of balance for the period [start, end) (unrounded, see module doc).

    MONTHLY: whole months × annual/12 + annual × year_fraction(odd days). Whole months are
    counted back from `end`, the odd days lying at the start (15 Jan → 1 Mar = 17 days + one
    month); counting forward from `start` wins only when it finds more whole months, so the
    clamped 31 Jan → 29 Feb and 29 Feb → 31 Mar are each one whole month.
    """
    with localcontext(prec=PRECISION):
        if basis is InterestBasis.DAILY:
            return annual_rate * year_fraction(day_count, start, end)
        back = _whole_months_back(start, end)
        forward = _whole_months_forward(start, end)
        if forward > back:  # only when month-end clamping hides a whole month (31 Jan → 29 Feb)
            months, stub_start, stub_end = forward, add_months(start, forward), end
        else:  # the odd days sit at the start, from the disbursement
            months, stub_start, stub_end = back, start, add_months(end, -back)
        return annual_rate * months / 12 + annual_rate * year_fraction(
            day_count, stub_start, stub_end
        )


def _whole_months_back(start: date, end: date) -> int:
    """The most k with add_months(end, -k) >= start. add_months(end, -k) falls in the k-th
    month before end's, so k is the calendar-month difference, or one less when the clamped
    day lands before start's day."""
    months = _month_difference(start, end)
    return months if add_months(end, -months) >= start else months - 1


def _whole_months_forward(start: date, end: date) -> int:
    """The most k with add_months(start, k) <= end (same reasoning as `_whole_months_back`)."""
    months = _month_difference(start, end)
    return months if add_months(start, months) <= end else months - 1


def _month_difference(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def build_schedule(terms: ScheduleTerms) -> RepaymentSchedule:
    """The repayment schedule for `terms`.

    Returns: RepaymentSchedule whose principal sums exactly to terms.principal, outstanding 0.
    Raises: ScheduleError on bad terms (also from __post_init__); CalendarError when a due date
    lies outside the calendar's data.
    """
    nominal = _nominal_due_dates(terms)
    adjusted = _adjusted(terms, nominal)
    daily = terms.interest_basis is InterestBasis.DAILY
    bounds = adjusted if daily else nominal
    starts = [terms.disbursement_date, *bounds[:-1]]
    rate = terms.annual_rate.value
    factors = [
        period_rate_factor(rate, a, b, terms.interest_basis, terms.day_count)
        for a, b in zip(starts, bounds, strict=True)
    ]
    plan = _Plan(terms.principal, terms.rounding, terms.installment_multiple)
    if terms.method is AmortizationMethod.BULLET:
        interest = plan.cents(terms.principal.amount * sum(factors, Decimal(0)))
        rows: list[Row] = [(terms.principal.amount, interest)]
        return plan.assemble([terms.disbursement_date], [adjusted[-1]], rows, None)
    flat = terms.interest_type is InterestType.FLAT
    level = plan.level(terms.method, factors, terms.grace_on_principal_periods, flat)
    rows = plan.rows(terms.method, factors, terms.grace_on_principal_periods, flat, level)
    _check_level(terms, level, rows)
    period_starts = [terms.disbursement_date, *adjusted[:-1]]
    emi = level if terms.method is AmortizationMethod.EQUAL_INSTALLMENT else None
    return plan.assemble(period_starts, adjusted, rows, emi)


def _check_level(terms: ScheduleTerms, level: Decimal | None, rows: Sequence[Row]) -> None:
    """Refuse what rounding to an installment multiple would turn into another kind of loan: a
    level installment of zero, a loan repaid before its last period, or a last installment over
    twice the level one."""
    if level is None or terms.installment_multiple is None:
        return  # rounding to the cent only: tiny loans may end early, by design of the properties
    if terms.method is not AmortizationMethod.EQUAL_INSTALLMENT:
        return
    if level <= 0:
        raise ScheduleError("installment_multiple", "rounds the installment to zero")
    if sum((paid for paid, _ in rows[:-1]), Decimal(0)) >= terms.principal.amount:
        raise ScheduleDoesNotAmortize(
            "installment_multiple: the rounded installment repays the loan before the last period"
        )
    if sum(rows[-1]) > 2 * level:
        raise ScheduleDoesNotAmortize(
            f"installment_multiple: the last installment {sum(rows[-1])} is over twice the level "
            f"{level}"
        )


def _nominal_due_dates(terms: ScheduleTerms) -> list[date]:
    """Unadjusted due dates; without a first due date the disbursement date is the anchor
    (disbursed 31 Jan: 29 Feb, 31 Mar, 30 Apr …)."""
    every, unit = terms.frequency, terms.frequency_unit
    if terms.first_due_date is not None:
        return due_dates(terms.first_due_date, terms.term, every, unit)
    return [add_periods(terms.disbursement_date, k, every, unit) for k in range(1, terms.term + 1)]


def _adjusted(terms: ScheduleTerms, nominal: list[date]) -> list[date]:
    if terms.calendar is None or terms.date_adjustment is DateAdjustment.NONE:
        return nominal
    dates = [terms.calendar.adjust(d, terms.date_adjustment) for d in nominal]
    if any(b <= a for a, b in zip([terms.disbursement_date, *dates], dates, strict=False)):
        raise ScheduleError("date_adjustment", "adjusted due dates must strictly increase")
    return dates


@dataclass(frozen=True, slots=True)
class _Plan:
    """Rounding and assembly shared by every method."""

    principal: Money
    rounding: RoundingMode
    multiple: Decimal | None

    def cents(self, amount: Decimal) -> Decimal:
        return quantize_to_minor(amount, self.principal.currency, self.rounding)

    def to_multiple(self, amount: Decimal) -> Decimal:
        """Half-up to the installment multiple (Fineract Money.roundToMultiplesOf), else cents."""
        if self.multiple is None:
            return self.cents(amount)
        steps = (amount / self.multiple).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return self.cents(steps * self.multiple)

    def level(
        self, method: AmortizationMethod, factors: Sequence[Decimal], grace: int, flat: bool
    ) -> Decimal | None:
        """The rounded level installment (EQUAL_INSTALLMENT) or level principal (EQUAL_PRINCIPAL)."""
        amount, amortizing = self.principal.amount, factors[grace:]
        with localcontext(prec=PRECISION):
            if method is AmortizationMethod.EQUAL_PRINCIPAL:
                return self.cents(amount / len(amortizing))
            if method is not AmortizationMethod.EQUAL_INSTALLMENT:
                return None
            if flat:
                interest = sum((self.cents(amount * f) for f in amortizing), Decimal(0))
                return self.to_multiple((amount + interest) / len(amortizing))
            return self.to_multiple(level_payment(amount, amortizing))

    def rows(
        self,
        method: AmortizationMethod,
        factors: Sequence[Decimal],
        grace: int,
        flat: bool,
        level: Decimal | None,
    ) -> list[Row]:
        """(principal, interest) per period; the last pays the remaining balance."""
        balance, rows = self.principal.amount, []
        for k, factor in enumerate(factors):
            base = self.principal.amount if flat else balance
            interest = self.cents(base * factor) if balance > 0 else Decimal(0)
            if k == len(factors) - 1:
                paid = balance
            elif k < grace or level is None:
                paid = Decimal(0)
            elif method is AmortizationMethod.EQUAL_INSTALLMENT:
                paid = min(balance, max(Decimal(0), level - interest))
            else:
                paid = min(balance, level)
            rows.append((paid, interest))
            balance -= paid
        return rows

    def assemble(
        self,
        starts: Sequence[date],
        dues: Sequence[date],
        rows: Sequence[Row],
        level: Decimal | None,
    ) -> RepaymentSchedule:
        currency = self.principal.currency
        balance = self.principal.amount
        out = []
        for seq, (start, due, (paid, interest)) in enumerate(
            zip(starts, dues, rows, strict=True), 1
        ):
            balance -= paid
            out.append(
                Installment(
                    seq=seq,
                    period_start=start,
                    due_date=due,
                    principal_due=Money(paid, currency),
                    interest_due=Money(interest, currency),
                    installment=Money(paid + interest, currency),
                    outstanding=Money(balance, currency),
                )
            )
        level_money = None if level is None else Money(level, currency)
        return RepaymentSchedule(tuple(out), currency, level_money)


def reamortize(
    outstanding: Money,
    annual_rate: Rate,
    from_date: date,
    remaining_due_dates: Sequence[date],
    method: AmortizationMethod,
    keep: Literal["term", "installment"] = "term",
    current_installment: Money | None = None,
    *,
    day_count: DayCount = DayCount.ACT_360,
    interest_basis: InterestBasis = InterestBasis.MONTHLY,
    installment_multiple: Decimal | None = None,
    rounding: RoundingMode = RoundingMode.HALF_UP,
) -> RepaymentSchedule:
    """Re-spread `outstanding` after a partial prepayment (提前部分还款) over the remaining dates.

    Args:
        outstanding: principal left after the prepayment, > 0.
        from_date: the prepayment (value) date; the first period accrues from it.
        remaining_due_dates: the unpaid due dates, strictly increasing, all after from_date.
        keep: "term" keeps every remaining date (lower installment, 缩短金额); "installment"
            keeps `current_installment` (EQUAL_INSTALLMENT: the level payment; EQUAL_PRINCIPAL:
            the level principal) and drops the dates it no longer needs (缩短期限).
    Returns: RepaymentSchedule, seq from 1, principal summing exactly to `outstanding`.
    Raises: ScheduleError for bad input (field named); ScheduleDoesNotAmortize when the kept
    installment does not cover the first period's interest.
    """
    dates = _check_reamortize(outstanding, annual_rate, from_date, remaining_due_dates)
    starts = [from_date, *dates[:-1]]
    factors = [
        period_rate_factor(annual_rate.value, a, b, interest_basis, day_count)
        for a, b in zip(starts, dates, strict=True)
    ]
    plan = _Plan(outstanding, rounding, installment_multiple)
    if method is AmortizationMethod.BULLET:
        interest = plan.cents(outstanding.amount * sum(factors, Decimal(0)))
        return plan.assemble([from_date], [dates[-1]], [(outstanding.amount, interest)], None)
    if keep == "term":
        level = plan.level(method, factors, 0, False)
    else:
        level = _kept_level(plan, method, factors, current_installment)
    rows = plan.rows(method, factors, 0, False, level)
    if keep == "installment":
        rows = _drop_paid_off(rows)
    emi = level if method is AmortizationMethod.EQUAL_INSTALLMENT else None
    return plan.assemble(starts[: len(rows)], dates[: len(rows)], rows, emi)


def _check_reamortize(
    outstanding: Money, annual_rate: Rate, from_date: date, remaining: Sequence[date]
) -> list[date]:
    if outstanding.amount <= 0:
        raise ScheduleError("outstanding", f"must be > 0, got {outstanding.amount}")
    _check_amount_and_rate(outstanding, annual_rate)
    dates = list(remaining)
    if not dates:
        raise ScheduleError("remaining_due_dates", "must list at least one date")
    if any(b <= a for a, b in zip([from_date, *dates], dates, strict=False)):
        raise ScheduleError("remaining_due_dates", "must strictly increase, after from_date")
    return dates


def _kept_level(
    plan: _Plan,
    method: AmortizationMethod,
    factors: Sequence[Decimal],
    current_installment: Money | None,
) -> Decimal:
    if method not in (AmortizationMethod.EQUAL_INSTALLMENT, AmortizationMethod.EQUAL_PRINCIPAL):
        raise ScheduleError("keep", f"'installment' needs an amortizing method, not {method.value}")
    if current_installment is None or current_installment.amount <= 0:
        raise ScheduleError("current_installment", "a positive amount is needed to keep it")
    level = current_installment.amount
    first_interest = plan.cents(plan.principal.amount * factors[0])
    if method is AmortizationMethod.EQUAL_INSTALLMENT and level <= first_interest:
        raise ScheduleDoesNotAmortize(
            f"installment {level} does not cover the first period's interest {first_interest}"
        )
    return level


def _drop_paid_off(rows: list[Row]) -> list[Row]:
    """Rows up to and including the one that retires the balance."""
    kept: list[Row] = []
    for paid, interest in rows:
        if kept and paid == 0 and interest == 0:
            break
        kept.append((paid, interest))
    return kept


def build_progressive_schedule(
    principal: Money,
    periods: Sequence[tuple[date, date]],
    rate_factors: Sequence[Decimal],
    *,
    rounding: RoundingMode = RoundingMode.HALF_EVEN,
    installment_multiple: Decimal | None = None,
    emi_adjustment: bool = True,
) -> RepaymentSchedule:
    """Fineract-compatible progressive EMI schedule (Fineract `ProgressiveEMICalculator`).

    Args:
        periods: explicit (from, due) boundaries, one per installment.
        rate_factors: interest per unit of balance of each period, e.g. from
            tvm.fineract_rate_factor (12 decimals).
        emi_adjustment: Fineract's check — when |last − EMI| in cents exceeds floor(n/2), retry
            EMI + round(difference/n) and keep it if the last installment comes out closer.
    EMI = P·Π(1+r_k)/fn_n in 12-digit HALF_EVEN arithmetic, rounded by `rounding`; interest =
    round(balance × r_k); the last installment pays the remaining balance.
    Raises ScheduleError when periods and factors differ in length or principal <= 0.
    """
    if len(periods) != len(rate_factors) or not periods:
        raise ScheduleError("rate_factors", "need one factor per period, at least one period")
    _check_amount_and_rate(principal, Rate(Decimal(0)))
    plan = _Plan(principal, rounding, installment_multiple)
    method = AmortizationMethod.EQUAL_INSTALLMENT
    emi = plan.to_multiple(_fineract_emi(principal.amount, rate_factors))
    rows = plan.rows(method, rate_factors, 0, False, emi)
    difference = sum(rows[-1], Decimal(0)) - emi
    half = len(periods) // 2
    if emi_adjustment and difference and half and abs(difference) * 100 > half:
        candidate = plan.to_multiple(emi + plan.cents(difference / len(periods)))
        retry = plan.rows(method, rate_factors, 0, False, candidate)
        if abs(sum(retry[-1], Decimal(0)) - candidate) < abs(difference):
            emi, rows = candidate, retry
    starts = [start for start, _ in periods]
    dues = [due for _, due in periods]
    return plan.assemble(starts, dues, rows, emi)


def _fineract_emi(balance: Decimal, factors: Sequence[Decimal]) -> Decimal:
    ctx = FINERACT_CONTEXT
    growth, fn = Decimal(1), Decimal(1)
    for index, factor in enumerate(factors):
        growth = ctx.multiply(growth, ctx.add(Decimal(1), factor))
        if index:
            fn = ctx.add(Decimal(1), ctx.multiply(fn, ctx.add(Decimal(1), factor)))
    return ctx.divide(ctx.multiply(growth, balance), fn)
