"""The "310" application flow: submit → pull (with consent) → score → decide → offer → accept
→ contract → disburse, one transaction from the claim of the idempotency key to the ledger.

`submit_application` validates the applicant (422 on a bad USCC / ID / amount / term) and the
declared facts against the served spec (422 `declared.<name>`), records the consent it carries,
pulls the configured sources through the consent gate (a failing source becomes a data gap, never
an error), records which facts were verified and which only declared (`verification`), scores
with the frozen spec, decides with the versioned policy, and — for an approval with `auto_accept` — books and disburses the loan. THE idempotency
mechanism (`kernel.idempotency.run_once`, scope "application", key "<channel>:<key>") claims the
key first in the transaction that writes the application, so concurrent duplicates produce one
application and one loan and every retry returns the first (sealed) response. Audit leaves are
appended in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.audit import AuditEntry
from creditfactory.decisioning import (
    DecisionFacts,
    DecisionInputs,
    LimitRequest,
    Outcome,
    decide,
    digest,
)
from creditfactory.kernel.clock import china_date
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.idempotency import run_once, stored_response
from creditfactory.kernel.money import Money
from creditfactory.ledger.journal import JournalEntry
from creditfactory.origination import (
    Applicant,
    Consent,
    ConsentChannel,
    ConsentGate,
    ConsentPurpose,
    DataCategory,
    ExternalData,
    enterprise_applicant,
    individual_business_applicant,
    pull_external_data,
    record_consent,
    unregistered_operator_applicant,
)
from creditfactory.origination.application import (
    application_features,
    decision_facts,
    unverified_record_facts,
)
from creditfactory.origination.consent_gate import DataSources
from creditfactory.origination.declared import check_declared, declared_schema
from creditfactory.origination.limit_estimate import (
    LimitPolicy,
    annual_invoice_revenue,
    revenue_cap,
)
from creditfactory.origination.loan_terms import (
    REQUEST_FACTS,
    loan_asked,
    request_features,
    term_loan_only,
)
from creditfactory.origination.verification import verify
from creditfactory.pricing.lpr import default_lpr_series
from creditfactory.scoring import ScoreResult, score
from creditfactory.service_layer.factory_ports import (
    DuplicateSubmission,
    FactoryDeps,
    FactoryUnitOfWork,
)
from creditfactory.service_layer.factory_views import model_labels, new_application_view
from creditfactory.servicing.loan import Loan
from creditfactory.servicing.products import PRODUCTS
from creditfactory.servicing.repayment import disburse
from creditfactory.servicing.services import BookLoan, contract_loan

__all__ = [
    "Booking",
    "ConsentGiven",
    "SubmitApplication",
    "book_and_disburse",
    "build_applicant",
    "application_revenue_cap",
    "configured_sources",
    "limit_policy",
    "contract_offer",
    "decision_json",
    "decision_payload",
    "make_offer",
    "offer_row",
    "pull_for",
    "given_consent",
    "record_given_consent",
    "store_consent",
    "replay_inputs",
    "store_booking",
    "submit_application",
    "APPLICATION_SCOPE",
]


@dataclass(frozen=True)
class ConsentGiven:
    """A 授权书 sent with a request: categories (DataCategory values), text version, channel."""

    categories: tuple[str, ...]
    version: str
    channel: str = "api_partner"
    separate: bool = False


@dataclass(frozen=True)
class SubmitApplication:
    """Command: one loan application from a channel (amounts as decimal text, CNY).
    `branch_id`: the branch the application (and its loan) belongs to — the submitting channel
    key's (`access.branches`); not part of the request digest (it is the caller's, not the
    request's)."""

    channel_id: str
    idempotency_key: str
    applicant_type: str
    name: str
    amount: str
    term_months: int
    uscc: str | None = None
    operator_id: str | None = None
    legal_rep_id: str | None = None
    phone: str | None = None
    declared: Mapping[str, float | int | str | None] = field(default_factory=dict)
    working_capital_need: str | None = None
    consent: ConsentGiven | None = None
    auto_accept: bool = True
    programme: str | None = None
    revolving_line: bool | None = None
    branch_id: str = HEAD_OFFICE


