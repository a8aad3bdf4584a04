"""在线测额: the amounts and rates the decision would approve, without a formal application.

Pulls every configured source but the bureau (so no hard inquiry) — invoices, and the record
sources registry (工商登记), court lists (法院名单) and tax grade (纳税信用等级) — through the
consent gate for purpose `limit_estimate`, so only what the consent covers is read; scores the
applicant with the frozen spec, takes the revenue-based ceiling from
`origination.estimate_limit`, and asks `decisioning.approvable_range` — the application's own
`decide` on the facts known here (the records' knock-outs K01/K02/K03/K05/K10 and referrals
R04/R05/R06/R10 among them), at the requested term and today's date — which amounts in it are
approved and at what rate. A knock-out or referral gives no range and its reasons. So an
application inside [limit_low, limit_high] at `term_months` on the same data and date is
approved at a rate in [rate_low, rate_high] unless a check the estimate cannot make says
otherwise (`ESTIMATE_CANNOT_KNOW`): the bureau, a record source not configured or not covered
by the consent, missing data at application time, and verified data that contradicts what was
declared.

``currency``, ``pd_horizon_months`` and ``model`` label the figures as the application view
does (`factory_views.model_labels`). `verification` is the decision's block, built by the same `origination.verification.verify`:
the facts the pulled sources verified (source, version, record id, retrieval time), those only
declared, and the declarations the records contradict. With no range the answer carries the
decision's reasons in words. `how_to_raise_limit` lists
only what the borrower can act on: characteristics the spec marks `actionable` that cost points
— for a number or a category, the nearest value that would change the outcome (a range where
there is none, or a higher top of the range), found by re-scoring with each better-scoring bin's
edge (or category) and deciding again (`target`: {"op": "at_least" | "at_most" | "below" |
"is", "value"} in the characteristic's unit, `limit_high` it would reach; no advice when no value
would change anything); for a missing value or a special value, the direction — and
policy factors — authorising invoices when the
haircut declared revenue binds, repaying existing credit when the 普惠 or concentration cap binds.
The amount is the range itself. The term is the borrower's choice too, but under the released
pricing (IRB other retail, no maturity adjustment; 1-year LPR up to 60 months) a term within the
product's 36 months changes neither the price nor the outcome, so none is advised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_CEILING
from typing import Any, Final

from creditfactory.decisioning import (
    ApprovableRange,
    DecisionFacts,
    DecisionInputs,
    LimitRequest,
    Outcome,
    approvable_range,
)
from creditfactory.kernel.clock import china_date
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.origination import (
    ConsentPurpose,
    LimitEstimate,
    LimitEstimateRequest,
    annual_invoice_revenue,
    estimate_limit,
)
from creditfactory.origination.application import (
    application_features,
    decision_facts,
    unverified_record_facts,
)
from creditfactory.origination.declared import check_declared, declared_schema
from creditfactory.origination.loan_terms import (
    REQUEST_FACTS,
    amount_segments,
    asking_for,
    request_features,
    term_loan_only,
)
from creditfactory.origination.verification import verify
from creditfactory.scoring import ScoreResult, score
from creditfactory.scoring.reason_text import advice_text, money_text, target_text
from creditfactory.scoring.runtime import DEFAULT_MAX_REASONS
from creditfactory.scoring.targets import better_values
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.factory_views import PD_HORIZON_MONTHS, model_labels
from creditfactory.service_layer.origination_flow import (
    ConsentGiven,
    build_applicant,
    configured_sources,
    limit_policy,
    pull_for,
    record_given_consent,
)

__all__ = ["ESTIMATE_CANNOT_KNOW", "ESTIMATE_SOURCES", "EstimateLimit", "estimate"]

ESTIMATE_CANNOT_KNOW: Final = ("bureau_max_dpd", "data_gaps", "contradictions")
"""Facts an application may add that the estimate cannot know: the bureau (not pulled: no hard
inquiry), data missing at application time — a record source not configured or not covered by
the consent among them — and verified data contradicting the declared (the rules on these may
still decline or refer)."""

ESTIMATE_SOURCES: Final = ("invoices", "tax_grade", "registry", "courts")
"""The sources the estimate pulls when configured: all but the bureau (a bureau pull is a hard
inquiry)."""


@dataclass(frozen=True)
class EstimateLimit:
    """Command: declared revenue (CNY a year) plus what the applicant authorises."""

    channel_id: str
    request_id: str
    applicant_type: str
    name: str
    declared_revenue: str
    term_months: int = 12
    programme: str | None = None
    revolving_line: bool | None = None
    uscc: str | None = None
    operator_id: str | None = None
    legal_rep_id: str | None = None
    phone: str | None = None
    declared: Mapping[str, float | int | str | None] = field(default_factory=dict)
    working_capital_need: str | None = None
    consent: ConsentGiven | None = None


def _words(zh: str, en: str, factor: str, kind: str, **more: Any) -> dict[str, Any]:
    return {"factor": factor, "kind": kind, "zh": zh, "en": en, **more}


@dataclass(frozen=True)
class _Known:
    """What the estimate knows besides the score: it is re-assessed with other scores when
    advice looks for the value of a characteristic that would change the outcome."""

    deps: FactoryDeps
    cmd: EstimateLimit
    request: LimitEstimateRequest
    facts: DecisionFacts
    features: Mapping[str, Any]
    now: datetime
    as_of: date
    segment: tuple[Money, Money] | None = None
    """The amounts the score holds for, when it scores the loan's amount (`_by_amount`)."""


