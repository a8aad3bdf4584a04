"""SQL storage for the application flow, on the unit of work's connection (same transaction).

`FactoryUnitOfWork` is the servicing `SqlUnitOfWork` plus `.applications` (`ApplicationStore`):
applications (whose idempotency key `kernel.idempotency.run_once` claims), consents keyed by a
blind index of the subject, offers, officer actions, decision records, and audit leaves appended with
`audit_store.append_entries` in the same transaction. Identifiers are encrypted at rest; only
blind indexes and masked forms are readable without the key.

The statements of the application flow's hot path are built once at import (bound parameters)
and executed with parameter dicts: building a select()/insert() per call cost more than
running it on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from creditfactory.adapters.storage.access_store import (
    ApprovalStore,
    DecisionInputStore,
    ModelStore,
    OfficerStore,
)
from creditfactory.adapters.storage.audit_store import defer_entries
from creditfactory.adapters.storage.branch_store import BranchStore, within
from creditfactory.adapters.storage.decisioning_tables import decisions
from creditfactory.adapters.storage.loan_views import LoanViews
from creditfactory.adapters.storage.origination_tables import (
    applications,
    consents,
    offers,
    referral_actions,
)
from creditfactory.adapters.storage.pii import active_pii_cipher
from creditfactory.adapters.storage.rates_store import RatesStore
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.audit import AuditEntry
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.money import Money
from creditfactory.origination.consent import (
    Consent,
    ConsentChannel,
    ConsentPurpose,
    DataCategory,
)
from creditfactory.service_layer.factory_ports import DuplicateSubmission
from creditfactory.service_layer.origination_flow import decision_json
from creditfactory.service_layer.ownership import BranchScope

if TYPE_CHECKING:
    from creditfactory.adapters.storage.referral_views import ReferralViews

__all__ = [
    "ApplicationStore",
    "FactoryUnitOfWork",
    "borrower_id_for",
    "borrower_id_of_index",
    "reader_for",
    "subject_index",
]


_INSERT_APPLICATION = insert(applications)
_UPDATE_APPLICATION = (
    update(applications)
    .where(applications.c.application_id == bindparam("b_application_id"))
    .values(version=applications.c.version + 1)
)
_EXPOSURE = select(func.coalesce(func.sum(loans.c.principal_minor), 0)).where(
    loans.c.borrower_id == bindparam("b_borrower"),
    loans.c.status.in_(("approved", "active")),
)
# Open offers are commitments the borrower can take up at will: they count until accepted
# (then the loan counts), superseded or expired (findings H2: offers stacked past the caps).
_OPEN_OFFERS = select(func.coalesce(func.sum(offers.c.amount_minor), 0)).where(
    offers.c.application_id.in_(
        select(applications.c.application_id).where(
            applications.c.subject_bidx == bindparam("b_bidx")
        )
    ),
    offers.c.status == "open",
    offers.c.expires_at > bindparam("b_now"),
)
# The borrower's exposure is read, decided on and written in one transaction; on PostgreSQL
# two transactions of one borrower take turns on this advisory lock (class 0x6366 "cf", the
# key a hash of the blind index), on SQLite the writer turn already serialises them.
_LOCK_BORROWER = text("SELECT pg_advisory_xact_lock(25446, hashtext(:b_bidx))")
_INSERT_DECISION = insert(decisions)
_INSERT_OFFER = insert(offers)
_ACCEPT_OFFER = (
    update(offers)
    .where(offers.c.offer_id == bindparam("b_offer_id"), offers.c.status == "open")
    .values(status="accepted")
)


def subject_index(subject_id: str) -> str:
    """The blind index (HMAC-SHA256 hex) applications and consents find a subject by."""
    return active_pii_cipher().blind_index(subject_id, "subject")


def borrower_id_for(subject_id: str) -> str:
    """The pseudonymous borrower id loans carry: "bor_" + 24 hex of the subject's blind index."""
    return borrower_id_of_index(subject_index(subject_id))


def borrower_id_of_index(subject_bidx: str) -> str:
    """`borrower_id_for` from the blind index itself (a stored `subject_bidx`)."""
    return "bor_" + subject_bidx[:24]