def build_applicant(cmd: Any, as_of: date, deps: FactoryDeps) -> Applicant:
    """The validated applicant. raises InvalidField / InvalidUSCC / InvalidResidentID naming
    the field, ValidationError("applicant_type") for an unknown type."""
    kind = cmd.applicant_type
    if kind == "enterprise":
        return enterprise_applicant(
            cmd.name, _required(cmd.uscc, "uscc"), as_of, cmd.legal_rep_id, cmd.phone, deps.regions
        )
    if kind == "individual_business":
        uscc, op = _required(cmd.uscc, "uscc"), _required(cmd.operator_id, "operator_id")
        return individual_business_applicant(cmd.name, uscc, op, as_of, cmd.phone, deps.regions)
    if kind == "unregistered_operator":
        op = _required(cmd.operator_id, "operator_id")
        return unregistered_operator_applicant(cmd.name, op, as_of, cmd.phone, deps.regions)
    raise ValidationError(
        "applicant_type", "enterprise | individual_business | unregistered_operator"
    )


def _required(value: str | None, name: str) -> str:
    if not value:
        raise ValidationError(name, "required for this applicant type")
    return value


def _amount(cmd: SubmitApplication, deps: FactoryDeps) -> Money:
    product = PRODUCTS[deps.product_key]
    try:
        amount = Money.of(cmd.amount)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError("amount", "a decimal amount in CNY") from None
    if amount.amount <= 0 or amount.amount != amount.rounded().amount:
        raise ValidationError("amount", "positive, at most 2 decimal places")
    if amount.amount > product.max_principal:
        raise ValidationError("amount", f"at most {product.max_principal} CNY for this product")
    if not 1 <= cmd.term_months <= product.max_term_months:
        raise ValidationError("term_months", f"1 to {product.max_term_months} months")
    return amount


def configured_sources(sources: DataSources) -> tuple[str, ...]:
    """Names of the sources the deployment has (only those are pulled)."""
    return tuple(name for name, src in asdict_shallow(sources).items() if src is not None)


def asdict_shallow(sources: DataSources) -> dict[str, Any]:
    """The five ports by name (no deep copy, unlike dataclasses.asdict)."""
    names = ("invoices", "tax_grade", "registry", "courts", "bureau")
    return {n: getattr(sources, n) for n in names}


def record_given_consent(
    deps: FactoryDeps,
    subject_id: str,
    given: ConsentGiven,
    purpose: ConsentPurpose,
    channel_id: str,
    request_key: str,
) -> str:
    """Store the consent sent with a request of API channel `channel_id`, owned by that channel
    (id derived from the channel and `request_key`, so a re-send stores it once) with its audit
    leaf; returns the consent id."""
    token = f"{channel_id}|{request_key}|{purpose.value}"
    consent_id = "consent_" + hashlib.sha256(token.encode()).hexdigest()[:24]
    consent = given_consent(deps, consent_id, subject_id, given, purpose)
    with deps.uow() as uow:
        if uow.applications.consent_exists(consent_id):
            return consent_id
        try:
            store_consent(uow, deps, consent, given, channel_id)
        except DuplicateSubmission:
            return consent_id
        uow.commit()
    return consent_id


def given_consent(
    deps: FactoryDeps,
    consent_id: str,
    subject_id: str,
    given: ConsentGiven,
    purpose: ConsentPurpose,
) -> Consent:
    """The consent `given` as recorded now. raises ValidationError("consent") for an unknown
    category or channel."""
    try:
        categories = [DataCategory(c) for c in given.categories]
        channel = ConsentChannel(given.channel)
    except ValueError as exc:
        raise ValidationError("consent", str(exc)) from None
    return record_consent(
        consent_id, subject_id, purpose, categories, given.version, channel, deps.clock,
        given.separate,
    )  # fmt: skip


