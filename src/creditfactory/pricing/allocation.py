"""A budget allocated across approved offers under a risk appetite: the problem, its checks and
why each firm got what it got (额度分配).

The problem (solved by `adapters.batch.allocation_solver`, a MILP; this module is pure domain):

    maximise   Σ_i x_i · e_i        e_i = π_i(r_i)·(1 − t) − h · c_i   (economic profit a year,
    subject to Σ_i x_i ≤ budget                                        per yuan lent)
               Σ_i x_i · PD_i · LGD_i ≤ EL budget
               Σ_{i ∈ g} x_i ≤ cap_g · budget      for every grade g
               x_i = 0  or  min ≤ x_i ≤ min(limit_i, max)
               x_i = 0  when RAROC_i(r_i) < hurdle
    then, among its optima, the most lent (普惠 volume at no loss of value), and among those the
    least expected loss (safer firms first).

e_i is the after-tax risk-adjusted profit of `raroc.py` (interest and fees less expected loss,
funding (FTP) and operating cost, plus the return on the capital held, after tax) less the
pricing policy's hurdle h on the capital c_i the loan needs: what the loan earns above the cost
of the risk it brings, capital included (economic profit; `optimisation.py` uses the same).
Truncated to whole basis points: rates are quoted in whole basis points over the LPR, rounded
up, so less than one is the quote's rounding, not value.

Why not m_i = r_i − ftp − opex − PD × LGD (issue #12): under risk-based pricing the rate carries
the capital charge, which grows with PD, so m_i grows with risk and maximising it funded the
riskiest approved firms first (R5–R7, R2–R4 left unfunded). e_i does not: an offer priced at
its RAROC minimum earns e_i = 0 whatever its PD, one priced at a common rate earns less the
riskier it is, and only a rate above the risk's own price raises it. PD is the 12-month PD: the
loans are one-year (CUMCM: 1 年期). Offers are taken as accepted at their rate: customer churn at the offered
rate (CUMCM 附件3) is the rate-setting question of `optimisation.py`, not this one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import Enum

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.appetite import RiskAppetite
from creditfactory.pricing.economics import LoanEconomics, assess
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.pricing.policy import DEFAULT_POLICY, DEFAULT_PRODUCT, PricingPolicy
from creditfactory.pricing.quote import PricingRequest
from creditfactory.pricing.raroc import after_tax_profit_rate, raroc

_BP = Decimal("0.0001")

__all__ = [
    "Candidate",
    "FirmAllocation",
    "ShadowPrices",
    "Why",
    "book_totals",
    "candidate",
    "economic_profit",
    "explain",
    "not_offered",
    "upper_bound",
    "violations",
]


class Why(str, Enum):
    """What decided a firm's amount (the binding constraint, or the reason it is not a candidate)."""

    FUNDED_TO_CAP = "funded_to_per_borrower_cap"
    FUNDED_TO_LIMIT = "funded_to_approved_limit"
    BUDGET = "budget_exhausted"
    EL_BUDGET = "el_budget_reached"
    GRADE_CAP = "grade_cap_reached"
    RAROC_BELOW_HURDLE = "raroc_below_hurdle"
    BELOW_MINIMUM = "limit_below_per_borrower_minimum"
    NO_RETURN = "return_not_positive"
    NOT_OFFERED = "declined_or_referred_by_policy"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An approved offer: the firm, its grade and risk, and its economics per yuan a year.

    `return_rate` = e_i, economic profit per yuan a year (module docstring); `el_rate` =
    PD(12m) × LGD; `raroc` at `annual_rate`.
    """

    firm_id: str
    grade: str
    pd_12m: Decimal
    lgd: Decimal
    annual_rate: Rate
    limit: Money
    return_rate: Decimal
    el_rate: Decimal
    raroc: Decimal


@dataclass(frozen=True, slots=True)
class FirmAllocation:
    """One firm's amount and why, in words (zh-CN and English)."""

    firm_id: str
    amount: Money
    why: tuple[Why, ...]
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class ShadowPrices:
    """What one more yuan of each limit would add to the year's economic profit (影子价格; the LP
    relaxation's duals, ≥ 0; 0 for a limit with slack — and for every limit when all offers are
    priced at their RAROC minimum, where each earns e = 0).

    A firm is worth funding only when its economic profit per yuan beats the capacity it uses:
    `cost(c)` = λ_budget + λ_EL × EL rate + λ_grade.
    """

    budget: Decimal
    el_budget: Decimal
    grades: Mapping[str, Decimal]

    def cost(self, c: Candidate) -> Decimal:
        """The economic profit per yuan `c` must beat to displace a funded firm."""
        return self.budget + self.el_budget * c.el_rate + self.grades.get(c.grade, Decimal(0))