class ApplicationStore:
    """Rows of the application flow on one connection (see module docstring)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    @property
    def _db(self) -> Any:
        return self._uow.connection

    def add(self, row: Mapping[str, Any]) -> None:
        """Insert the application (its key was claimed by `kernel.idempotency.run_once` in this
        transaction)."""
        subject = row["subject_id"]
        values = {k: v for k, v in row.items() if k != "subject_id"}
        values.update(subject_bidx=subject_index(subject), subject_id_enc=subject, version=0)
        self._db.execute(_INSERT_APPLICATION, values)

    def update(self, application_id: str, **changes: Any) -> None:
        """Change columns of one application; bumps `version`."""
        self._db.execute(_UPDATE_APPLICATION, {**changes, "b_application_id": application_id})

    def get(self, application_id: str) -> dict[str, Any] | None:
        """The application row (decrypted identifiers) or None."""
        row = self._db.execute(
            select(applications).where(applications.c.application_id == application_id)
        ).one_or_none()
        return None if row is None else dict(row._mapping)

    def recent(
        self, limit: int = 20, status: str | None = None, scope: BranchScope | None = None
    ) -> list[dict[str, Any]]:
        """Latest applications first (masked columns only), of `scope`'s branches when given."""
        cols = [
            applications.c.application_id,
            applications.c.applicant_type,
            applications.c.applicant_name_masked,
            applications.c.subject_masked,
            applications.c.requested_minor,
            applications.c.term_months,
            applications.c.status,
            applications.c.loan_id,
            applications.c.submitted_at,
        ]
        query = select(*cols).order_by(applications.c.submitted_at.desc()).limit(limit)
        if status is not None:
            query = query.where(applications.c.status == status)
        if scope is not None:
            query = query.where(within(applications.c.branch_id, scope))
        return [dict(r._mapping) for r in self._db.execute(query)]

    def counts(self) -> dict[str, int]:
        """Applications per status."""
        query = select(applications.c.status, func.count()).group_by(applications.c.status)
        return {s: int(n) for s, n in self._db.execute(query)}

    def exposure(self, subject_id: str, at: datetime | None) -> Money:
        """Principal of the subject's active and approved loans (booked amounts) plus its offers
        still open at `at`; `at` None: the booked principal only. CNY."""
        booked = self._db.execute(
            _EXPOSURE, {"b_borrower": borrower_id_for(subject_id)}
        ).scalar_one()
        if at is None:
            return Money.from_minor(int(booked))
        offered = self._db.execute(
            _OPEN_OFFERS, {"b_bidx": subject_index(subject_id), "b_now": at}
        ).scalar_one()
        return Money.from_minor(int(booked) + int(offered))

    def lock_borrower(self, subject_id: str) -> None:
        """Hold the subject's exposure until the transaction ends (PostgreSQL advisory lock;
        SQLite's writer turn does it); call before reading `exposure` in a writing unit."""
        if self._db.dialect.name == "postgresql":
            self._db.execute(_LOCK_BORROWER, {"b_bidx": subject_index(subject_id)})

    def consent_exists(self, consent_id: str) -> bool:
        """True when a consent with this id is stored."""
        query = select(consents.c.consent_id).where(consents.c.consent_id == consent_id)
        return self._db.execute(query).one_or_none() is not None

    def add_consent(self, consent: Consent, channel_id: str) -> None:
        """Store a consent recorded by API channel `channel_id` (raises DuplicateSubmission when
        its id exists: a concurrent re-send; call it first in its own transaction)."""
        try:
            row = _consent_row(consent)
            self._db.execute(insert(consents).values(**row, channel_id=channel_id))
        except IntegrityError as exc:
            raise DuplicateSubmission("consent", consent.consent_id) from exc

    def withdraw_consent(self, consent_id: str, channel_id: str, at: datetime) -> bool | None:
        """Mark a consent of `channel_id` withdrawn at `at` (first withdrawal wins): True when
        this call withdrew it, False when it was withdrawn before, None when unknown or another
        channel's."""
        found = self._db.execute(
            select(consents.c.consent_id).where(
                consents.c.consent_id == consent_id, consents.c.channel_id == channel_id
            )
        ).one_or_none()
        if found is None:
            return None
        done = self._db.execute(
            update(consents)
            .where(consents.c.consent_id == consent_id, consents.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at)
        )
        return bool(done.rowcount)

    def consents_for(self, subject_id: str, channel_id: str) -> list[Consent]:
        """Every consent of the subject (found by blind index) recorded by `channel_id`: a
        consent given through one channel never lets another pull data."""
        rows = self._db.execute(
            select(consents).where(
                consents.c.subject_bidx == subject_index(subject_id),
                consents.c.channel_id == channel_id,
            )
        )
        return [_consent(r, subject_id) for r in rows]

    def add_decision(
        self, record: Mapping[str, Any], decided_by: str, at: datetime, text: str | None = None
    ) -> str:
        """Store a decision record (the dict of `DecisionRecord.to_dict()`; `text`: its
        `decision_json` when the caller made it already); returns the stored record JSON (what
        `decisions_of` reads back)."""
        text = decision_json(record) if text is None else text
        self._db.execute(
            _INSERT_DECISION,
            {
                "decision_id": record["decision_id"],
                "application_id": record["application_id"],
                "outcome": record["outcome"],
                "decided_by": decided_by,
                "policy_version": record["policy_version"],
                "spec_digest": record["spec_digest"],
                "inputs_digest": record["inputs_digest"],
                "currency": "CNY",
                "limit_minor": Money.of(record["limit"]).to_minor(),
                "record": text,
                "decided_at": at,
            },
        )
        return text

    def decisions_of(self, application_id: str) -> list[dict[str, Any]]:
        """Decision records of an application, oldest first, with `decided_by`."""
        rows = self._db.execute(
            select(decisions.c.record, decisions.c.decided_by)
            .where(decisions.c.application_id == application_id)
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )
        return [{**json.loads(r[0]), "decided_by": r[1]} for r in rows]

    def decision_row(self, decision_id: str) -> dict[str, Any] | None:
        """The decisions row (record JSON text in `record`) or None."""
        query = select(decisions).where(decisions.c.decision_id == decision_id)
        row = self._db.execute(query).one_or_none()
        return None if row is None else dict(row._mapping)

    def recent_decisions(self, limit: int = 20) -> list[dict[str, Any]]:
        """Latest decisions (outcome, policy, limit) first."""
        rows = self._db.execute(
            select(
                decisions.c.decision_id,
                decisions.c.application_id,
                decisions.c.outcome,
                decisions.c.decided_by,
                decisions.c.policy_version,
                decisions.c.limit_minor,
                decisions.c.decided_at,
            )
            .order_by(decisions.c.decided_at.desc())
            .limit(limit)
        )
        return [dict(r._mapping) for r in rows]

    def add_offer(self, row: Mapping[str, Any]) -> None:
        """Insert an offer row (see origination_tables.offers)."""
        self._db.execute(_INSERT_OFFER, dict(row))

    def owning_channel(self, kind: str, object_id: str) -> str | None:
        """The API channel that owns an object a channel can address — `kind` "application",
        "offer", "loan" (through the application that booked it) or "consent" —, or None when
        unknown or owned by none (e.g. a loan booked outside the API). raises KeyError for
        another kind."""
        query = {
            "application": select(applications.c.channel_id).where(
                applications.c.application_id == object_id
            ),
            "offer": select(applications.c.channel_id)
            .join(offers, offers.c.application_id == applications.c.application_id)
            .where(offers.c.offer_id == object_id),
            "loan": select(applications.c.channel_id).where(applications.c.loan_id == object_id),
            "consent": select(consents.c.channel_id).where(consents.c.consent_id == object_id),
        }[kind]
        found = self._db.execute(query.limit(1)).one_or_none()
        return None if found is None else found[0]

    def get_offer(self, offer_id: str) -> dict[str, Any] | None:
        """The offer row or None."""
        row = self._db.execute(select(offers).where(offers.c.offer_id == offer_id)).one_or_none()
        return None if row is None else dict(row._mapping)

    def accept_offer(self, offer_id: str, at: datetime, loan_id: str) -> bool:
        """Open → accepted with the loan; False when someone accepted it first."""
        result = self._db.execute(
            _ACCEPT_OFFER, {"b_offer_id": offer_id, "accepted_at": at, "loan_id": loan_id}
        )
        return bool(result.rowcount == 1)

    def supersede_offer(self, offer_id: str) -> None:
        """An open offer replaced by an override: status "superseded"."""
        self._db.execute(
            update(offers)
            .where(offers.c.offer_id == offer_id, offers.c.status == "open")
            .values(status="superseded")
        )

    def add_action(self, row: Mapping[str, Any]) -> None:
        """Record an officer's maker or checker action on a referral."""
        self._db.execute(insert(referral_actions).values(**row))

    def actions_of(self, application_id: str) -> list[dict[str, Any]]:
        """Officer actions on an application, oldest first."""
        rows = self._db.execute(
            select(referral_actions)
            .where(referral_actions.c.application_id == application_id)
            .order_by(referral_actions.c.at, referral_actions.c.action_id)
        )
        return [dict(r._mapping) for r in rows]

    def audit(self, entries: Sequence[AuditEntry]) -> None:
        """Audit leaves of this transaction, appended in one batch when the unit of work
        commits (`audit_store.defer_entries`)."""
        if entries:
            defer_entries(self._db, entries)

    def borrower_id(self, subject_id: str) -> str:
        """See `borrower_id_for`."""
        return borrower_id_for(subject_id)