def store_consent(
    uow: FactoryUnitOfWork,
    deps: FactoryDeps,
    consent: Consent,
    given: ConsentGiven,
    channel_id: str,
) -> None:
    """Store `consent`, owned by API channel `channel_id`, with its `consent.recorded` leaf in
    `uow`'s transaction (no commit). raises DuplicateSubmission when its id exists."""
    uow.applications.add_consent(consent, channel_id)
    payload = {"purpose": consent.purpose.value, "categories": sorted(given.categories),
               "version": given.version, "channel": given.channel}  # fmt: skip
    uow.applications.audit([_leaf("consent.recorded", consent.consent_id, payload, deps)])


class _StoredConsents:
    """`ConsentRecords` of one API channel, read from the database at call time (a withdrawal
    counts at once; another channel's consents never count)."""

    def __init__(self, deps: FactoryDeps, channel_id: str) -> None:
        self._deps = deps
        self._channel_id = channel_id

    def consents_for(self, subject_id: str) -> list[Any]:
        with self._deps.uow() as uow:
            return uow.applications.consents_for(subject_id, self._channel_id)


def pull_for(
    deps: FactoryDeps,
    subject_id: str,
    channel_id: str,
    purpose: ConsentPurpose,
    wanted: tuple[str, ...],
) -> ExternalData:
    """Pull `wanted` sources through the consent gate, under the consents `channel_id`
    recorded; gaps instead of errors."""
    if not wanted:
        return ExternalData()
    gate = ConsentGate(_StoredConsents(deps, channel_id), purpose, deps.clock)
    return pull_external_data(deps.sources, gate, subject_id, wanted)


def _leaf(action: str, subject: str, payload: Mapping[str, Any], deps: FactoryDeps) -> AuditEntry:
    return AuditEntry("system:factory", action, subject, dict(payload), deps.clock.now())


def _request_body(cmd: SubmitApplication) -> dict[str, Any]:
    """The command without its idempotency key and branch (what the request digest and snapshot
    hold)."""
    body = {f.name: getattr(cmd, f.name) for f in fields(cmd) if f.name not in _NOT_REQUEST}
    body["declared"] = dict(cmd.declared)  # what dataclasses.asdict gave, without its deep copy
    body["consent"] = None if cmd.consent is None else asdict(cmd.consent)
    return body


_NOT_REQUEST = frozenset({"idempotency_key", "branch_id"})


def _request_digest(cmd: SubmitApplication) -> str:
    return digest(_request_body(cmd))


def submit_application(deps: FactoryDeps, cmd: SubmitApplication) -> dict[str, Any]:
    """Run one application through the flow (module docstring); returns the public view.

    raises ValidationError / InvalidField (422), IdempotencyKeyReused (409).
    """
    now = deps.clock.now()
    as_of = china_date(now)  # the business day in China, not the UTC day
    applicant = build_applicant(cmd, as_of, deps)
    amount = _amount(cmd, deps)
    wanted = configured_sources(deps.sources)
    schema = declared_schema(deps.spec, wanted, REQUEST_FACTS)
    check_declared(cmd.declared, schema, as_of)
    requested = _requested(deps, cmd, amount)
    body = _request_body(cmd)
    request_digest = digest(body)
    key, keyed = f"{cmd.channel_id}:{cmd.idempotency_key}", {"request_digest": request_digest}
    # A retry is answered before consent or pulls happen. With neither to do, `run_once` below
    # answers it instead, which saves a transaction per request.
    if cmd.consent is not None or wanted:
        seen = stored_response(deps.uow(), APPLICATION_SCOPE, key, keyed, deps.clock.now)
        if seen is not None:
            return seen
    subject = applicant.subject_id
    if cmd.consent is not None:
        purpose = ConsentPurpose.CREDIT_APPLICATION
        record_given_consent(
            deps, subject, cmd.consent, purpose, cmd.channel_id, cmd.idempotency_key
        )
    external = pull_for(deps, subject, cmd.channel_id, ConsentPurpose.CREDIT_APPLICATION, wanted)
    features = application_features(deps.spec, cmd.declared, external, as_of, requested)
    scored = score(deps.spec, features)
    unverified = unverified_record_facts(deps.spec, external)
    verification = verify(
        cmd.declared, external, features, schema, as_of, deps.policy.verification, unverified,
        requested, deps.spec.training.get("currency"),
    )  # fmt: skip
    case = _Case(
        cmd=cmd,
        row=_application_row(
            deps.ids.new("app"), cmd, applicant, amount, request_digest, now, deps
        ),
        amount=amount,
        facts=decision_facts(
            scored, applicant, external, as_of, wanted, verification.contradictions
        ),
        scored=scored,
        snapshot=_snapshot(
            body, features, external, _recorded(verification.to_dict(), deps, cmd, amount)
        ),
        external=external,
        now=now,
        revenue_cap=application_revenue_cap(deps, cmd.declared, external, as_of),
    )
    planned = None
    if deps.read is not None:  # decide before the write transaction (FactoryDeps.read)
        with deps.read() as reader:
            planned = _plan(deps, case, reader.applications.exposure(subject, now), reader)

    def work(uow: FactoryUnitOfWork) -> dict[str, Any]:
        uow.applications.lock_borrower(subject)  # exposure read → decided → written
        existing = uow.applications.exposure(subject, now)
        decided = planned
        if decided is None or decided.existing != existing:  # this borrower's exposure
            decided = _plan(deps, case, existing, uow)  # moved meanwhile: decide again
        _write(uow, decided)
        return decided.response

    return run_once(deps.uow(), APPLICATION_SCOPE, key, keyed, work, deps.clock.now)


