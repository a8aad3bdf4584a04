"""Rule R11 and the 2026.2 policy's record of its changes (hand-checked against the JSON).

With no revenue figure at all — none declared, no invoices — no revenue cap sizes the limit and
the working-capital need of DOMAIN.md §3.6 cannot be computed (it starts from 上年度销售收入), so a
limit above the policy's `no_revenue_ceiling` (300,000) is referred to an officer; at or below it
the score decides alone. A known revenue figure, however small the cap it gives, never fires it.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tests.unit.test_decision_tables import _bundled_text, _facts, _inputs

from creditfactory.decisioning import DEFAULT_POLICY, LimitRequest, Outcome, PolicyInvalid, decide
from creditfactory.decisioning.policy import BUNDLED_POLICIES, load_policy
from creditfactory.kernel.money import Money


def _asking(amount: str, revenue_cap: Money | None) -> Outcome:
    inputs = _inputs(_facts())
    limit = LimitRequest(0.03, Money.of(amount), revenue_cap=revenue_cap)
    decision = decide(replace(inputs, limit=limit), DEFAULT_POLICY)
    codes = [r.code for r in decision.record.reasons]
    assert ("R11" in codes) is (decision.outcome is Outcome.REFER), codes
    return decision.outcome


@pytest.mark.parametrize(
    ("amount", "revenue_cap", "outcome"),
    [
        ("300000", None, Outcome.APPROVE),  # at the ceiling: the score decides
        ("301000", None, Outcome.REFER),  # above it, no revenue figure: an officer
        ("800000", Money.of(2_000_000), Outcome.APPROVE),  # a revenue figure sized it
        ("800000", Money.of(400_000), Outcome.APPROVE),  # sized down to 400,000 by revenue
    ],
)
def test_no_revenue_figure_refers_a_limit_above_the_ceiling(
    amount: str, revenue_cap: Money | None, outcome: Outcome
) -> None:
    assert _asking(amount, revenue_cap) is outcome


def test_the_ceiling_is_the_sized_limit_not_the_request() -> None:
    # Asked 2,000,000 at PD 0.07: the score cap (band below 0.10) sizes it to 1,000,000 > 300,000.
    inputs = replace(_inputs(_facts(pd_12m=0.07)),
                     limit=LimitRequest(0.07, Money.of(2_000_000)))  # fmt: skip
    decision = decide(inputs, DEFAULT_POLICY)
    assert decision.record.limit == Money.of(1_000_000)
    assert [r.code for r in decision.record.reasons] == ["R11"]  # PD 0.07: below R02 (0.075)


def test_r11_words_name_the_policy_ceiling() -> None:
    rule = next(r for r in DEFAULT_POLICY.referrals if r.rule_id == "R11")
    assert DEFAULT_POLICY.limits.no_revenue_ceiling == Money.of(300_000)
    assert "300,000" in rule.reason_en and "30万元" in rule.reason_zh
    assert "revenue" in rule.reason_en and "_" not in rule.reason_en  # words, not a fact name


def test_older_policies_have_no_ceiling_and_never_fire_r11() -> None:
    old = BUNDLED_POLICIES["credit-policy-2026.1"]
    assert old.limits.no_revenue_ceiling is None
    inputs = replace(_inputs(_facts()), limit=LimitRequest(0.03, Money.of(800_000)))
    assert decide(inputs, old).outcome is Outcome.APPROVE


def test_each_change_carries_what_reason_and_source() -> None:
    policy = DEFAULT_POLICY
    assert (policy.version, policy.supersedes) == ("credit-policy-2026.2", "credit-policy-2026.1")
    assert [c.what.split()[0] for c in policy.changes] == ["K07", "R02", "R11"]
    thresholds = {r.rule_id: r.value for r in (*policy.knockouts, *policy.referrals)}
    # the cut-offs the changes state are the ones the tables apply: 1 − 0.5^(12/84) and 1.5 × 5 %
    assert thresholds["K07"] == pytest.approx(1 - 0.5 ** (12 / 84), abs=5e-4) == 0.094
    assert thresholds["R02"] == pytest.approx(1.5 * 0.05) == 0.075
    assert all(c.reason and c.source for c in policy.changes)
    bad = json.loads(_bundled_text())
    bad["changes"] = [{"what": "K07 0.30 -> 0.2", "reason": "", "source": "a table"}]
    with pytest.raises(PolicyInvalid, match=r"changes\[0\]\.reason: required"):
        load_policy(json.dumps(bad))