def _assess(known: _Known, scored: ScoreResult) -> tuple[LimitEstimate, ApprovableRange]:
    """The revenue-based estimate and the approvable range below it for this score."""
    deps, cmd, request = known.deps, known.cmd, known.request
    limits = deps.policy.limits
    revenue = estimate_limit(
        request, limit_policy(deps), lambda _r, _b: limits.score_cap(scored.pd_12m)
    )
    facts = replace(known.facts, score=scored.score, pd_12m=scored.pd_12m, grade=scored.grade)
    existing = request.existing_credit
    inputs = DecisionInputs(
        decision_id=f"estimate:{cmd.request_id}", application_id=cmd.request_id, facts=facts,
        limit=LimitRequest(scored.pd_12m, Money.zero(), request.working_capital_need, existing,
                           existing, revenue.caps["revenue_multiple"]),  # revenue known: no R11
        term_months=cmd.term_months, as_of=known.as_of, decided_at=known.now,
        spec_digest=deps.spec_digest, snapshot={},
        score_reasons=scored.reasons[:DEFAULT_MAX_REASONS], lpr_series=deps.lpr_series,
    )  # fmt: skip
    if known.segment is None:
        return revenue, _range(deps, inputs, _ceiling(revenue))
    low, high = known.segment
    found = _range(deps, inputs, min(_ceiling(revenue), high))
    step = limits.rounding_step.amount
    start = Money.of((low.amount / step).to_integral_value(ROUND_CEILING) * step)
    if not found.has_range or found.high < start:  # nothing approvable in this segment
        zero = Money.zero(found.high.currency)
        return revenue, replace(found, low=zero, high=zero, at_low=None)
    return revenue, replace(found, low=max(found.low, start))


def _target(known: _Known, feature: str, value: Any, now: ApprovableRange) -> dict[str, Any] | None:
    """Advice naming the nearest value of `feature` that changes the outcome — a range where
    there is none, or a higher top of the range — found by re-scoring and re-assessing with each
    better-scoring value (`scoring.targets.better_values`); None when no value does."""
    spec = known.deps.spec
    for target in better_values(spec, feature, value):
        features = {**known.features, feature: target.value}
        rescored = score(spec, features, max_reasons=len(spec.features))
        # the whole estimate again; a characteristic the request sets changes only as the request
        # can change it (another product: `loan_terms.asking_for`), never the amount's
        if feature in REQUEST_FACTS:
            cmd = known.cmd
            asked = asking_for(feature, target.value, cmd.programme, cmd.revolving_line)
            if asked is None:
                return None
            product = replace(cmd, programme=asked[0], revolving_line=asked[1])
            again = replace(known, cmd=product, segment=None)
        else:
            again = replace(known, features=features, segment=None)
        _, _, _, then = _by_amount(again, rescored)
        approvable = then.has_range and not now.has_range
        if approvable or (then.has_range and then.high > now.high):
            high = money_text(float(then.high.amount), then.high.currency)
            zh, en = target_text(spec, feature, target.op, target.edge, approvable, high)
            return _words(zh, en, feature, "characteristic",
                          target={"op": target.op, "value": target.edge},
                          limit_high=str(then.high.amount))  # fmt: skip
    return None


