"""Consents recorded and withdrawn on their own (授权书; PIPL Art 14, 15), once per
Idempotency-Key through THE idempotency mechanism (`kernel.idempotency.run_once`): the key is
claimed, the consent stored or withdrawn with its audit leaf and the response recorded in one
transaction, so concurrent duplicates or a retry after a `kill -9` record one consent (one
withdrawal) and get the first response; the same key with another body → 409.

Keys are scoped by the channel ("<channel>:<key>", as for repayments): another channel's key
never answers with this channel's consent. A consent recorded here gets a fresh id (the key
makes the recording happen once, so the id need not be derived from it); the consent sent with
an application or a limit estimate keeps the id derived from that request
(`origination_flow.record_given_consent`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from creditfactory.audit import AuditEntry
from creditfactory.kernel.idempotency import run_once
from creditfactory.origination import ConsentPurpose
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryDeps,
    FactoryUnitOfWork,
)
from creditfactory.service_layer.origination_flow import (
    ConsentGiven,
    given_consent,
    store_consent,
)

__all__ = ["record_consent_once", "withdraw_consent_once"]


def record_consent_once(
    deps: FactoryDeps,
    subject_id: str,
    given: ConsentGiven,
    purpose: ConsentPurpose,
    channel_id: str,
    key: str,
) -> dict[str, Any]:
    """Record `given` for `subject_id` once per (channel, key); returns {"consent_id"}.
    raises ValidationError("consent"), IdempotencyKeyReused (409)."""
    request = {"subject_id": subject_id, "purpose": purpose.value, "consent": asdict(given)}

    def work(uow: FactoryUnitOfWork) -> dict[str, Any]:
        consent = given_consent(deps, deps.ids.new("consent"), subject_id, given, purpose)
        store_consent(uow, deps, consent, given, channel_id)
        return {"consent_id": consent.consent_id}

    scoped = f"{channel_id}:{key}"
    return run_once(deps.uow(), "consent.record", scoped, request, work, deps.clock.now)


def withdraw_consent_once(
    deps: FactoryDeps, consent_id: str, channel_id: str, key: str
) -> dict[str, Any]:
    """Withdraw a consent of `channel_id` now (PIPL Art 15; later pulls through the gate stop),
    once per (channel, key); returns {"consent_id", "withdrawn": true}. A consent withdrawn
    before stays withdrawn at its first time, and withdrawing it again (another key) answers the
    same 200 with no second effect: no `consent.withdrawn` leaf (attack13 finding 7). raises ApplicationNotFound for an unknown id or
    another channel's consent, IdempotencyKeyReused (409)."""

    def work(uow: FactoryUnitOfWork) -> dict[str, Any]:
        now = deps.clock.now()
        withdrawn = uow.applications.withdraw_consent(consent_id, channel_id, now)
        if withdrawn is None:
            raise ApplicationNotFound(f"consent_id: no consent {consent_id!r}")
        if withdrawn:  # once per consent: a repeat withdrawal records nothing
            leaf = AuditEntry(channel_id, "consent.withdrawn", consent_id, {}, now)
            uow.applications.audit([leaf])
        return {"consent_id": consent_id, "withdrawn": True}

    scoped = f"{channel_id}:{key}"
    request = {"consent_id": consent_id}
    return run_once(deps.uow(), "consent.withdraw", scoped, request, work, deps.clock.now)
