"""Offer acceptance, consent withdrawal and the referral queue's maker-checker decisions.

Maker-checker (issue 6): a referred application needs two officers — a maker recommends
approve or decline, a checker with the `approver` role confirms; the checker is never the maker.
An approval creates an offer from the referred decision's sized limit and price (the officer
does not reprice); the borrower accepts it with `accept_offer`, which contracts and disburses.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from creditfactory.audit import AuditEntry
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryDeps,
    MakerCheckerViolation,
    OfferNotOpen,
)
from creditfactory.service_layer.factory_views import application_view
from creditfactory.service_layer.origination_flow import book_and_disburse, make_offer

__all__ = ["accept_offer", "check_referral", "recommend_referral", "withdraw_consent_by_id"]

ACTIONS = ("approve", "decline")


def _leaf(
    deps: FactoryDeps, actor: str, action: str, subject: str, payload: dict[str, Any]
) -> AuditEntry:
    return AuditEntry(actor, action, subject, payload, deps.clock.now())


def accept_offer(deps: FactoryDeps, offer_id: str, channel_id: str) -> dict[str, Any]:
    """Accept an open offer of `channel_id`'s application: contract + disburse. Accepting an
    accepted offer again returns the application (idempotent). raises ApplicationNotFound,
    OfferNotOpen (expired)."""
    with deps.uow() as uow:
        offer = uow.applications.get_offer(offer_id)
        app = None if offer is None else uow.applications.get(offer["application_id"])
        if offer is None or app is None or app["channel_id"] != channel_id:
            raise ApplicationNotFound(f"offer_id: no offer {offer_id!r}")
        if offer["status"] == "accepted":
            return application_view(uow, app["application_id"])
        if offer["expires_at"] <= deps.clock.now():
            raise OfferNotOpen(f"offer_id: {offer_id} expired")
        loan_id, leaves = book_and_disburse(uow, deps, offer, app["subject_id_enc"])
        uow.applications.update(
            app["application_id"], status="disbursed", loan_id=loan_id, updated_at=deps.clock.now()
        )
        uow.applications.audit(leaves)
        view = application_view(uow, app["application_id"])
        uow.commit()
    return view


def withdraw_consent_by_id(deps: FactoryDeps, consent_id: str, actor: str) -> None:
    """Withdraw a consent now (PIPL Art 15); later pulls through the gate stop. raises
    ApplicationNotFound for an unknown id."""
    with deps.uow() as uow:
        if not uow.applications.withdraw_consent(consent_id, deps.clock.now()):
            raise ApplicationNotFound(f"consent_id: no consent {consent_id!r}")
        uow.applications.audit([_leaf(deps, actor, "consent.withdrawn", consent_id, {})])
        uow.commit()


def _referred(deps: FactoryDeps, uow: Any, application_id: str) -> dict[str, Any]:
    app = uow.applications.get(application_id)
    if app is None:
        raise ApplicationNotFound(f"application_id: no application {application_id!r}")
    if app["status"] != "referred":
        raise OfferNotOpen(f"application_id: {application_id} is {app['status']}, not referred")
    return dict(app)


def recommend_referral(
    deps: FactoryDeps, application_id: str, officer_id: str, action: str, note: str
) -> dict[str, Any]:
    """Maker step: record a recommendation (approve | decline) on a referred application."""
    if action not in ACTIONS:
        raise MakerCheckerViolation("action: approve | decline")
    with deps.uow() as uow:
        _referred(deps, uow, application_id)
        row = _action_row(deps, application_id, officer_id, "maker", action, note)
        uow.applications.add_action(row)
        uow.applications.audit(
            [_leaf(deps, officer_id, "referral.recommended", application_id, {"action": action})]
        )
        uow.commit()
    return {"application_id": application_id, "recommendation": action, "maker": officer_id}


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
    deps: FactoryDeps, application_id: str, officer_id: str, officer_role: str, note: str = ""
) -> dict[str, Any]:
    """Checker step: confirm the latest recommendation. raises MakerCheckerViolation when the
    checker is the maker, lacks the approver role, or there is no recommendation."""
    if officer_role not in ("approver", "admin"):
        raise MakerCheckerViolation("role: only an approver may check a referral")
    now = deps.clock.now()
    with deps.uow() as uow:
        app = _referred(deps, uow, application_id)
        makers = [a for a in uow.applications.actions_of(application_id) if a["role"] == "maker"]
        if not makers:
            raise MakerCheckerViolation("recommendation: no maker recommendation yet")
        maker = makers[-1]
        if maker["officer_id"] == officer_id:
            raise MakerCheckerViolation("officer_id: the checker must not be the maker")
        action = maker["action"]
        uow.applications.add_action(
            _action_row(deps, application_id, officer_id, "checker", action, note)
        )
        record = _officer_record(deps, uow, app, action, maker["officer_id"], officer_id, now)
        changes: dict[str, Any] = {"status": "approved" if action == "approve" else "declined"}
        if action == "approve":
            offer = make_offer(uow, deps, application_id, record, app["term_months"])
            changes["offer_id"] = offer["offer_id"]
        uow.applications.update(application_id, updated_at=now, **changes)
        uow.applications.audit(
            [_leaf(deps, officer_id, "decision.made", record["decision_id"],
                   {"outcome": record["outcome"], "maker": maker["officer_id"],
                    "checker": officer_id, "application_id": application_id})]
        )  # fmt: skip
        view = application_view(uow, application_id)
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
        reasons=[*automatic["reasons"], {"code": "OFFICER", "kind": "officer",
                 "zh": f"人工审核：{maker} 提议，{checker} 复核", "en": f"manual review: "
                 f"{maker} recommended, {checker} checked"}],
        decided_at=now.isoformat(),
        overrides=automatic["decision_id"],
    )  # fmt: skip
    uow.applications.add_decision(json.loads(json.dumps(record)), checker, now)
    return record