def _characteristic_advice(
    known: _Known, scored: ScoreResult, now: ApprovableRange
) -> list[dict[str, Any]]:
    """Advice on each actionable characteristic that cost points: the value that would change
    the outcome for a number or a category (none when no value would), the direction for a
    missing value or a group no value can leave (a special value)."""
    out = []
    spec = known.deps.spec
    for r in scored.reasons:
        if not spec.is_actionable(r.feature):
            continue
        if r.direction in ("low", "high", "band") or better_values(spec, r.feature, r.value):
            advice = _target(known, r.feature, r.value, now)
            if advice is not None:
                out.append({**advice, "points": round(r.points_lost, 1)})
            continue
        zh, en = advice_text(known.deps.spec, r.feature, r.direction)
        out.append(_words(zh, en, r.feature, "characteristic", points=round(r.points_lost, 1)))
    return out


def _policy_advice(
    deps: FactoryDeps, request: LimitEstimateRequest, found: ApprovableRange, binding: str
) -> list[dict[str, Any]]:
    out = []
    invoices_possible = "invoices" in configured_sources(deps.sources)
    if binding == "revenue_multiple" and request.invoice_revenue is None and invoices_possible:
        out.append(_words("授权查询增值税发票后，可按核实的销售收入测算，额度可能提高",
                          "Authorising your VAT invoices would base the limit on verified sales "
                          "and may raise it", "invoices", "policy"))  # fmt: skip
    if found.binding in ("inclusive_cap", "concentration"):
        out.append(_words("归还部分现有贷款后，可用额度会相应增加",
                          "Repaying part of your existing credit would free room for a larger "
                          "limit", "existing_credit", "policy"))  # fmt: skip
    return out


def _by_amount(
    known: _Known, scored: ScoreResult
) -> tuple[_Known, ScoreResult, LimitEstimate, ApprovableRange]:
    """The estimate when the spec scores the loan's own characteristics (`loan_terms`): the
    amounts cut where one of them changes bin (`amount_segments`), each segment scored with the
    values its amounts give and its approvable range kept inside it; the segment with the highest
    approvable amount (else a refused one, whose reasons say why: the segment of the revenue
    ceiling when it refuses). So every amount quoted scores as quoted. Else the range for
    `scored`."""
    deps, cmd = known.deps, known.cmd
    if not REQUEST_FACTS.intersection(deps.spec.features):
        return (known, scored, *_assess(known, scored))
    limits = deps.policy.limits
    found = []
    try:
        segments = amount_segments(deps.spec, cmd.programme, limits.minimum, limits.product_max)
        for low, high in segments:
            ends = [request_features(deps.spec.features, m, cmd.programme, cmd.revolving_line)
                    for m in (low, high)]  # fmt: skip
            every = len(deps.spec.features)
            scores = [score(deps.spec, {**known.features, **e}, max_reasons=every) for e in ends]
            if scores[0].score != scores[1].score:  # pragma: no cover - a cut missed: skip it
                continue
            seg = replace(known, features={**known.features, **ends[0]}, segment=(low, high))
            found.append((seg, scores[0], *_assess(seg, scores[0])))
    except ValueError as exc:
        raise ValidationError("programme", str(exc)) from None
    ranged = [f for f in found if f[3].has_range]
    if ranged:
        return max(ranged, key=lambda f: f[3].high.amount)
    # no amount approved: the reasons of a refusal, at the revenue estimate's ceiling if it
    # refuses (the segment holding that amount), else the highest refused amount's
    refused = [f for f in found if f[3].at_high.outcome is not Outcome.APPROVE] or found
    asked = [f for f in refused if f[0].segment and f[0].segment[0] <= _ceiling(f[2])]
    return (asked or refused)[-1]


def _range(deps: FactoryDeps, inputs: DecisionInputs, ceiling: Money) -> ApprovableRange:
    return approvable_range(inputs, deps.policy, ceiling, limit_policy(deps).range_floor)


def _ceiling(estimate: LimitEstimate) -> Money:
    """The revenue-based estimate's least cap (the decision sizes and prices below it)."""
    return min(estimate.caps.values(), key=lambda m: m.amount)


