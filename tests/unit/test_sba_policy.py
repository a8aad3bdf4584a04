"""The SBA model's own cut-offs (issue #12): the refit SBA model (NAICS, Express, CreateJob, NoEmp)
is decided by credit-policy-sba-2026.1, whose PD cut-offs were set on that model's PDs over the
training half (its `changes` give each figure); the released 2026.2 it supersedes is unchanged."""

from __future__ import annotations

import pytest
from tests.unit.test_cumcm_policy import _rule
from tests.unit.test_decision_tables import _facts, _inputs

from creditfactory.decisioning import BUNDLED_POLICIES, DEFAULT_POLICY, Outcome, decide, policy_for

SBA = BUNDLED_POLICIES["credit-policy-sba-2026.1"]


def test_the_sba_data_set_picks_its_policy() -> None:
    assert policy_for("sba-case") is SBA and SBA.dataset == "sba-case"
    assert policy_for(None) is DEFAULT_POLICY and DEFAULT_POLICY.version == "credit-policy-2026.2"
    assert SBA.supersedes == "credit-policy-2026.2" and len(SBA.changes) == 3
    # the cut-offs its `changes` give reasons for (K07 0.094 -> 0.06, R02 0.075 -> 0.03)
    assert _rule(SBA, "knockouts", "K07") == 0.06 and _rule(SBA, "referrals", "R02") == 0.03
    assert [c.what.split(" ")[0] for c in SBA.changes] == ["scope:", "K07", "R02"]
    # everything else as in the policy it supersedes
    assert (SBA.limits, SBA.lgd, SBA.verification) == (
        DEFAULT_POLICY.limits,
        DEFAULT_POLICY.lgd,
        DEFAULT_POLICY.verification,
    )


@pytest.mark.parametrize(
    ("pd", "grade", "old", "new"),
    [
        # hand-worked against the tables: 2026.2 refers at 0.075 and declines at 0.094;
        # sba-2026.1 refers at 0.03 and declines at 0.06 (the model's PDs step 0.0268 -> 0.0302)
        (0.0268, "R5", Outcome.APPROVE, Outcome.APPROVE),
        (0.0302, "R5", Outcome.APPROVE, Outcome.REFER),
        (0.0599, "R6", Outcome.APPROVE, Outcome.REFER),
        (0.06, "R6", Outcome.APPROVE, Outcome.DECLINE),
        (0.08, "R7", Outcome.REFER, Outcome.DECLINE),
        (0.10, "R7", Outcome.DECLINE, Outcome.DECLINE),
    ],
)
def test_cut_offs_hand_worked(pd: float, grade: str, old: Outcome, new: Outcome) -> None:
    facts = _facts(pd_12m=pd, grade=grade)
    assert decide(_inputs(facts, "100000"), DEFAULT_POLICY).outcome is old
    decision = decide(_inputs(facts, "100000"), SBA)
    assert decision.outcome is new
    assert decision.record.policy_version == "credit-policy-sba-2026.1"
