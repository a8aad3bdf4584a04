"""Decide one application: tables → limit → price → outcome, and the replayable record.

Order (`decide`): size the limit (`limits.size_limit`); price the sized limit with
`pricing.offer_rate` unless it is below the minimum; evaluate the knock-out table, then the
referral table, on the facts plus the derived ones (limit below minimum, price refused, RAROC
below hurdle, LPR stale, no revenue figure behind a limit above the policy's ceiling). Any knock-out → DECLINE; else any referral → REFER; else APPROVE with an offer of
the sized limit at the priced rate. Reasons carry the rule id and both languages in words a
borrower reads (the rule's text; data gaps by `gap_words`; the score's reason codes by
`scoring.reason_text`, appended for declines and referrals); the technical detail — rule, fact
and value, raw gap text, characteristic, value, bin and points lost — is `Reason.detail`.

The `DecisionRecord` holds what a replay needs (DESIGN.md §5): the digest of the inputs snapshot,
the model spec digest, the policy version and digest, the price components and versions, and the
LPR fixing priced on (`lpr`: fixing date, tenor, rate, confidence tag, source, series version,
the date the series is current until, stale or not).
Pure: no I/O; ids and times are inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from creditfactory.decisioning.facts import DecisionFacts
from creditfactory.decisioning.gap_words import gap_words
from creditfactory.decisioning.limits import LimitRequest, LimitSizing, size_limit
from creditfactory.decisioning.policy import DecisionPolicy
from creditfactory.decisioning.rules import RuleHit, evaluate_table
from creditfactory.kernel.money import ROUNDING, Money
from creditfactory.pricing import Offer, PricingRequest, offer_rate
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.pricing.offer import OfferFlag
from creditfactory.scoring import ReasonCode

COMPONENT_BP = Decimal("0.01")
"""Price components are recorded to 0.01 bp (the rate itself is kept exact in `annual_rate`)."""

__all__ = [
    "Decision",
    "DecisionInputs",
    "DecisionRecord",
    "Outcome",
    "Reason",
    "decide",
    "digest",
    "officer_reason",
    "rule_reasons",
    "score_reasons",
]


class Outcome(str, Enum):
    """What the policy concluded."""

    APPROVE = "approve"
    DECLINE = "decline"
    REFER = "refer"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: `code` is a rule id ("K03") or "SCORE" for a score reason code.

    text_zh / text_en: borrower text, in words (no column names, fact names or bin intervals).
    detail: the technical detail for audit (JSON-able values).
    """

    code: str
    kind: str  # "knockout" | "referral" | "score"
    text_zh: str
    text_en: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"code": self.code, "kind": self.kind, "zh": self.text_zh, "en": self.text_en,
                "detail": dict(self.detail)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DecisionInputs:
    """Everything `decide` reads.

    snapshot: the raw inputs (application, features, pulled data) as JSON-able values; only its
    digest goes into the record. score_reasons: the scorecard's reason codes. lpr_series: the
    published LPR series to price on (None: the shipped one). verification: which facts were
    verified (with source, record id, retrieval time) and which only declared
    (origination.verification), copied into the record. model_approval: the maker-checker
    approval the spec is served under (None: its checks passed), copied into the record.
    """

    decision_id: str
    application_id: str
    facts: DecisionFacts
    limit: LimitRequest
    term_months: int
    as_of: date
    decided_at: datetime
    spec_digest: str
    snapshot: Mapping[str, Any]
    score_reasons: tuple[ReasonCode, ...] = ()
    verification: Mapping[str, Any] = field(default_factory=dict)
    lpr_series: LPRSeries | None = None
    model_approval: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """The replayable record of one decision (stored and audited as `to_dict()`)."""

    decision_id: str
    application_id: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    inputs_digest: str
    spec_digest: str
    policy_version: str
    policy_digest: str
    score: float
    pd_12m: float
    grade: str
    limit: Money
    limit_binding: str
    annual_rate: str | None
    spread_bp: int | None
    price_components: Mapping[str, str] = field(default_factory=dict)
    expected_loss: str | None = None
    raroc: str | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    decided_at: datetime | None = None
    verification: Mapping[str, Any] = field(default_factory=dict)
    lpr: Mapping[str, Any] = field(default_factory=dict)
    model_approval: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; amounts and rates as decimal text, times ISO 8601."""
        return {
            "decision_id": self.decision_id,
            "application_id": self.application_id,
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "inputs_digest": self.inputs_digest,
            "spec_digest": self.spec_digest,
            "policy_version": self.policy_version,
            "policy_digest": self.policy_digest,
            "score": round(self.score, 4),
            "pd_12m": round(self.pd_12m, 6),
            "grade": self.grade,
            "limit": str(self.limit.amount),
            "limit_binding": self.limit_binding,
            "annual_rate": self.annual_rate,
            "spread_bp": self.spread_bp,
            "price_components": dict(self.price_components),
            "expected_loss": self.expected_loss,
            "raroc": self.raroc,
            "versions": dict(self.versions),
            "decided_at": None if self.decided_at is None else self.decided_at.isoformat(),
            "verification": dict(self.verification),
            "lpr": dict(self.lpr),
            "model_approval": self.model_approval,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome with its record, the sizing and (when priced) the pricing offer."""

    outcome: Outcome
    record: DecisionRecord
    sizing: LimitSizing
    offer: Offer | None