APPLICATION_SCOPE = "application"
"""The `run_once` scope of applications; keys are "<channel>:<Idempotency-Key>" and the request
is {"request_digest": the digest of the command without its key} (what the application row
and its decision snapshot record; migration 0013 moved the keys of older applications here)."""


def _recorded(
    verification: dict[str, Any], deps: FactoryDeps, cmd: SubmitApplication, amount: Money
) -> dict[str, Any]:
    """The decision's verification record with the loan it scored (`loan_terms.loan_asked`:
    programme, guarantee share, no guarantee booked) when the spec scores the programme, so the
    record and the offer say what was scored for the loan that is booked."""
    asked = loan_asked(deps.spec.features, amount, cmd.programme)
    return verification if asked is None else {**verification, "loan_asked": asked}


def _requested(deps: FactoryDeps, cmd: SubmitApplication, amount: Money) -> dict[str, Any]:
    """The spec's characteristics the request sets (`origination.loan_terms`). raises
    ValidationError("programme") for an unknown programme, ValidationError("revolving_line") for
    a revolving line (term loans only: `loan_terms.term_loan_only`)."""
    term_loan_only(cmd.revolving_line)
    try:
        return request_features(deps.spec.features, amount, cmd.programme, cmd.revolving_line)
    except ValueError as exc:
        raise ValidationError("programme", str(exc)) from None


def limit_policy(deps: FactoryDeps) -> LimitPolicy:
    """The revenue policy (origination.limit_estimate) on the decision policy's limits: the same
    caps, minimum and rounding step for the 测额 estimate and the application's sizing."""
    limits = deps.policy.limits
    return LimitPolicy(version=deps.policy.version, product_max=limits.product_max,
                       inclusive_cap=limits.inclusive_cap, rounding_step=limits.rounding_step,
                       minimum_limit=limits.minimum)  # fmt: skip


def application_revenue_cap(
    deps: FactoryDeps, declared: Mapping[str, Any], external: ExternalData, as_of: date
) -> Money | None:
    """The revenue cap of an application (findings H3: without a working-capital need nothing
    tied the limit to the firm's size): the estimate's `revenue_cap` on the declared
    `annual_sales` and the verified annual sales on the pulled invoices; None without either."""
    said = declared.get("annual_sales")
    invoiced = annual_invoice_revenue(external.invoices, as_of) if external.invoices else None
    return revenue_cap(None if said is None else Money.of(str(said)), invoiced, limit_policy(deps))


@dataclass(frozen=True)
class _Case:
    """An application scored and ready to decide: everything but the borrower's exposure."""

    cmd: SubmitApplication
    row: dict[str, Any]  # the application row as received (`_application_row`)
    amount: Money
    facts: DecisionFacts
    scored: ScoreResult
    snapshot: dict[str, Any]
    external: ExternalData
    now: datetime
    revenue_cap: Money | None  # `application_revenue_cap`


