"""Offer acceptance and the referral queue's maker-checker decisions.

Maker-checker (issues 6, 7): a referred application needs two officers — a maker recommends
approve or decline (a pending `referral_decision` item; one open item per application, else
409), a checker whose role holds `referral_decision.approve` confirms; the checker is never the
maker (403), and a check without a pending recommendation is refused (403). The confirmation is
the checked action: it approves and executes the item in one transaction.
An approval creates an offer from the referred decision's sized limit and price (the officer
does not reprice); the borrower accepts it with `accept_offer`, which contracts and disburses.
Whose offer it is, is checked once for every channel route by the ownership dependency
(`service_layer/ownership.require_channel_owns`, run by `adapters/api/security.authorize`): an
offer of another channel is 404 before `accept_offer` runs, so it does not check again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from creditfactory.access import (
    DEFAULT_ACCESS,
    AccessPolicy,
    ApprovalKind,
    ApprovalStatus,
    approve,
    executed,
    reject,
)
from creditfactory.audit import AuditEntry
from creditfactory.decisioning import exposure_breach, officer_reason
from creditfactory.decisioning.override import Override
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.idempotency import run_once
from creditfactory.kernel.money import Money
from creditfactory.service_layer.approval_flow import open_item
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    ExposureCapExceeded,
    FactoryDeps,
    MakerCheckerViolation,
    OfferNotOpen,
)
from creditfactory.service_layer.factory_views import application_view
from creditfactory.service_layer.origination_flow import (
    book_and_disburse,
    decision_payload,
    make_offer,
)
from creditfactory.service_layer.referral_override import apply_override

__all__ = ["accept_offer", "check_referral", "recommend_referral", "return_referral"]

ACTIONS = ("approve", "decline")
"""What a loan officer recommends; a checker also records "return" (`return_referral`)."""


def _leaf(
    deps: FactoryDeps, actor: str, action: str, subject: str, payload: dict[str, Any]
) -> AuditEntry:
    return AuditEntry(actor, action, subject, payload, deps.clock.now())


def accept_offer(deps: FactoryDeps, offer_id: str, channel_id: str) -> dict[str, Any]:
    """Accept an open offer of `channel_id`'s application: contract + disburse, once per
    (channel, offer) through the idempotency mechanism (`kernel.idempotency.run_once`): a retry
    or a concurrent duplicate gets the first response, one loan. The borrower's booked principal
    is re-read under the borrower's lock and the caps re-checked in the same transaction (rule
    K11: the other open offers are alternatives the decisions already counted; what is booked
    must stay within the caps whatever was offered, e.g. under an earlier policy).
    raises ApplicationNotFound, OfferNotOpen (expired), ExposureCapExceeded (K11: nothing
    booked)."""

    def work(uow: Any) -> dict[str, Any]:
        offer = uow.applications.get_offer(offer_id)
        if offer is None:  # whose offer it is was checked before the route ran (module docstring)
            raise ApplicationNotFound(f"offer_id: no offer {offer_id!r}")
        app = uow.applications.get(offer["application_id"])
        if offer["status"] == "accepted":  # accepted before its key was kept
            view: dict[str, Any] = application_view(uow, app["application_id"], deps)
            return view
        now = deps.clock.now()
        if offer["expires_at"] <= now:
            raise OfferNotOpen(f"offer_id: {offer_id} expired")
        subject = app["subject_id_enc"]
        uow.applications.lock_borrower(subject)
        existing = uow.applications.exposure(subject, None)
        amount = Money.from_minor(offer["amount_minor"])
        breach = exposure_breach(amount, existing, deps.policy.limits)
        if breach is not None:
            raise ExposureCapExceeded(offer_id, amount, existing, *breach)
        loan_id, leaves = book_and_disburse(uow, deps, offer, subject, app["branch_id"])
        uow.applications.update(
            app["application_id"], status="disbursed", loan_id=loan_id, updated_at=deps.clock.now()
        )
        uow.applications.audit(leaves)
        accepted: dict[str, Any] = application_view(uow, app["application_id"], deps)
        return accepted

    key = f"{channel_id}:{offer_id}"
    return run_once(deps.uow(), "offer.accept", key, {"offer_id": offer_id}, work, deps.clock.now)


def _referred(deps: FactoryDeps, uow: Any, application_id: str) -> dict[str, Any]:
    app = uow.applications.get(application_id)
    if app is None:
        raise ApplicationNotFound(f"application_id: no application {application_id!r}")
    if app["status"] != "referred":
        raise OfferNotOpen(f"application_id: {application_id} is {app['status']}, not referred")
    return dict(app)


def recommend_referral(
    deps: FactoryDeps,
    application_id: str,
    officer_id: str,
    action: str,
    note: str,
    role: str = "loan_officer",
    access: AccessPolicy = DEFAULT_ACCESS,
) -> dict[str, Any]:
    """Maker step: a pending recommendation (approve | decline) on a referred application.
    raises SubjectBusy (409) while another is open, PermissionDenied for the role."""
    if action not in ACTIONS:
        raise MakerCheckerViolation("action: approve | decline")
    with deps.uow() as uow:
        _referred(deps, uow, application_id)
        item = open_item(uow, access, ApprovalKind.REFERRAL_DECISION,
                         f"application:{application_id}", {"action": action}, officer_id, role,
                         note, deps)  # fmt: skip
        row = _action_row(deps, application_id, officer_id, "maker", action, note)
        uow.applications.add_action(row)
        uow.applications.audit(
            [_leaf(deps, officer_id, "referral.recommended", application_id, {"action": action})]
        )
        uow.commit()
    return {"application_id": application_id, "recommendation": action, "maker": officer_id,
            "approval_id": item.approval_id}  # fmt: skip


def _action_row(
    deps: FactoryDeps, application_id: str, officer_id: str, role: str, action: str, note: str
) -> dict[str, Any]:
    return {
        "action_id": deps.ids.new("act"),
        "application_id": application_id,
        "officer_id": officer_id,
        "role": role,
        "action": action,
        "note": note[:500],
        "at": deps.clock.now(),
    }


def check_referral(
    deps: FactoryDeps,
    application_id: str,
    officer_id: str,
    officer_role: str,
    note: str = "",
    access: AccessPolicy = DEFAULT_ACCESS,
    override: Override | None = None,
) -> dict[str, Any]:
    """Checker step: confirm the pending recommendation, which decides the application. An
    approval may carry the approver's `override` of amount, term or rate within the policy's and
    product's bounds, with a reason (`referral_override`: the record says from → to and why).
    raises MakerCheckerViolation when there is no pending recommendation, the checker is the
    maker, or the role may not check; ValidationError naming the override's field (422), also
    for an override on a recommended decline."""
    now = deps.clock.now()
    with deps.uow() as uow:
        app = _referred(deps, uow, application_id)
        item = uow.approvals.open_for(f"application:{application_id}")
        if item is None or item.kind is not ApprovalKind.REFERRAL_DECISION:
            raise MakerCheckerViolation("recommendation: no pending maker recommendation")
        done = executed(approve(access, item, officer_id, officer_role, now), officer_id, now)
        if not uow.approvals.save(done, ApprovalStatus.PENDING):
            raise OfferNotOpen(f"application_id: {application_id} was checked meanwhile")
        action, maker = item.params["action"], item.maker
        uow.applications.add_action(
            _action_row(deps, application_id, officer_id, "checker", action, note)
        )
        record = _officer_record(deps, uow, app, action, maker, officer_id, now)
        term = app["term_months"]
        if override is not None:
            if action != "approve":
                raise ValidationError("override", "only an approval carries changed terms")
            term = apply_override(deps, uow, app, record, override, maker, officer_id)
        uow.applications.add_decision(json.loads(json.dumps(record)), officer_id, now)
        changes: dict[str, Any] = {"status": "approved" if action == "approve" else "declined"}
        if action == "approve":
            offer = make_offer(uow, deps, application_id, record, term)
            changes["offer_id"] = offer["offer_id"]
        uow.applications.update(application_id, updated_at=now, **changes)
        uow.applications.audit(
            [_leaf(deps, officer_id, "approval.executed", f"application:{application_id}",
                   {"approval_id": item.approval_id, "kind": item.kind.value, "maker": maker,
                    "checker": officer_id, "params": dict(item.params), "status": "executed"}),
             _leaf(deps, officer_id, "decision.made", record["decision_id"],
                   {**decision_payload(record), "decided_by": officer_id, "maker": maker,
                    "checker": officer_id})]
        )  # fmt: skip
        view = application_view(uow, application_id, deps)
        uow.commit()
    return view


def return_referral(
    deps: FactoryDeps,
    application_id: str,
    officer_id: str,
    officer_role: str,
    note: str,
    access: AccessPolicy = DEFAULT_ACCESS,
) -> dict[str, Any]:
    """Checker step: send the pending recommendation back to the loan officers (退回) with a
    note saying why — the item is rejected (leaf `approval.rejected`), the application stays
    referred and is free for a new recommendation. The same four-eyes rules as a check: never
    the maker, a role holding `referral_decision.approve`.
    raises ValidationError("note") without a note, MakerCheckerViolation as `check_referral`."""
    if not note.strip():
        raise ValidationError("note", "say why the recommendation goes back")
    now = deps.clock.now()
    subject = f"application:{application_id}"
    with deps.uow() as uow:
        _referred(deps, uow, application_id)
        item = uow.approvals.open_for(subject)
        if item is None or item.kind is not ApprovalKind.REFERRAL_DECISION:
            raise MakerCheckerViolation("recommendation: no pending maker recommendation")
        done = reject(access, item, officer_id, officer_role, now)
        if not uow.approvals.save(done, ApprovalStatus.PENDING):
            raise OfferNotOpen(f"application_id: {application_id} was checked meanwhile")
        uow.applications.add_action(
            _action_row(deps, application_id, officer_id, "checker", "return", note)
        )
        uow.applications.audit(
            [_leaf(deps, officer_id, "approval.rejected", subject,
                   {"approval_id": item.approval_id, "kind": item.kind.value,
                    "maker": item.maker, "checker": officer_id, "params": dict(item.params),
                    "status": done.status.value, "note": note[:500]})]
        )  # fmt: skip
        view = application_view(uow, application_id, deps)
        uow.commit()
    return view


def _officer_record(
    deps: FactoryDeps,
    uow: Any,
    app: dict[str, Any],
    action: str,
    maker: str,
    checker: str,
    now: datetime,
) -> dict[str, Any]:
    automatic = uow.applications.decisions_of(app["application_id"])[0]
    if action == "approve" and automatic.get("annual_rate") is None:
        raise MakerCheckerViolation("decision: the referred decision has no priced limit")
    record = {k: v for k, v in automatic.items() if k != "decided_by"}
    record.update(
        decision_id=deps.ids.new("dec"),
        outcome="approve" if action == "approve" else "decline",
        reasons=[*automatic["reasons"], officer_reason(action, maker, checker).to_dict()],
        decided_at=now.isoformat(),
        overrides=automatic["decision_id"],
    )  # fmt: skip
    return record