def digest(value: Any) -> str:
    """sha256 hex of canonical JSON (sorted keys, compact, UTF-8; non-JSON values as text)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _price(inputs: DecisionInputs, policy: DecisionPolicy, sizing: LimitSizing) -> Offer | None:
    if sizing.below_minimum:
        return None
    request = PricingRequest(
        pd_12m=Decimal(repr(inputs.facts.pd_12m)),
        lgd=policy.lgd,
        ead=sizing.limit,
        term_months=inputs.term_months,
        as_of=inputs.as_of,
        product=policy.pricing_product,
    )
    return offer_rate(request, series=inputs.lpr_series)


def _listed(hit: RuleHit) -> list[tuple[str, str]]:
    """What a rule on a list fact names, as (zh, en): each data gap in words, or each
    contradicted declaration (origination.verification words them)."""
    if hit.rule.fact == "data_gaps":
        return [gap_words(gap) for gap in hit.value]
    if hit.rule.fact == "contradictions":
        return [(zh, en) for zh, en in hit.value]
    return []


def rule_reasons(hits: list[RuleHit], kind: str) -> list[Reason]:
    """The reasons of table hits: the rule's words; a data-gap rule lists each gap in words, a
    contradiction rule each contradicted declaration."""
    out = []
    for hit in hits:
        zh, en = hit.rule.reason_zh, hit.rule.reason_en
        value = list(hit.value) if isinstance(hit.value, tuple | list) else hit.value
        words = _listed(hit)
        if words:
            zh = f"{zh}（{'；'.join(w[0] for w in words)}）"
            en = f"{en} ({'; '.join(w[1] for w in words)})"
        detail = {"rule": hit.rule.rule_id, "fact": hit.rule.fact, "value": value}
        out.append(Reason(hit.rule.rule_id, kind, zh, en, detail))
    return out


def officer_reason(action: str, maker: str, checker: str) -> Reason:
    """The reason an officers' decision adds (maker-checker): in words; who in the detail.
    action: "approve" or "decline"."""
    zh, en = (("经两名信贷人员审核后批准", "approved after review by two credit officers")
              if action == "approve" else
              ("经两名信贷人员审核后拒绝", "declined after review by two credit officers"))  # fmt: skip
    return Reason("OFFICER", "officer", zh, en, {"maker": maker, "checker": checker})


def score_reasons(codes: tuple[ReasonCode, ...]) -> list[Reason]:
    """The score's reason codes as decision reasons (their words; the detail for audit)."""
    return [Reason("SCORE", "score", c.text_zh, c.text_en, c.detail()) for c in codes]


