"""RAROC of a rate, the minimum rate that meets the hurdle, and the RAROC quote.

Definition (DOMAIN.md §6.1, FRM; STYLE.md's `raroc` is the special case t = 0, r_f = 0), a year,
per unit of EAD, with c = capital / EAD = RW × capital ratio:

    pre-tax profit  π = r + o − ftp − opex − el + r_f · c
        r: the loan rate; o: other revenue (the loan's fees + relationship revenue);
        ftp: funding (FTP transfer); opex: operating cost; el = PD × LGD; r_f · c: return on the
        capital held, invested at the risk-free rate
    RAROC           = π · (1 − t) / c          (t: tax rate; a loss earns a tax credit, so π is linear)

Minimum rate: RAROC ≥ h  ⇔  π (1 − t) ≥ h · c  ⇔
    r ≥ r* = ftp + opex + el − o − r_f · c + h · c + h · c · t / (1 − t)
i.e. funding + operating cost + EL rate + capital cost (c × h) + tax adjustment − capital benefit −
other revenue: the cost-plus identity. r* is exact in Decimal; `solve_rate` finds the same rate by
bisection and serves any RAROC target.
"""

from __future__ import annotations

from decimal import Decimal

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.rates import BP, Rate
from creditfactory.pricing.economics import LoanEconomics
from creditfactory.pricing.errors import PricingError
from creditfactory.pricing.policy import Method
from creditfactory.pricing.quote import Component, Quote

__all__ = [
    "after_tax_profit_rate",
    "hurdle_components",
    "minimum_rate",
    "raroc",
    "raroc_quote",
    "solve_rate",
]

_ONE = Decimal(1)
_INF = Decimal("Infinity")


def after_tax_profit_rate(rate: Decimal, econ: LoanEconomics) -> Decimal:
    """π · (1 − t): the after-tax risk-adjusted profit a year per unit of EAD at `rate`."""
    pre_tax = (
        rate
        + econ.other_revenue_rate
        - econ.ftp.value
        - econ.operating_cost_rate
        - econ.el_rate
        + econ.policy.risk_free_rate * econ.capital_rate
    )
    return pre_tax * (_ONE - econ.policy.tax_rate)


def raroc(rate: Rate | Decimal, econ: LoanEconomics) -> Decimal:
    """RAROC at `rate` (Decimal fraction). With zero capital: ±Infinity by the profit's sign, or 0."""
    value = rate.value if isinstance(rate, Rate) else rate
    profit = after_tax_profit_rate(value, econ)
    if econ.capital_rate == 0:
        return _INF.copy_sign(profit) if profit else Decimal(0)
    return profit / econ.capital_rate


def hurdle_components(econ: LoanEconomics, hurdle: Decimal | None = None) -> list[Component]:
    """The cost-plus components of the hurdle rate in bp: funding, opex, EL, capital, tax, benefit."""
    h = econ.policy.hurdle_rate if hurdle is None else _hurdle(hurdle)
    c, t = econ.capital_rate, econ.policy.tax_rate
    capital_cost = c * h
    return [
        Component("funding_ftp", econ.ftp.value / BP),
        Component("operating_cost", econ.operating_cost_rate / BP),
        Component("expected_loss", econ.el_rate / BP),
        Component("capital_cost", capital_cost / BP),
        Component("tax_adjustment", capital_cost * t / (_ONE - t) / BP),
        Component("capital_benefit", -econ.policy.risk_free_rate * c / BP),
    ]


def _revenue_credits(econ: LoanEconomics) -> list[Component]:
    credits = []
    if econ.fee_rate:
        credits.append(Component("fee_revenue_credit", -econ.fee_rate / BP))
    if econ.relationship_rate:
        credits.append(Component("relationship_credit", -econ.relationship_rate / BP))
    return credits


def minimum_rate(econ: LoanEconomics, hurdle: Decimal | None = None) -> Rate:
    """The lowest annual rate with RAROC ≥ hurdle (exact; floored at 0)."""
    parts = hurdle_components(econ, hurdle) + _revenue_credits(econ)
    return Rate(max(Decimal(0), sum((p.bp for p in parts), Decimal(0)) * BP))


def raroc_quote(
    econ: LoanEconomics, rate: Rate | None = None, hurdle: Decimal | None = None
) -> Quote:
    """The RAROC method: the minimum hurdle rate, or `rate` with its excess over that minimum.

    Components: the hurdle components, credits for fee and relationship revenue, and
    `excess_over_hurdle` (bp above the minimum; negative when `rate` misses the hurdle).
    """
    parts = hurdle_components(econ, hurdle) + _revenue_credits(econ)
    notes: tuple[str, ...] = ()
    if rate is not None:
        floor_bp = sum((p.bp for p in parts), Decimal(0))
        parts.append(Component("excess_over_hurdle", rate.in_bp() - floor_bp))
        notes = (f"RAROC at the given rate {rate}: {raroc(rate, econ):.4f}",)
    return Quote(Method.RAROC, tuple(parts), notes)


def solve_rate(
    econ: LoanEconomics,
    target: Decimal,
    low: Decimal = Decimal(0),
    high: Decimal = Decimal(1),
    tolerance: Decimal = Decimal("1e-12"),
) -> Decimal:
    """The rate in [low, high] where RAROC = target, by bisection in Decimal (RAROC rises with rate).

    raises PricingError when the target is not reached inside [low, high].
    """
    if raroc(high, econ) < target:
        raise PricingError(f"RAROC {target} not reachable at rates up to {high}")
    if raroc(low, econ) >= target:
        return low
    while high - low > tolerance:
        middle = (low + high) / 2
        if raroc(middle, econ) >= target:
            high = middle
        else:
            low = middle
    return high


def _hurdle(value: Decimal) -> Decimal:
    if value < 0 or value.is_nan():
        raise ValidationError("hurdle", f"must be >= 0, got {value}")
    return value