@dataclass(frozen=True)
class _Planned:
    """What one application's transaction writes, decided for `existing` exposure."""

    existing: Money
    row: dict[str, Any]  # the application row with its outcome and stored response
    record: dict[str, Any]  # the decision record
    record_text: str  # its stored JSON (`decision_json`)
    inputs: DecisionInputs
    offer: dict[str, Any] | None
    booking: Booking | None
    leaves: list[AuditEntry]
    response: dict[str, Any]


def _plan(deps: FactoryDeps, case: _Case, existing: Money, uow: FactoryUnitOfWork) -> _Planned:
    """Decide, and for an auto-accepted approval contract and disburse — all in memory (`uow`
    only names the borrower); `_write` stores the result."""
    cmd, row, now = case.cmd, case.row, case.now
    application_id = row["application_id"]
    inputs = DecisionInputs(
        decision_id=deps.ids.new("dec"),
        application_id=application_id,
        facts=case.facts,
        limit=LimitRequest(
            pd_12m=case.scored.pd_12m,
            requested=case.amount,
            working_capital_need=(
                None if cmd.working_capital_need is None else Money.of(cmd.working_capital_need)
            ),
            existing_credit=existing,
            existing_exposure=existing,
            revenue_cap=case.revenue_cap,
        ),
        term_months=cmd.term_months,
        as_of=china_date(now),
        decided_at=now,
        spec_digest=deps.spec_digest,
        snapshot=case.snapshot,
        score_reasons=case.scored.reasons,
        verification=case.snapshot["verification"],
        lpr_series=deps.lpr_series,
        model_approval=deps.model_approval,
    )
    decision = decide(inputs, deps.policy)
    record = decision.record.to_dict()
    leaves = [
        _leaf("application.submitted", application_id, {"channel": cmd.channel_id}, deps),
        _leaf(
            "data.pulled",
            application_id,
            {"gaps": dict(case.external.gaps), "invoices": len(case.external.invoices)},
            deps,
        ),  # fmt: skip
        _leaf(
            "decision.made",
            record["decision_id"],
            {**decision_payload(record), "decided_by": "system"},
            deps,
        ),
    ]
    changes: dict[str, Any] = {
        "status": STATUS[decision.outcome],
        "decision_id": record["decision_id"],
    }
    offer: dict[str, Any] | None = None
    booking: Booking | None = None
    if decision.outcome is Outcome.APPROVE:
        offer = offer_row(deps, application_id, record, cmd.term_months)
        changes["offer_id"] = offer["offer_id"]
        leaves.append(_leaf("offer.made", offer["offer_id"], _offer_payload(offer), deps))
        if cmd.auto_accept:
            subject = row["subject_id"]
            borrower = uow.applications.borrower_id(subject)
            booking = contract_offer(deps, offer, borrower, now, row["branch_id"])
            loan_id = booking.loan.loan_id
            changes.update(status="disbursed", loan_id=loan_id)
            offer = {**offer, "status": "accepted", "accepted_at": now, "loan_id": loan_id}
            leaves += booking.leaves
    record_text = decision_json(record)
    decided = {**json.loads(record_text), "decided_by": "system"}  # as decisions_of reads it
    final = {**row, **changes}
    response = new_application_view(
        final, decided, offer, model_labels(deps.spec, deps.spec_digest)
    )
    final["response"] = json.dumps(response, ensure_ascii=False)
    return _Planned(existing, final, record, record_text, inputs, offer, booking, leaves, response)


def _write(uow: FactoryUnitOfWork, planned: _Planned) -> None:
    """Store a planned application (in the transaction `run_once` claimed its key in): the
    application, its decision, offer, loan, disbursement, replay inputs and audit leaves."""
    store, now = uow.applications, planned.row["updated_at"]
    store.add(planned.row)
    store.add_decision(planned.record, "system", now, planned.record_text)
    if planned.offer is not None:
        store.add_offer(planned.offer)
    if planned.booking is not None:
        store_booking(uow, planned.booking, now)
    store.audit(planned.leaves)
    inputs = planned.inputs
    uow.decision_inputs.add(inputs.decision_id, inputs.snapshot, replay_inputs(inputs))