def candidate(
    firm_id: str,
    grade: str,
    pd_12m: Decimal,
    lgd: Decimal,
    annual_rate: Rate,
    limit: Money,
    as_of: date,
    policy: PricingPolicy = DEFAULT_POLICY,
    product: str = DEFAULT_PRODUCT,
    series: LPRSeries | None = None,
) -> Candidate:
    """The candidate for a one-year offer at `annual_rate`, its economics from `assess`.

    raises ValidationError for PD/LGD outside [0, 1]; UnknownProduct for an unknown product.
    """
    econ = assess(PricingRequest(pd_12m, lgd, limit, 12, as_of, product), policy, series)
    return Candidate(
        firm_id, grade, pd_12m, lgd, annual_rate, limit, economic_profit(annual_rate, econ),
        econ.el_rate, raroc(annual_rate, econ),
    )  # fmt: skip


def economic_profit(annual_rate: Rate, econ: LoanEconomics) -> Decimal:
    """e = π(r)·(1 − t) − h·c per yuan a year (module docstring), truncated to whole basis
    points (towards −∞: a loss is never rounded away)."""
    value = after_tax_profit_rate(annual_rate.value, econ)
    value -= econ.policy.hurdle_rate * econ.capital_rate
    return value.quantize(_BP, rounding=ROUND_FLOOR)


def upper_bound(c: Candidate, appetite: RiskAppetite) -> Money:
    """The most `c` may be lent: 0 when outside the appetite (RAROC below the hurdle, limit below
    the per-borrower minimum, return not positive), else min(limit, per-borrower maximum)."""
    if _excluded(c, appetite) is not None:
        return Money.zero(appetite.budget.currency)
    return min(c.limit, appetite.max_amount)


def _excluded(c: Candidate, appetite: RiskAppetite) -> Why | None:
    if c.raroc < appetite.hurdle:
        return Why.RAROC_BELOW_HURDLE
    if c.limit < appetite.min_amount:
        return Why.BELOW_MINIMUM
    if c.return_rate < 0:
        return Why.NO_RETURN
    return None


def violations(
    candidates: Sequence[Candidate], amounts: Mapping[str, Money], appetite: RiskAppetite
) -> list[str]:
    """Every constraint of the appetite that `amounts` breaks, in words (empty when none); the
    expected loss is compared rounded to 分."""
    found = []
    total, el = _totals(candidates, amounts, appetite)
    if total > appetite.budget:
        found.append(f"budget: {total} > {appetite.budget}")
    # EL is money, compared at 分 (half-up): HiGHS' feasibility tolerance (1e-7 of a unit) may
    # leave the float solution's exact EL a thousandth of a yuan over a budget it meets
    if el.rounded() > appetite.el_budget:
        found.append(f"EL budget: {el} > {appetite.el_budget}")
    for grade, lent in _by_grade(candidates, amounts, appetite).items():
        if lent > appetite.grade_cap(grade):
            found.append(f"grade {grade}: {lent} > cap {appetite.grade_cap(grade)}")
    for c in candidates:
        x = amounts.get(c.firm_id, Money.zero(appetite.budget.currency))
        if not x.is_zero() and not appetite.min_amount <= x <= upper_bound(c, appetite):
            found.append(f"{c.firm_id}: {x} outside [{appetite.min_amount}, bound]")
    return found


def book_totals(
    candidates: Iterable[Candidate], amounts: Mapping[str, Money], currency: str = "CNY"
) -> tuple[Money, Money, Money]:
    """(amount lent, expected loss a year, economic profit a year) of `amounts`."""
    zero = Money.zero(currency)
    lent, el, ret = zero, zero, zero
    for c in candidates:
        x = amounts.get(c.firm_id, zero)
        lent, el, ret = lent + x, el + x * c.el_rate, ret + x * c.return_rate
    return lent, el, ret


def _totals(
    candidates: Iterable[Candidate], amounts: Mapping[str, Money], appetite: RiskAppetite
) -> tuple[Money, Money]:
    lent, el, _ = book_totals(candidates, amounts, appetite.budget.currency)
    return lent, el


def _by_grade(
    candidates: Iterable[Candidate], amounts: Mapping[str, Money], appetite: RiskAppetite
) -> dict[str, Money]:
    zero = Money.zero(appetite.budget.currency)
    lent: dict[str, Money] = {}
    for c in candidates:
        lent[c.grade] = lent.get(c.grade, zero) + amounts.get(c.firm_id, zero)
    return lent


