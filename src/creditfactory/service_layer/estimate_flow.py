"""在线测额: an indicative limit and rate range without a formal application.

Pulls invoices only (no bureau, so no hard inquiry) through the consent gate for purpose
`limit_estimate`, scores the applicant with the frozen spec, and takes
`origination.estimate_limit` with the policy's score-based cap. The rate range is the offered
rate at the scored PD and at 1.5 × that PD (the uncertainty left before bureau and tax data).
"How to raise my limit" lists the scorecard characteristics that lost the most points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from creditfactory.kernel.money import Money
from creditfactory.origination import (
    ConsentPurpose,
    LimitEstimateRequest,
    LimitPolicy,
    annual_invoice_revenue,
    estimate_limit,
)
from creditfactory.origination.application import application_features
from creditfactory.pricing import PricingRequest, offer_rate
from creditfactory.scoring import score
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.origination_flow import (
    ConsentGiven,
    build_applicant,
    configured_sources,
    pull_for,
    record_given_consent,
)

__all__ = ["EstimateLimit", "estimate"]


@dataclass(frozen=True)
class EstimateLimit:
    """Command: declared revenue (CNY a year) plus what the applicant authorises."""

    channel_id: str
    request_id: str
    applicant_type: str
    name: str
    declared_revenue: str
    term_months: int = 12
    uscc: str | None = None
    operator_id: str | None = None
    legal_rep_id: str | None = None
    phone: str | None = None
    declared: Mapping[str, float | int | str | None] = field(default_factory=dict)
    working_capital_need: str | None = None
    consent: ConsentGiven | None = None


def _rate(deps: FactoryDeps, pd_12m: float, amount: Money, term: int) -> str:
    request = PricingRequest(
        pd_12m=Decimal(repr(min(pd_12m, 0.999))),
        lgd=deps.policy.lgd,
        ead=amount,
        term_months=term,
        as_of=deps.clock.now().date(),
        product=deps.policy.pricing_product,
    )
    return str(offer_rate(request).annual_rate.value)


def estimate(deps: FactoryDeps, cmd: EstimateLimit) -> dict[str, Any]:
    """The indicative range (see module docstring). raises InvalidField / ValidationError."""
    as_of = deps.clock.now().date()
    applicant = build_applicant(cmd, as_of, deps)
    subject = applicant.subject_id
    if cmd.consent is not None:
        token = f"{cmd.channel_id}|{cmd.request_id}"
        record_given_consent(deps, subject, cmd.consent, ConsentPurpose.LIMIT_ESTIMATE, token)
    wanted = tuple(n for n in configured_sources(deps.sources) if n == "invoices")
    external = pull_for(deps, subject, ConsentPurpose.LIMIT_ESTIMATE, wanted)
    scored = score(
        deps.spec,
        application_features(deps.spec.features, cmd.declared, external, as_of),
        term_months=cmd.term_months,
    )
    with deps.uow() as uow:
        existing = uow.applications.exposure(subject)
    limits = deps.policy.limits
    request = LimitEstimateRequest(
        subject_id=subject,
        declared_revenue=Money.of(cmd.declared_revenue),
        invoice_revenue=annual_invoice_revenue(external.invoices, as_of) if external.invoices else None,
        working_capital_need=None if cmd.working_capital_need is None else Money.of(cmd.working_capital_need),
        existing_credit=existing,
    )  # fmt: skip
    policy = LimitPolicy(version=deps.policy.version, product_max=limits.product_max)
    result = estimate_limit(request, policy, lambda _r, _b: limits.score_cap(scored.pd_12m))
    out: dict[str, Any] = {
        "limit_low": str(result.low.amount),
        "limit_high": str(result.high.amount),
        "binding": result.binding,
        "caps": {k: str(v.rounded().amount) for k, v in result.caps.items()},
        "policy_version": result.policy_version,
        "score": round(scored.score, 1),
        "grade": scored.grade,
        "rate_low": None,
        "rate_high": None,
        "data_gaps": dict(external.gaps),
        "how_to_raise_limit": [
            {
                "feature": r.feature,
                "points": round(r.points_lost, 1),
                "zh": r.text_zh,
                "en": r.text_en,
            }
            for r in scored.reasons
        ],
        "hard_inquiry": False,
    }
    if result.has_offer:
        out["rate_low"] = _rate(deps, scored.pd_12m, result.high, cmd.term_months)
        out["rate_high"] = _rate(deps, scored.pd_12m * 1.5, result.high, cmd.term_months)
    return out