def _consent_row(c: Consent) -> dict[str, Any]:
    return {
        "consent_id": c.consent_id,
        "subject_bidx": subject_index(c.subject_id),
        "purpose": c.purpose.value,
        "categories": ",".join(sorted(x.value for x in c.categories)),
        "text_version": c.version,
        "channel": c.channel.value,
        "separate": c.separate,
        "given_at": c.given_at,
        "expires_at": c.expires_at,
        "withdrawn_at": c.withdrawn_at,
    }


def _consent(r: Any, subject_id: str) -> Consent:
    return Consent(
        consent_id=r.consent_id,
        subject_id=subject_id,
        purpose=ConsentPurpose(r.purpose),
        categories=frozenset(DataCategory(x) for x in r.categories.split(",")),
        version=r.text_version,
        channel=ConsentChannel(r.channel),
        given_at=r.given_at,
        separate=r.separate,
        expires_at=r.expires_at,
        withdrawn_at=r.withdrawn_at,
    )


class FactoryUnitOfWork(SqlUnitOfWork):
    """`SqlUnitOfWork` with the application-flow store, maker-checker items, officers, model
    specs / policies, decision replay inputs, LPR fixings, branches and the workbench's read
    queries (`referral_views`, `loan_views`) on the same transaction."""

    applications: ApplicationStore
    approvals: ApprovalStore
    officers: OfficerStore
    models: ModelStore
    decision_inputs: DecisionInputStore
    rates: RatesStore
    branches: BranchStore
    referral_views: ReferralViews
    loan_views: LoanViews

    def __init__(self, engine: Engine, clock: Clock, *, writer: bool = True) -> None:
        super().__init__(engine, clock, writer=writer)
        self.applications = ApplicationStore(self)

    def __enter__(self) -> FactoryUnitOfWork:
        super().__enter__()
        self.approvals = ApprovalStore(self.connection)
        self.officers = OfficerStore(self.connection)
        self.models = ModelStore(self.connection)
        self.decision_inputs = DecisionInputStore(self.connection)
        self.rates = RatesStore(self.connection)
        self.branches = BranchStore(self.connection)
        from creditfactory.adapters.storage.referral_views import ReferralViews  # imports this

        self.referral_views = ReferralViews(self.connection)
        self.loan_views = LoanViews(self.connection)
        return self


def reader_for(engine: Engine, clock: Clock) -> Callable[[], FactoryUnitOfWork] | None:
    """`FactoryDeps.read` for `engine`: read-only units of work on SQLite, whose one writer turn
    is then held only for the writes (`python -m bench.run flow`: the turn per application);
    None on PostgreSQL, whose writers run in parallel, so deciding inside the transaction saves
    a read."""
    if engine.dialect.name != "sqlite":
        return None
    return lambda: FactoryUnitOfWork(engine, clock, writer=False)