def decide(inputs: DecisionInputs, policy: DecisionPolicy) -> Decision:
    """Decide one application under `policy` (see module docstring). Raises ValidationError from
    pricing for impossible inputs (e.g. a date before the LPR series)."""
    sizing = size_limit(inputs.limit, policy.limits)
    offer = _price(inputs, policy, sizing)
    facts = inputs.facts.as_mapping(
        limit_below_minimum=sizing.below_minimum,
        price_refused=None if offer is None else offer.refused,
        raroc_below_hurdle=None if offer is None else OfferFlag.HURDLE_NOT_MET in offer.flags,
        lpr_stale=None if offer is None else OfferFlag.LPR_STALE in offer.flags,
        revenue_unknown_above_ceiling=_revenue_unknown_above_ceiling(inputs, policy, sizing),
    )
    knockouts = rule_reasons(evaluate_table(policy.knockouts, facts), "knockout")
    referrals = rule_reasons(evaluate_table(policy.referrals, facts), "referral")
    if knockouts:
        outcome, reasons = Outcome.DECLINE, knockouts + score_reasons(inputs.score_reasons)
    elif referrals:
        outcome, reasons = Outcome.REFER, referrals + score_reasons(inputs.score_reasons)
    else:
        outcome, reasons = Outcome.APPROVE, []
    return Decision(
        outcome, _record(inputs, policy, sizing, offer, outcome, reasons), sizing, offer
    )


def _revenue_unknown_above_ceiling(
    inputs: DecisionInputs, policy: DecisionPolicy, sizing: LimitSizing
) -> bool | None:
    """True when no revenue figure (declared or on invoices) capped the limit and the sized limit
    is above the policy's `no_revenue_ceiling` (rule R11); None when the policy sets none."""
    ceiling = policy.limits.no_revenue_ceiling
    if ceiling is None:
        return None
    return inputs.limit.revenue_cap is None and sizing.limit > ceiling


def _lpr(offer: Offer) -> dict[str, Any]:
    """The LPR fixing the offer was priced on, for the record."""
    fixing = offer.econ.lpr_fixing
    return {
        "fixing_date": fixing.effective_date.isoformat(),
        "tenor": offer.econ.tenor.value,
        "rate": str(offer.econ.lpr.value),
        "confidence": fixing.confidence,
        "source": fixing.source,
        "series_version": offer.lpr_series_version,
        "current_until": offer.lpr_current_until.isoformat(),
        "stale": OfferFlag.LPR_STALE in offer.flags,
    }


def _bp(value: Decimal) -> str:
    """A price component in bp for the record: 0.01 bp, the one rounding policy, no exponent."""
    return str(value.quantize(COMPONENT_BP, rounding=ROUNDING))


def _record(
    inputs: DecisionInputs,
    policy: DecisionPolicy,
    sizing: LimitSizing,
    offer: Offer | None,
    outcome: Outcome,
    reasons: list[Reason],
) -> DecisionRecord:
    price: dict[str, Any] = {"annual_rate": None, "spread_bp": None}
    if offer is not None:
        price = {
            "annual_rate": str(offer.annual_rate.value),
            "spread_bp": offer.spread_bp,
            "price_components": {c.name: _bp(c.bp) for c in offer.quote.components},
            "expected_loss": str(offer.expected_loss.rounded().amount),
            "raroc": str(offer.raroc),
            "versions": offer.versions,
            "lpr": _lpr(offer),
        }
    return DecisionRecord(
        decision_id=inputs.decision_id,
        application_id=inputs.application_id,
        outcome=outcome,
        reasons=tuple(reasons),
        inputs_digest=digest(inputs.snapshot),
        spec_digest=inputs.spec_digest,
        policy_version=policy.version,
        policy_digest=policy.digest,
        score=inputs.facts.score,
        pd_12m=inputs.facts.pd_12m,
        grade=inputs.facts.grade,
        limit=sizing.limit,
        limit_binding=sizing.binding,
        **price,
        decided_at=inputs.decided_at,
        verification=inputs.verification,
        model_approval=inputs.model_approval,
    )