def _binding(known: _Known, revenue: LimitEstimate, found: ApprovableRange) -> str:
    """What sets `limit_high`: the least cap's name ("revenue_multiple", "scored_amount" when the
    scored segment's top binds, "score", …) — or, with no range, the code of the rule that refuses
    the ceiling ("K07", "R08", …: its words are in the reasons), unless the refusal is only that
    the amount falls below the minimum (K09), which the cap that made it so causes."""
    if not found.has_range:
        rule = next((r for r in found.at_high.record.reasons
                     if r.kind != "score" and r.detail.get("fact") != "limit_below_minimum"), None)  # fmt: skip
        if rule is not None:
            return rule.code
    if found.binding != "requested":
        return found.binding
    # the ceiling asked for: the revenue estimate's, or the segment's
    segment_top = known.segment is not None and known.segment[1] < _ceiling(revenue)
    return "scored_amount" if segment_top else "revenue_multiple"


def estimate(deps: FactoryDeps, cmd: EstimateLimit) -> dict[str, Any]:
    """The approvable range (see module docstring). raises InvalidField / ValidationError."""
    now = deps.clock.now()
    as_of = china_date(now)  # the business day in China, not the UTC day
    applicant = build_applicant(cmd, as_of, deps)
    term_loan_only(cmd.revolving_line)  # the product quoted is the one booked
    wanted = tuple(n for n in configured_sources(deps.sources) if n in ESTIMATE_SOURCES)
    schema = declared_schema(deps.spec, wanted, REQUEST_FACTS)
    check_declared(cmd.declared, schema, as_of)
    subject = applicant.subject_id
    if cmd.consent is not None:
        purpose = ConsentPurpose.LIMIT_ESTIMATE
        record_given_consent(deps, subject, cmd.consent, purpose, cmd.channel_id, cmd.request_id)
    external = pull_for(deps, subject, cmd.channel_id, ConsentPurpose.LIMIT_ESTIMATE, wanted)
    features = application_features(deps.spec, cmd.declared, external, as_of)
    scored = score(deps.spec, features, max_reasons=len(deps.spec.features))
    with deps.uow() as uow:
        existing = uow.applications.exposure(subject, now)
    wc_need = None if cmd.working_capital_need is None else Money.of(cmd.working_capital_need)
    request = LimitEstimateRequest(
        subject_id=subject,
        declared_revenue=Money.of(cmd.declared_revenue),
        invoice_revenue=annual_invoice_revenue(external.invoices, as_of) if external.invoices else None,
        working_capital_need=wc_need,
        existing_credit=existing,
    )  # fmt: skip
    facts = replace(decision_facts(scored, applicant, external, as_of, wanted), data_gaps=())
    known = _Known(deps, cmd, request, facts, features, now, as_of)
    known, scored, revenue, found = _by_amount(known, scored)
    requested = {k: v for k, v in known.features.items() if k in REQUEST_FACTS}
    verification = verify(cmd.declared, external, known.features, schema, as_of,
                          deps.policy.verification, unverified_record_facts(deps.spec, external),
                          requested, data_currency=deps.spec.training.get("currency"))  # fmt: skip
    binding = _binding(known, revenue, found)
    caps = {k: v for k, v in found.caps.items() if k != "requested"}
    caps["revenue_multiple"] = revenue.caps["revenue_multiple"]
    advice = _characteristic_advice(known, scored, found) + _policy_advice(
        deps, request, found, binding
    )
    rates = found.rates
    return {
        "currency": found.high.currency,
        "pd_horizon_months": PD_HORIZON_MONTHS,  # the grade's PD
        "model": model_labels(deps.spec, deps.spec_digest),
        "limit_low": str(found.low.amount),
        "limit_high": str(found.high.amount),
        "term_months": cmd.term_months,
        "binding": binding,
        "caps": {k: str(v.rounded().amount) for k, v in caps.items()},
        "policy_version": revenue.policy_version,
        "score": round(scored.score, 1),
        "grade": scored.grade,
        "rate_low": None if rates is None else rates[0],
        "rate_high": None if rates is None else rates[1],
        "reasons": [] if found.has_range else [r.to_dict() for r in found.at_high.record.reasons],
        "data_gaps": dict(external.gaps),
        "how_to_raise_limit": advice,
        "hard_inquiry": False,
        "verification": verification.to_dict(),
    }
