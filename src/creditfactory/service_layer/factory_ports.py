"""Ports of the application flow ("310"): what the use cases need from storage and the world.

`FactoryUnitOfWork` is one database transaction with the servicing repositories (loans,
journal) and `applications` (an `ApplicationStore`); the SQL implementation lives in
`adapters.storage.origination_store`. `FactoryDeps` carries the frozen model spec, the policy,
the data sources, the clock and the id factory — everything a decision depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from creditfactory.audit import AuditEntry
from creditfactory.decisioning import DEFAULT_POLICY, DecisionPolicy
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.errors import DomainError
from creditfactory.kernel.idempotency import IdempotencyKeyReused, IdempotencyStore
from creditfactory.kernel.ids import IdFactory
from creditfactory.kernel.money import Money
from creditfactory.origination import Consent, DataSources, RegionRegistry
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.scoring import ScorecardSpec
from creditfactory.servicing.ports import JournalRepository, LoanRepository

__all__ = [
    "ApplicationNotFound",
    "ApplicationStore",
    "DuplicateSubmission",
    "ExposureCapExceeded",
    "FactoryDeps",
    "FactoryUnitOfWork",
    "FlowError",
    "IdempotencyKeyReused",
    "MakerCheckerViolation",
    "OfferNotOpen",
    "OfficeDeps",
    "OfficeWiring",
]


class FlowError(DomainError):
    """Root of the application-flow errors.

    FlowError
    ├── DuplicateSubmission      a consent id derived from a request is stored already
    ├── ApplicationNotFound      unknown application / offer / consent id (HTTP 404)
    ├── OfferNotOpen             accepted, expired or not yours (HTTP 409)
    │   └── ExposureCapExceeded  accepting would exceed an exposure cap, rule K11 (HTTP 409)
    └── MakerCheckerViolation    the checker is the maker, or lacks the role (HTTP 403)

    `IdempotencyKeyReused` (same key, different request; HTTP 409) is the one mechanism's,
    `kernel.idempotency`, re-exported here.
    """


class DuplicateSubmission(FlowError):
    """A unique id derived from a request refused a second insert (a consent re-sent with a
    retried application or estimate, `origination_flow.record_given_consent`)."""

    def __init__(self, channel_id: str, key: str) -> None:
        super().__init__(f"idempotency_key: {key!r} already used by {channel_id}")


class ApplicationNotFound(FlowError):
    """No such application, offer or consent (for this caller)."""


class OfferNotOpen(FlowError):
    """The offer cannot be accepted (already accepted, expired, or not yours)."""


class ExposureCapExceeded(OfferNotOpen):
    """Rule K11: accepting the offer would take the borrower's booked principal above the 普惠
    or single-borrower cap; nothing is booked."""

    field = "offer_id"
    rule = "K11"

    def __init__(self, offer_id: str, amount: Money, existing: Money, cap_name: str, cap: Money):
        label = {"concentration": "single-borrower concentration cap (单一借款人集中度上限)",
                 "inclusive_cap": "普惠 small-business credit cap (普惠小微授信上限)"}[cap_name]  # fmt: skip
        super().__init__(
            f"offer_id: K11 accepting {offer_id} ({amount.amount:,.2f} CNY) would take the "
            f"borrower's booked exposure from {existing.amount:,.2f} to "
            f"{(existing + amount).amount:,.2f} CNY, above the {label} of "
            f"{cap.amount:,.2f} CNY; nothing was booked"
        )


class MakerCheckerViolation(FlowError):
    """An officer may not check their own recommendation, and only approvers check."""


class ApplicationStore(Protocol):
    """Application-flow rows (see adapters.storage.origination_store.ApplicationStore)."""

    def add(self, row: Mapping[str, Any]) -> None: ...
    def update(self, application_id: str, **changes: Any) -> None: ...
    def get(self, application_id: str) -> dict[str, Any] | None: ...
    def exposure(self, subject_id: str, at: datetime | None) -> Money: ...
    def lock_borrower(self, subject_id: str) -> None: ...
    def consent_exists(self, consent_id: str) -> bool: ...
    def add_consent(self, consent: Consent, channel_id: str) -> None: ...
    def withdraw_consent(self, consent_id: str, channel_id: str, at: datetime) -> bool | None: ...
    def consents_for(self, subject_id: str, channel_id: str) -> list[Consent]: ...
    def owning_channel(self, kind: str, object_id: str) -> str | None: ...
    def add_decision(
        self, record: Mapping[str, Any], decided_by: str, at: datetime, text: str | None = None
    ) -> str: ...
    def decisions_of(self, application_id: str) -> list[dict[str, Any]]: ...
    def add_offer(self, row: Mapping[str, Any]) -> None: ...
    def get_offer(self, offer_id: str) -> dict[str, Any] | None: ...
    def accept_offer(self, offer_id: str, at: datetime, loan_id: str) -> bool: ...
    def supersede_offer(self, offer_id: str) -> None: ...
    def add_action(self, row: Mapping[str, Any]) -> None: ...
    def actions_of(self, application_id: str) -> list[dict[str, Any]]: ...
    def audit(self, entries: Sequence[AuditEntry]) -> None: ...
    def borrower_id(self, subject_id: str) -> str: ...


class FactoryUnitOfWork(Protocol):
    """One transaction: loans, journal and the application store."""

    @property
    def loans(self) -> LoanRepository: ...
    @property
    def journal(self) -> JournalRepository: ...
    @property
    def applications(self) -> ApplicationStore: ...
    @property
    def idempotency(self) -> IdempotencyStore: ...

    # maker-checker items, officers, model specs / policies, replay inputs, LPR fixings, branches
    # (adapters.storage.access_store, rates_store, branch_store; typed loosely: only the service
    # layer reads them)
    approvals: Any
    officers: Any
    models: Any
    decision_inputs: Any
    rates: Any
    branches: Any
    referral_views: Any  # the workbench's read queries (adapters.storage.referral_views)
    loan_views: Any  # the loan and audit pages' (adapters.storage.loan_views)

    def __enter__(self) -> FactoryUnitOfWork: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


@dataclass
class FactoryDeps:
    """What the flow is wired with. `spec_digest` is the sha256 of the frozen spec JSON;
    `product_key` the servicing product booked for approvals; `offer_valid_days` how long an
    offer stays open."""

    uow: Callable[[], FactoryUnitOfWork]
    spec: ScorecardSpec
    spec_digest: str
    clock: Clock
    ids: IdFactory
    sources: DataSources = field(default_factory=DataSources)
    policy: DecisionPolicy = DEFAULT_POLICY
    regions: RegionRegistry | None = None
    product_key: str = "sme-term@2024.1"
    offer_valid_days: int = 7
    # The published LPR series decisions price on (service_layer.rates_flow.published_series:
    # the shipped series extended by fixings published through maker-checker); None: shipped.
    lpr_series: LPRSeries | None = None
    # A unit of work for reads only that does not wait for the database's writer turn. Set
    # (SQLite), the flow decides, prices and contracts before its write transaction, which
    # then holds the single writer turn only for the writes; None decides inside it.
    read: Callable[[], FactoryUnitOfWork] | None = None
    # The maker-checker approval the spec is served under (service_layer.model_approval): set
    # when its report's checks fail (or it was published); None when they pass. Named in every
    # decision record.
    model_approval: str | None = None


class OfficeWiring(Protocol):
    """What the officer use cases (approvals, LPR imports) need: transactions, time and ids.
    `FactoryDeps` has it; a command-line tool without a model builds `OfficeDeps`."""

    @property
    def uow(self) -> Callable[[], FactoryUnitOfWork]: ...
    @property
    def read(self) -> Callable[[], FactoryUnitOfWork] | None: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def ids(self) -> IdFactory: ...


@dataclass(frozen=True)
class OfficeDeps:
    """`OfficeWiring` on its own."""

    uow: Callable[[], FactoryUnitOfWork]
    clock: Clock
    ids: IdFactory
    read: Callable[[], FactoryUnitOfWork] | None = None
