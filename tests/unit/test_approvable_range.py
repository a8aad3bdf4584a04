"""`approvable_range`: the amounts `decide` approves below a ceiling (what 测额 quotes). Figures
are worked by hand from the released policy (credit-policy-2026.2: minimum 10,000, step 1,000,
score caps by PD band, K07 PD ≥ 0.094, R02 PD ≥ 0.075) and the estimate's range floor 0.7."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from creditfactory.decisioning import (
    DEFAULT_POLICY,
    DecisionFacts,
    DecisionInputs,
    LimitRequest,
    Outcome,
    approvable_range,
    decide,
)
from creditfactory.kernel.money import Money

FLOOR = Decimal("0.7")


def _inputs(pd_12m: float, term: int = 12) -> DecisionInputs:
    facts = DecisionFacts(score=600.0, pd_12m=pd_12m, grade="R4", applicant_type="enterprise")
    return DecisionInputs(
        decision_id="estimate:r1",
        application_id="r1",
        facts=facts,
        # the estimate always has a revenue figure (declared), so R11 never fires on it
        limit=LimitRequest(pd_12m, Money.zero(), revenue_cap=Money.of(5_000_000)),
        term_months=term,
        as_of=date(2025, 6, 2),
        decided_at=datetime(2025, 6, 2, 8, tzinfo=UTC),
        spec_digest="0" * 64,
        snapshot={},
    )


def test_range_is_the_ceiling_floored_and_seventy_percent_of_it() -> None:
    found = approvable_range(_inputs(0.03), DEFAULT_POLICY, Money.of("123456.78"), FLOOR)
    # 123,456.78 → 123,000 (step 1,000); × 0.7 = 86,100 → 86,000.
    assert (found.low, found.high) == (Money.of(86_000), Money.of(123_000))
    assert found.binding == "requested" and found.has_range
    # The rates are the decision's own at each end.
    asked = replace(_inputs(0.03), limit=LimitRequest(0.03, Money.of(100_000)))
    rate = decide(asked, DEFAULT_POLICY).record.annual_rate
    assert found.rates == (rate, rate)


def test_low_never_below_the_minimum_loan() -> None:
    found = approvable_range(_inputs(0.03), DEFAULT_POLICY, Money.of(12_500), FLOOR)
    # high 12,000; 12,000 × 0.7 = 8,400 → 8,000 would be declined (K09): lifted to 10,000.
    assert (found.low, found.high) == (Money.of(10_000), Money.of(12_000))


def test_the_score_cap_binds_below_the_ceiling() -> None:
    # PD 0.06 is in the band below 0.10: cap 1,000,000.
    found = approvable_range(_inputs(0.06), DEFAULT_POLICY, Money.of(2_000_000), FLOOR)
    assert (found.binding, found.high, found.low) == (
        "score",
        Money.of(1_000_000),
        Money.of(700_000),
    )


@pytest.mark.parametrize(
    ("pd_12m", "ceiling", "outcome", "code"),
    [
        (0.03, "9999", Outcome.DECLINE, "K09"),  # below the minimum loan
        (0.08, "100000", Outcome.REFER, "R02"),  # borderline PD: an officer decides
        (0.094, "100000", Outcome.DECLINE, "K07"),  # PD at the policy's cut-off
        (0.25, "100000", Outcome.DECLINE, "K08"),  # EL alone 0.25 × 0.45 = 11.25 % + costs > 15 %
    ],
)
def test_no_range_when_the_decision_would_not_approve(
    pd_12m: float, ceiling: str, outcome: Outcome, code: str
) -> None:
    found = approvable_range(_inputs(pd_12m), DEFAULT_POLICY, Money.of(ceiling), FLOOR)
    assert not found.has_range and found.rates is None
    assert found.low.is_zero() and found.high.is_zero()
    assert found.at_high.outcome is outcome
    assert code in [r.code for r in found.at_high.record.reasons]
