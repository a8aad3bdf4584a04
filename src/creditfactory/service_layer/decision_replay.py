"""Decision replay: re-run a stored automatic decision from its inputs and compare.

Reads the decision row, its replay inputs (`decision_inputs`: the snapshot whose digest is the
record's `inputs_digest`, the facts and the limit request), the model spec by the record's
`spec_digest` (`model_specs`) and the policy by `policy_version` (a bundled one or a stored
document) whose sha256 must equal the record's `policy_digest`. The snapshot's features are
re-scored with the stored spec; score, PD and grade replace the stored facts' values (a
life-of-loan PD decided under a policy before credit-policy-2026.2 is converted to 12 months over
the requested term, as it was then — finding V4 moved the conversion to the reference loan life
together with 2026.2's cut-offs); `decide`
runs again on the LPR fixings stored with the inputs; the replayed record is compared key by key
with the stored one.

Errors (bad input, CLI exit 2): ValidationError naming `decision_id`, `spec_digest`,
`policy_version` or `inputs`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from creditfactory.decisioning import (
    BUNDLED_POLICIES,
    DecisionFacts,
    DecisionInputs,
    DecisionPolicy,
    LimitRequest,
    decide,
    digest,
    load_policy,
)
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.pricing.lpr import LPRFixing, LPRSeries
from creditfactory.scoring import ScorecardSpec, ScoreResult, load_spec, score
from creditfactory.scoring.spec import constant_hazard_12m

__all__ = ["Replay", "replay_decision"]


@dataclass(frozen=True)
class Replay:
    """Stored and replayed records and the keys where they differ: (key, stored, replayed)."""

    decision_id: str
    stored: dict[str, Any]
    replayed: dict[str, Any]
    differences: list[tuple[str, Any, Any]]

    @property
    def identical(self) -> bool:
        """True when every key matches."""
        return not self.differences


def _policy(uow: Any, version: str, wanted_digest: str) -> DecisionPolicy:
    policy: DecisionPolicy | None = BUNDLED_POLICIES.get(version)
    if policy is None:
        row = uow.models.policy(version)
        if row is None:
            raise ValidationError("policy_version", f"{version} is not stored")
        policy = load_policy(row["document"])
    if policy.digest != wanted_digest:
        raise ValidationError("policy_version", f"{version} has digest {policy.digest[:12]}, "
                              f"the record {wanted_digest[:12]}")  # fmt: skip
    return policy


def _money(text: str | None) -> Money | None:
    return None if text is None else Money.of(text)


OVER_REQUESTED_TERM: Final = frozenset({"credit-policy-2024.1", "credit-policy-2026.1"})
"""Policies whose decisions converted a life-of-loan PD over the requested term (before V4)."""


def _pd_12m(spec: ScorecardSpec, scored: ScoreResult, policy: str, term: int) -> tuple[float, str]:
    """The 12-month PD and grade the decision used (see the module docstring)."""
    if policy in OVER_REQUESTED_TERM and spec.pd_horizon.basis == "life_of_loan" and term > 0:
        pd_12m = constant_hazard_12m(scored.pd_horizon, float(term))
        return pd_12m, spec.master_scale.grade_for(pd_12m).code
    return scored.pd_12m, scored.grade


def _inputs(record: dict[str, Any], snapshot: dict[str, Any], replay: dict[str, Any],
            spec: ScorecardSpec) -> DecisionInputs:  # fmt: skip
    scored = score(spec, snapshot["features"])
    pd_12m, grade = _pd_12m(spec, scored, record["policy_version"], replay["term_months"])
    facts = dict(replay["facts"])
    facts.update(score=scored.score, pd_12m=pd_12m, grade=grade,
                 data_gaps=tuple(facts["data_gaps"]),
                 contradictions=tuple(tuple(c) for c in facts.get("contradictions", ())))  # fmt: skip
    lim = replay["limit"]
    return DecisionInputs(
        decision_id=record["decision_id"],
        application_id=record["application_id"],
        facts=DecisionFacts(**facts),
        limit=LimitRequest(
            pd_12m=pd_12m,
            requested=Money.of(lim["requested"]),
            working_capital_need=_money(lim["working_capital_need"]),
            existing_credit=Money.of(lim["existing_credit"]),
            existing_exposure=Money.of(lim["existing_exposure"]),
            revenue_cap=_money(lim.get("revenue_cap")),  # absent: recorded before findings H3
        ),
        term_months=replay["term_months"],
        as_of=date.fromisoformat(replay["as_of"]),
        decided_at=datetime.fromisoformat(replay["decided_at"]),
        spec_digest=record["spec_digest"],
        snapshot=snapshot,
        score_reasons=scored.reasons,
        verification=snapshot.get("verification", {}),
        lpr_series=_series(replay.get("lpr_series")),
        model_approval=record.get("model_approval"),  # the sign-off it was served under
    )


def _series(stored: dict[str, Any] | None) -> LPRSeries | None:
    """The LPR fixings the decision read (None for inputs stored before they were kept: the
    shipped series)."""
    if stored is None:
        return None
    return LPRSeries(stored["version"], tuple(LPRFixing.from_dict(f) for f in stored["fixings"]))


def replay_decision(uow: Any, decision_id: str) -> Replay:
    """Replay one decision inside `uow` (read only). See the module docstring."""
    row = uow.applications.decision_row(decision_id)
    if row is None:
        raise ValidationError("decision_id", f"no decision {decision_id!r}")
    record = json.loads(row["record"])
    if record.get("overrides"):
        raise ValidationError("decision_id", f"an officer decision; replay the automatic "
                              f"decision {record['overrides']} it overrides")  # fmt: skip
    stored_inputs = uow.decision_inputs.get(decision_id)
    if stored_inputs is None:
        raise ValidationError("inputs", f"no replay inputs stored for {decision_id}")
    snapshot, replay = stored_inputs
    if digest(snapshot) != record["inputs_digest"]:
        raise ValidationError("inputs", "the stored snapshot does not match inputs_digest")
    spec_row = uow.models.spec(record["spec_digest"])
    if spec_row is None:
        raise ValidationError("spec_digest", f"{record['spec_digest'][:12]} is not stored")
    policy = _policy(uow, record["policy_version"], record["policy_digest"])
    inputs = _inputs(record, snapshot, replay, load_spec(spec_row["spec"]))
    replayed = json.loads(json.dumps(decide(inputs, policy).record.to_dict()))
    keys = sorted(set(record) | set(replayed))
    differences = [(k, record.get(k), replayed.get(k)) for k in keys
                   if record.get(k) != replayed.get(k)]  # fmt: skip
    return Replay(decision_id, record, replayed, differences)