def _application_row(
    application_id: str,
    cmd: SubmitApplication,
    applicant: Applicant,
    amount: Money,
    request_digest: str,
    now: datetime,
    deps: FactoryDeps,
) -> dict[str, Any]:
    masked = applicant.masked()
    return {
        "application_id": application_id,
        "channel_id": cmd.channel_id,
        "idempotency_key": cmd.idempotency_key,
        "request_digest": request_digest,
        "applicant_type": applicant.applicant_type.value,
        "applicant_name_enc": applicant.name,
        "applicant_name_masked": applicant.display_name,
        "subject_id": applicant.subject_id,
        "operator_id_enc": applicant.operator_id.value if applicant.operator_id else None,
        "phone_enc": applicant.phone.value if applicant.phone else None,
        "subject_masked": masked["uscc"] or masked["operator_id"] or "",
        "product_key": deps.product_key,
        "currency": amount.currency,
        "requested_minor": amount.to_minor(),
        "term_months": cmd.term_months,
        "status": "received",
        "response": "{}",
        "submitted_at": now,
        "updated_at": now,
        "branch_id": cmd.branch_id,
    }


def _snapshot(
    body: Mapping[str, Any],
    features: Mapping[str, Any],
    external: ExternalData,
    verification: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "request": dict(body),
        "features": dict(features),
        "external": {
            "invoices": len(external.invoices),
            "tax_grade": None if external.tax_grade is None else external.tax_grade.grade.value,
            "registry": None if external.registry is None else external.registry.status.value,
            "courts": None if external.courts is None else asdict(external.courts),
            "bureau": None if external.bureau is None else external.bureau.max_days_past_due,
            "gaps": dict(external.gaps),
        },
        "verification": dict(verification),
    }


STATUS = {Outcome.APPROVE: "approved", Outcome.DECLINE: "declined", Outcome.REFER: "referred"}


def decision_payload(record: Mapping[str, Any]) -> dict[str, Any]:
    """The `decision.made` leaf payload of a record: its indexed facts and `record_digest`
    (sha256 of the whole record), which the decisions row digester recomputes."""
    keys = ("application_id", "outcome", "inputs_digest", "spec_digest", "policy_version",
            "policy_digest", "limit", "annual_rate")  # fmt: skip
    return {**{k: record[k] for k in keys}, "record_digest": digest(record)}


def decision_json(record: Mapping[str, Any]) -> str:
    """The stored text of a decision record (keys sorted, UTF-8 kept)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def _amount_text(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


def replay_inputs(inputs: DecisionInputs) -> dict[str, Any]:
    """What `decide` read besides the snapshot, as JSON (amounts as text): the facts, the limit
    request, term, dates and the LPR fixings it could read (`LPRSeries.excerpt`) — a replay
    re-scores the snapshot's features and rebuilds these."""
    facts = asdict(inputs.facts)
    facts["data_gaps"] = list(inputs.facts.data_gaps)
    facts["contradictions"] = [list(c) for c in inputs.facts.contradictions]
    req = inputs.limit
    series = (inputs.lpr_series or default_lpr_series()).excerpt(inputs.as_of)
    return {
        "lpr_series": {"version": series.version,
                       "fixings": [f.to_dict() for f in series.fixings]},
        "facts": facts,
        "limit": {"pd_12m": req.pd_12m, "requested": _amount_text(req.requested),
                  "working_capital_need": _amount_text(req.working_capital_need),
                  "existing_credit": _amount_text(req.existing_credit),
                  "existing_exposure": _amount_text(req.existing_exposure),
                  "revenue_cap": _amount_text(req.revenue_cap)},
        "term_months": inputs.term_months,
        "as_of": inputs.as_of.isoformat(),
        "decided_at": inputs.decided_at.isoformat(),
    }  # fmt: skip


def _offer_payload(offer: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "application_id": offer["application_id"],
        "amount_minor": offer["amount_minor"],
        "annual_rate": str(offer["annual_rate"]),
        "term_months": offer["term_months"],
    }


