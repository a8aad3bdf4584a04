"""CUMCM's own cut-offs (issue #12 item 8, closing5 #12 item 5): the invoice flow's policy is a new
version set on that data set's out-of-fold PDs, chosen by the served model's data set; the SBA
policy it supersedes for that data set is unchanged."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest
from tests.unit.test_decision_tables import _facts, _inputs

from creditfactory.decisioning import (
    BUNDLED_POLICIES,
    DEFAULT_POLICY,
    Outcome,
    PolicyInvalid,
    decide,
    load_policy,
    policy_for,
)
from creditfactory.pricing.appetite import CUMCM_APPETITE
from creditfactory.pricing.policy import DEFAULT_POLICY as PRICING
from creditfactory.scoring.masterscale import DEFAULT_MASTER_SCALE

CUMCM = BUNDLED_POLICIES["credit-policy-cumcm-2026.1"]


def _rule(policy: object, table: str, rule_id: str) -> object:
    return next(r.value for r in getattr(policy, table) if r.rule_id == rule_id)


def test_the_served_data_set_picks_its_policy() -> None:
    assert policy_for("cumcm-2020c") is CUMCM and CUMCM.dataset == "cumcm-2020c"
    assert policy_for("sba-case") is not DEFAULT_POLICY is policy_for(None)  # test_sba_policy
    assert DEFAULT_POLICY.version == "credit-policy-2026.2" and DEFAULT_POLICY.dataset is None
    # the cut-offs the policy's `changes` give reasons for
    assert _rule(CUMCM, "knockouts", "K07") == 0.20 and _rule(CUMCM, "referrals", "R02") == 0.16
    assert CUMCM.supersedes == "credit-policy-2026.2" and len(CUMCM.changes) == 3


def test_a_released_policy_is_never_edited() -> None:
    # 2026.2 byte for byte as released in commit f13da0a (`git show f13da0a:… | sha256sum`)
    text = resources.files("creditfactory.decisioning").joinpath(
        "policies", "credit-policy-2026.2.json"
    )
    digest = hashlib.sha256(text.read_bytes()).hexdigest()
    assert digest == "490aadae1b441a55e0d72627fe4bf591f4cd06bd6d81571d7a4ccb6c9e310c48"


@pytest.mark.parametrize(
    ("pd", "grade", "sba", "cumcm"),
    [
        # hand-worked against the tables: 2026.2 refers at 0.075 and declines at 0.094;
        # cumcm-2026.1 refers at 0.16 and declines at 0.20
        (0.05, "R6", Outcome.APPROVE, Outcome.APPROVE),
        (0.08, "R7", Outcome.REFER, Outcome.APPROVE),
        (0.15, "R7", Outcome.DECLINE, Outcome.APPROVE),
        (0.17, "R8", Outcome.DECLINE, Outcome.REFER),
        (0.21, "R8", Outcome.DECLINE, Outcome.DECLINE),
    ],
)
def test_cut_offs_hand_worked(pd: float, grade: str, sba: Outcome, cumcm: Outcome) -> None:
    facts = _facts(pd_12m=pd, grade=grade)
    assert decide(_inputs(facts, "500000"), DEFAULT_POLICY).outcome is sba
    decision = decide(_inputs(facts, "500000"), CUMCM)
    assert decision.outcome is cumcm
    assert decision.record.policy_version == "credit-policy-cumcm-2026.1"


def test_the_appetite_funds_nothing_the_policy_refers_or_declines() -> None:
    # R8 starts at PD 0.16 on the master scale, the referral cut-off: the caps stop at R7, and the
    # hurdle is the pricing policy's cost of equity
    assert DEFAULT_MASTER_SCALE.grade_for(0.16).code == "R8"
    assert DEFAULT_MASTER_SCALE.grade_for(0.1599).code == "R7"
    assert set(CUMCM_APPETITE.grade_caps) == {"R5", "R6", "R7"}
    assert CUMCM_APPETITE.hurdle == PRICING.hurdle_rate


@pytest.mark.parametrize("bad", [5, "", ["cumcm-2020c"]])
def test_a_policy_s_data_set_is_a_name(bad: object) -> None:
    text = resources.files("creditfactory.decisioning").joinpath(
        "policies", "credit-policy-cumcm-2026.1.json"
    )
    doc = json.loads(text.read_text(encoding="utf-8"))
    with pytest.raises(PolicyInvalid, match="dataset"):
        load_policy(json.dumps({**doc, "dataset": bad}))