def explain(
    candidates: Sequence[Candidate],
    amounts: Mapping[str, Money],
    appetite: RiskAppetite,
    prices: ShadowPrices | None = None,
) -> tuple[FirmAllocation, ...]:
    """Why each candidate got its amount, in the order of `candidates`.

    A firm below its upper bound is held there by the constraints one more step would break (the
    per-borrower minimum when unfunded, 1 yuan when partly funded): its grade's cap, named alone
    since it holds whatever the book-wide limits; else the budget and/or the EL budget, which hold
    it because the funded firms earn more per yuan of budget or of EL (or, at equal economic
    profit, carry less EL). Each text gives the firm's RAROC, economic profit per yuan (EP) and
    EL per yuan, and with `prices` the shadow cost of the capacity a firm held back would use.
    """
    zero = Money.zero(appetite.budget.currency)
    total, el = _totals(candidates, amounts, appetite)
    by_grade = _by_grade(candidates, amounts, appetite)
    lines = []
    for c in candidates:
        x = amounts.get(c.firm_id, zero)
        excluded = _excluded(c, appetite)
        if excluded is not None:
            lines.append(_line(c, x, (excluded,), appetite))
            continue
        bound = upper_bound(c, appetite)
        if x >= bound:
            why = Why.FUNDED_TO_CAP if bound == appetite.max_amount else Why.FUNDED_TO_LIMIT
            lines.append(_line(c, x, (why,), appetite))
            continue
        step = Money.of(1, zero.currency) if not x.is_zero() else appetite.min_amount
        binding = []
        if by_grade.get(c.grade, zero) + step > appetite.grade_cap(c.grade):
            binding.append(Why.GRADE_CAP)  # holds whatever the book-wide limits: named alone
        else:
            if total + step > appetite.budget:
                binding.append(Why.BUDGET)
            if el + step * c.el_rate > appetite.el_budget:
                binding.append(Why.EL_BUDGET)
        lines.append(_line(c, x, tuple(binding), appetite, prices))
    return tuple(lines)


def _line(
    c: Candidate,
    x: Money,
    why: tuple[Why, ...],
    appetite: RiskAppetite,
    prices: ShadowPrices | None = None,
) -> FirmAllocation:
    figures = [f"RAROC {c.raroc:.1%}", f"EP {c.return_rate:.2%}", f"EL {c.el_rate:.2%}"]
    zh_figures, en_figures = list(figures), list(figures)
    if prices is not None:
        zh_figures.append(f"影子成本 {prices.cost(c):.2%}")
        en_figures.append(f"shadow cost {prices.cost(c):.2%}")
    cap = appetite.grade_caps.get(c.grade, Decimal(0))
    zh = "；".join(_ZH[w].format(c=c, a=appetite, cap=cap) for w in why) or _TIE_ZH
    en = "; ".join(_EN[w].format(c=c, a=appetite, cap=cap) for w in why) or _TIE_EN
    return FirmAllocation(
        c.firm_id, x, why, f"{zh}（{'，'.join(zh_figures)}）", f"{en} ({', '.join(en_figures)})"
    )


def not_offered(firm_id: str, status: str, reason_zh: str, reason_en: str) -> FirmAllocation:
    """A firm with no offer (declined or referred by the credit policy): not a candidate."""
    zh = f"信贷政策{_STATUS_ZH.get(status, status)}：{reason_zh}"
    en = f"{status} by the credit policy: {reason_en}"
    return FirmAllocation(firm_id, Money.zero(), (Why.NOT_OFFERED,), zh, en)


_STATUS_ZH = {"declined": "拒绝", "referred": "转人工审批"}
_TIE_ZH = "经济利润相同，优先风险更低的企业"
_TIE_EN = "equal economic profit: safer firms were funded first"
_ZH = {
    Why.FUNDED_TO_CAP: "足额发放至单户上限 {a.max_amount.amount:,.0f} 元",
    Why.FUNDED_TO_LIMIT: "足额发放至核定额度 {c.limit.amount:,.0f} 元",
    Why.BUDGET: "总预算 {a.budget.amount:,.0f} 元已用完",
    Why.EL_BUDGET: "预期损失预算 {a.el_budget.amount:,.0f} 元已用尽",
    Why.GRADE_CAP: "等级 {c.grade} 限额（预算的 {cap:.0%}）已满",
    Why.RAROC_BELOW_HURDLE: "报价下 RAROC 低于门槛 {a.hurdle:.0%}",
    Why.BELOW_MINIMUM: "核定额度 {c.limit.amount:,.0f} 元低于单户下限 {a.min_amount.amount:,.0f} 元",
    Why.NO_RETURN: "扣除预期损失、资金与运营成本及资本成本后经济利润为负",
}
_EN = {
    Why.FUNDED_TO_CAP: "funded in full to the per-borrower cap of {a.max_amount.amount:,.0f} CNY",
    Why.FUNDED_TO_LIMIT: "funded in full to its approved limit of {c.limit.amount:,.0f} CNY",
    Why.BUDGET: "the {a.budget.amount:,.0f} CNY budget is used up",
    Why.EL_BUDGET: "the expected-loss budget of {a.el_budget.amount:,.0f} CNY is used up",
    Why.GRADE_CAP: "the cap for grade {c.grade} ({cap:.0%} of the budget) is reached",
    Why.RAROC_BELOW_HURDLE: "RAROC at the offered rate is below the {a.hurdle:.0%} hurdle",
    Why.BELOW_MINIMUM: (
        "approved limit {c.limit.amount:,.0f} CNY is below the per-borrower minimum of "
        "{a.min_amount.amount:,.0f} CNY"
    ),
    Why.NO_RETURN: (
        "negative economic profit after expected loss, funding, operating cost and the cost of "
        "capital"
    ),
}
