"""The budget allocation under a risk appetite: a hand-worked example, the constraints as
properties against a brute-force solve, and the issue #12 defect (the riskiest firms first)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.adapters.batch.allocation_solver import frontier, shadow_prices, solve
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.allocation import (
    Candidate,
    Why,
    candidate,
    explain,
    not_offered,
    upper_bound,
    violations,
)
from creditfactory.pricing.appetite import CUMCM_APPETITE_2020_01, RiskAppetite
from creditfactory.pricing.economics import assess
from creditfactory.pricing.quote import PricingRequest
from creditfactory.pricing.raroc import minimum_rate

ONE = Money.of(1)


def _c(firm: str, grade: str, m: str, el: str, limit: int = 3, raroc: str = "0.2") -> Candidate:
    return Candidate(
        firm, grade, D(el), D(1), Rate.of("0.1"), Money.of(limit), D(m), D(el), D(raroc)
    )


def _appetite(budget: int, el_budget: str, caps: dict[str, str], lo: int = 1, hi: int = 3):
    return RiskAppetite(
        "test", date(2020, 1, 1), Money.of(budget), Money.of(el_budget), Money.of(lo),
        Money.of(hi), D("0.12"), {g: D(s) for g, s in caps.items()},
    )  # fmt: skip


# Worked by hand. Budget 4, EL budget 0.1, per firm 0 or 1–3, G2 capped at 25 % (= 1).
#   C (G2, m 5 %) is the best per unit but capped: x_C = 1 (return 0.05, EL 0.04).
#   A and B (G1) both return 2 %; the remaining budget 3 goes to B, whose EL (0.5 %) is lower:
#   x_B = 3 (return 0.06, EL 0.015). A: budget used up. Total return 0.11, EL 0.055.
#   D returns 9 % but its RAROC 10 % misses the 12 % hurdle; E's limit 0.5 is below the minimum 1.
HAND = [
    _c("A", "G1", "0.02", "0.01"),
    _c("B", "G1", "0.02", "0.005"),
    _c("C", "G2", "0.05", "0.04"),
    _c("D", "G1", "0.09", "0.01", raroc="0.10"),
    Candidate(
        "E", "G1", D("0.01"), D(1), Rate.of("0.1"), Money.of("0.5"), D("0.05"), D("0.01"), D("0.3")
    ),  # fmt: skip
]
HAND_APPETITE = _appetite(4, "0.1", {"G1": "1", "G2": "0.25"})


def test_hand_worked_example() -> None:
    amounts = solve(HAND, HAND_APPETITE, unit=ONE)
    assert {k: v.amount for k, v in amounts.items()} == {"A": 0, "B": 3, "C": 1, "D": 0, "E": 0}
    lines = {line.firm_id: line for line in explain(HAND, amounts, HAND_APPETITE)}
    assert lines["A"].why == (Why.BUDGET,)
    assert lines["B"].why == (Why.FUNDED_TO_CAP,)
    assert lines["C"].why == (Why.GRADE_CAP,)
    assert lines["D"].why == (Why.RAROC_BELOW_HURDLE,)
    assert lines["E"].why == (Why.BELOW_MINIMUM,)
    assert "等级 G2 限额（预算的 25%）已满" in lines["C"].zh
    assert "the cap for grade G2 (25% of the budget) is reached" in lines["C"].en
    assert "RAROC 10.0%" in lines["D"].en and "12%" in lines["D"].zh


def test_hand_worked_shadow_prices() -> None:
    # By hand: A (m 2 %) waits at 0 and B (m 2 %) sits at its cap, so one more unit of budget is
    # worth exactly 2 %; C earns 5 % against its grade's cap: λ_G2 = 5 % − 2 % = 3 %. The EL budget
    # (0.055 of 0.1 used) and G1 have slack: 0.
    prices = shadow_prices(HAND, HAND_APPETITE, unit=ONE)
    assert prices.budget == D("0.02") and prices.el_budget == 0
    assert prices.grades == {"G1": 0, "G2": D("0.03")}
    assert prices.cost(HAND[2]) == D("0.05")  # C's return just pays its shadow cost
    line = explain(HAND, solve(HAND, HAND_APPETITE, unit=ONE), HAND_APPETITE, prices)[0]
    assert line.en.endswith("shadow cost 2.00%)") and "影子成本 2.00%" in line.zh


def test_equal_returns_fund_the_safer_firm_first() -> None:
    # Same return per unit; one unit of budget: the firm with the lower EL gets it.
    firms = [_c("risky", "G", "0.03", "0.02"), _c("safe", "G", "0.03", "0.001")]
    amounts = solve(firms, _appetite(1, "1", {"G": "1"}, 1, 1), unit=ONE)
    assert amounts["safe"] == ONE and amounts["risky"].is_zero()


def test_el_budget_binds_and_is_named() -> None:
    # EL budget 0.03 holds one unit of the risky firm's 0.04 EL at most: 0; the safe one takes 3.
    firms = [_c("risky", "G", "0.05", "0.04"), _c("safe", "G", "0.01", "0.01")]
    appetite = _appetite(10, "0.03", {"G": "1"})
    amounts = solve(firms, appetite, unit=ONE)
    assert amounts == {"risky": Money.zero(), "safe": Money.of(3)}
    lines = {line.firm_id: line for line in explain(firms, amounts, appetite)}
    assert lines["risky"].why == (Why.EL_BUDGET,)
    assert "expected-loss budget" in lines["risky"].en and "预期损失预算" in lines["risky"].zh


def test_not_offered_names_the_policy_reason() -> None:
    line = not_offered("E9", "declined", "评分对应违约概率高于政策", "PD above policy")
    assert line.amount.is_zero() and line.why == (Why.NOT_OFFERED,)
    assert line.en == "declined by the credit policy: PD above policy"
    assert line.zh.startswith("信贷政策拒绝")


def test_appetite_validates_its_fields() -> None:
    with pytest.raises(ValidationError, match="min_amount"):
        _appetite(4, "0.1", {}, lo=5, hi=3)
    with pytest.raises(ValidationError, match="grade_caps"):
        _appetite(4, "0.1", {"G": "1.5"})


def _brute_force(firms: list[Candidate], appetite: RiskAppetite) -> tuple[D, D]:
    """Best return over every amount vector (0 or min..bound in whole units) within the budget,
    the EL budget (exact) and the caps of G1 and G2, then the most lent, then the least EL among
    those optima — the definition, enumerated. Returns (return, EL)."""
    choices = [
        [0, *range(int(appetite.min_amount.amount), int(upper_bound(c, appetite).amount) + 1)]
        for c in firms
    ]
    best: tuple[D, D, D] | None = None  # (return, lent, −EL), compared in that order
    for xs in itertools.product(*choices):
        ret = sum((x * c.return_rate for c, x in zip(firms, xs, strict=True)), D(0))
        el = sum((x * c.el_rate for c, x in zip(firms, xs, strict=True)), D(0))
        lent = {g: sum(x for c, x in zip(firms, xs, strict=True) if c.grade == g) for g in GRADES}
        if (
            sum(xs) > appetite.budget.amount
            or el > appetite.el_budget.amount
            or any(n > appetite.grade_cap(g).amount for g, n in lent.items())
        ):
            continue
        if best is None or (ret, D(sum(xs)), -el) > best:
            best = (ret, D(sum(xs)), -el)
    assert best is not None  # all zeros is always feasible
    return best[0], -best[2]


GRADES = ("G1", "G2")
_firm = st.tuples(
    st.sampled_from(GRADES),
    st.integers(-5, 60).map(lambda k: D(k) / 1000),  # return per unit −0.5 %…6 % (0 often)
    st.integers(0, 50).map(lambda k: D(k) / 1000),  # EL per unit 0…5 %
    st.integers(0, 3),  # limit in units
    st.sampled_from([D("0.08"), D("0.15")]),  # RAROC either side of the 12 % hurdle
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_firm, min_size=1, max_size=5),
    st.integers(1, 9),
    st.integers(0, 30).map(lambda k: D(k) / 100 + D("0.0005")),  # off the EL grid: no exact ties
    st.sampled_from(["0.25", "0.5", "1"]),
)
def test_optimal_and_within_every_limit(firms, budget, el_budget, cap) -> None:
    candidates = [
        _c(f"F{i}", g, str(m), str(el), limit, str(r))
        for i, (g, m, el, limit, r) in enumerate(firms)
    ]
    appetite = _appetite(budget, str(el_budget), {"G1": "1", "G2": cap}, 1, 2)
    amounts = solve(candidates, appetite, unit=ONE)
    assert violations(candidates, amounts, appetite) == []
    lent = sum((x.amount for x in amounts.values()), D(0))
    el = sum((amounts[c.firm_id].amount * c.el_rate for c in candidates), D(0))
    g2 = sum((amounts[c.firm_id].amount for c in candidates if c.grade == "G2"), D(0))
    assert lent <= budget and el <= el_budget and g2 <= budget * D(cap)
    for c in candidates:
        x = amounts[c.firm_id].amount
        assert x == 0 or (1 <= x <= min(2, c.limit.amount) and c.raroc >= D("0.12"))
    ret = sum((amounts[c.firm_id].amount * c.return_rate for c in candidates), D(0))
    best_ret, least_el = _brute_force(candidates, appetite)
    assert ret == best_ret and el == least_el


def _priced(firm: str, grade: str, pd: str) -> Candidate:
    """A 100万 one-year offer priced by the engine at its minimum RAROC rate (rounded up to 1 bp),
    as the credit factory prices — the rate rises with PD."""
    limit, as_of = Money.of(1_000_000), date(2020, 1, 1)
    econ = assess(PricingRequest(D(pd), D("0.45"), limit, 12, as_of))
    rate = Rate(minimum_rate(econ).value.quantize(D("0.0001"), rounding="ROUND_CEILING"))
    return candidate(firm, grade, D(pd), D("0.45"), rate, limit, as_of)


def test_the_1_yi_allocation_funds_safe_grades_and_caps_risky_ones() -> None:
    # Issue #12: ranking by rate − PD × LGD funded R5–R7 and left R2–R4 unfunded. Under the
    # appetite, risky grades stop at their caps and the EL budget; the rest goes to safer firms.
    pds = {"R2": "0.005", "R3": "0.008", "R4": "0.015", "R5": "0.03", "R6": "0.06", "R7": "0.1"}
    firms = [_priced(f"{g}-{i}", g, pd) for g, pd in pds.items() for i in range(40)]
    amounts = solve(firms, CUMCM_APPETITE_2020_01)  # the appetite with caps for R2–R4
    assert violations(firms, amounts, CUMCM_APPETITE_2020_01) == []
    by_grade = {g: sum(amounts[c.firm_id].amount for c in firms if c.grade == g) for g in pds}
    assert sum(by_grade.values()) == 100_000_000
    assert by_grade["R7"] <= 5_000_000 and by_grade["R6"] <= 15_000_000
    assert by_grade["R2"] + by_grade["R3"] + by_grade["R4"] >= 40_000_000
    el = sum(amounts[c.firm_id].amount * c.el_rate for c in firms)
    assert el <= 1_200_000


def test_frontier_rises_with_the_el_budget_and_ends_unconstrained() -> None:
    points = frontier(HAND, HAND_APPETITE, points=5, unit=ONE)
    assert [p.el_budget.amount for p in points][0] == 0
    assert points[0].expected_return.is_zero()
    returns = [p.expected_return.amount for p in points]
    assert returns == sorted(returns)
    assert returns[-1] == D("0.11")  # the hand-worked optimum: EL 0.055 < 0.1 did not bind
    assert all(p.expected_loss <= p.el_budget for p in points)


def test_el_budget_is_checked_at_fen() -> None:
    # Unit 1 CNY, budget 3 分. 3 × 0.0100016 = 0.0300048 CNY and 3 × 0.0116 = 0.0348 CNY round
    # half-up to 3 分: met; 3 × 0.012 = 0.036 CNY rounds to 4 分: broken.
    appetite = _appetite(10, "0.03", {"G": "1"})
    for el, broken in (("0.0100016", False), ("0.0116", False), ("0.012", True)):
        firm = _c("F", "G", "0.02", el)
        assert bool(violations([firm], {"F": Money.of(3)}, appetite)) is broken


def test_offers_priced_at_their_risk_fund_the_safer_firm_first() -> None:
    # Issue #12: the objective rate − FTP − opex − PD × LGD rises with PD under risk-based pricing
    # (the rate carries the capital charge): at PD 5 % it is 1.01 %, at 9 % 1.11 % a year, so
    # one 100万 slot went to the riskier firm. Each earns its hurdle exactly (economic profit 0):
    # the slot goes to the one with the lower expected loss.
    firms = [_priced("risky", "R7", "0.09"), _priced("safe", "R6", "0.04")]
    assert [c.return_rate for c in firms] == [0, 0]
    appetite = _appetite(1_000_000, "1000000", {"R6": "1", "R7": "1"}, 100_000, 1_000_000)
    amounts = solve(firms, appetite)
    assert amounts["safe"] == Money.of(1_000_000) and amounts["risky"].is_zero()
    line = {x.firm_id: x for x in explain(firms, amounts, appetite)}["risky"]
    assert line.why == (Why.BUDGET,) and "EP 0.00%" in line.en


def test_volume_before_el_at_equal_profit() -> None:
    # Both earn e = 0; budget 3, EL budget ample: lending 3 beats lending 1 to the safer firm alone
    firms = [_c("risky", "G", "0", "0.02", limit=2), _c("safe", "G", "0", "0.001", limit=1)]
    amounts = solve(firms, _appetite(3, "1", {"G": "1"}, 1, 2), unit=ONE)
    assert amounts == {"risky": Money.of(2), "safe": Money.of(1)}


def test_economic_profit_is_raroc_above_the_hurdle_on_capital() -> None:
    # e = π(1 − t) − h·c and RAROC = π(1 − t) / c, so e = (RAROC − h)·c, truncated to 1 bp
    limit, as_of = Money.of(1_000_000), date(2020, 1, 1)
    econ = assess(PricingRequest(D("0.05"), D("0.45"), limit, 12, as_of))
    offer = candidate("F", "R6", D("0.05"), D("0.45"), Rate.of("0.12"), limit, as_of)
    exact = (offer.raroc - econ.policy.hurdle_rate) * econ.capital_rate
    assert offer.return_rate == exact.quantize(D("0.0001"), rounding="ROUND_FLOOR")
    assert offer.return_rate > 0  # 12 % is above the minimum RAROC rate at PD 5 % (7.41 %)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(5, 300).map(lambda k: D(k) / 1000),
    st.integers(5, 300).map(lambda k: D(k) / 1000),
    st.integers(400, 1500).map(lambda k: D(k) / 10000),
)
def test_the_objective_never_rises_with_risk(pd_a: D, pd_b: D, rate: D) -> None:
    # at a common rate the riskier firm earns no more; priced at its own minimum each earns 0
    low, high = sorted((pd_a, pd_b))
    limit, as_of = Money.of(1_000_000), date(2020, 1, 1)
    at_rate = [candidate(f, "R", p, D("0.45"), Rate(rate), limit, as_of)
               for f, p in (("low", low), ("high", high))]  # fmt: skip
    assert at_rate[0].return_rate >= at_rate[1].return_rate
    assert _priced("low", "R", str(low)).return_rate == 0
    assert _priced("high", "R", str(high)).return_rate == 0