def offer_row(
    deps: FactoryDeps, application_id: str, record: Mapping[str, Any], term_months: int
) -> dict[str, Any]:
    """An open offer of the record's limit at its rate (the offers row, not stored)."""
    return {
        "offer_id": deps.ids.new("offer"),
        "application_id": application_id,
        "currency": "CNY",
        "amount_minor": Money.of(record["limit"]).to_minor(),
        "annual_rate": Decimal(record["annual_rate"]),
        "term_months": term_months,
        "product_key": deps.product_key,
        "status": "open",
        "expires_at": deps.clock.now() + timedelta(days=deps.offer_valid_days),
    }


def make_offer(
    uow: FactoryUnitOfWork,
    deps: FactoryDeps,
    application_id: str,
    record: Mapping[str, Any],
    term_months: int,
) -> dict[str, Any]:
    """Store an open offer of the record's limit at its rate; returns the row."""
    row = offer_row(deps, application_id, record, term_months)
    uow.applications.add_offer(row)
    return row


@dataclass(frozen=True)
class Booking:
    """An accepted offer contracted and disbursed in memory: the active loan (with its
    schedule), its disbursement journal entries and audit leaves, and the branch it belongs to
    (its application's); `store_booking` stores it."""

    loan: Loan
    entries: list[JournalEntry]
    leaves: list[AuditEntry]
    branch_id: str


def contract_offer(
    deps: FactoryDeps, offer: Mapping[str, Any], borrower_id: str, now: datetime, branch_id: str
) -> Booking:
    """Contract `offer` (schedule from its amount, rate and term, disbursed `now`) for a loan of
    `branch_id` (its application's) — pure.
    Disbursement, schedule and journal are dated by the business day in China of `now`
    (`china_date`), the day servicing counts from: a loan booked at 23:00 UTC is due and
    repayable from the next Chinese calendar day it was really booked on."""
    on = china_date(now)
    cmd = BookLoan(
        loan_id=deps.ids.new("loan"),
        borrower_id=borrower_id,
        product_key=offer["product_key"],
        principal=str(Money.from_minor(offer["amount_minor"]).amount),
        annual_rate=str(offer["annual_rate"]),
        term_months=offer["term_months"],
        disbursement_date=on,
    )
    loan = contract_loan(cmd)
    entries = disburse(loan, on)
    payload = {"offer_id": offer["offer_id"], "principal": cmd.principal,
               "annual_rate": cmd.annual_rate, "term_months": cmd.term_months}  # fmt: skip
    leaves = [
        _leaf("offer.accepted", offer["offer_id"], {"loan_id": cmd.loan_id}, deps),
        _leaf("loan.contracted", cmd.loan_id, payload, deps),
        _leaf(
            "loan.disbursed",
            cmd.loan_id,
            {"amount": cmd.principal, "date": on.isoformat()},
            deps,
        ),  # fmt: skip
    ]
    return Booking(loan, entries, leaves, branch_id)


def store_booking(uow: FactoryUnitOfWork, booking: Booking, now: datetime) -> None:
    """Store the loan and post its disbursement, in `uow`'s transaction."""
    uow.loans.add(booking.loan, booking.branch_id)
    uow.journal.add(booking.entries, now)


def book_and_disburse(
    uow: FactoryUnitOfWork,
    deps: FactoryDeps,
    offer: Mapping[str, Any],
    subject: str,
    branch_id: str,
) -> tuple[str, list[AuditEntry]]:
    """Accept `offer`: contract the loan (schedule) of `branch_id` (the application's branch),
    disburse it to the ledger, in `uow`'s transaction; returns the loan id and the audit leaves
    to append. raises OfferNotOpen when it was accepted meanwhile."""
    from creditfactory.service_layer.factory_ports import OfferNotOpen

    now = deps.clock.now()
    booking = contract_offer(deps, offer, uow.applications.borrower_id(subject), now, branch_id)
    loan_id = booking.loan.loan_id
    if not uow.applications.accept_offer(offer["offer_id"], now, loan_id):
        raise OfferNotOpen(f"offer_id: {offer['offer_id']} is not open")
    store_booking(uow, booking, now)
    return loan_id, booking.leaves
