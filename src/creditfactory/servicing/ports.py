"""Ports the servicing use cases need: repositories and a unit of work (Protocols only).

Adapters implement them (SQLAlchemy in `adapters/storage`, in-memory fakes in tests). A unit of
work is one database transaction: everything a use case changes commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol

from creditfactory.kernel.idempotency import IdempotencyStore
from creditfactory.kernel.money import Money
from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.facility import CreditFacility
from creditfactory.servicing.loan import Loan

__all__ = [
    "AuditTrail",
    "FacilityRepository",
    "IdempotencyStore",
    "JournalRepository",
    "LoanRepository",
    "UnitOfWork",
]


class LoanRepository(Protocol):
    """Loans by id; `save` enforces optimistic concurrency on `Loan.version`."""

    def add(self, loan: Loan, branch_id: str | None = None) -> None:
        """Store a new loan; `branch_id` is the organisation unit it belongs to (the storage's
        default, the head office, when None)."""
        ...

    def lock(self, loan_id: str) -> None: ...

    def get(self, loan_id: str) -> Loan: ...

    def get_many(self, loan_ids: Sequence[str]) -> list[Loan]: ...

    def save(self, loan: Loan) -> None: ...

    def ids_to_close(self, business_date: date, limit: int, after: str) -> Sequence[str]: ...

    def ids_after(self, after: str, limit: int) -> Sequence[str]: ...


class FacilityRepository(Protocol):
    """Credit facilities; `save` enforces optimistic concurrency."""

    def add(self, facility: CreditFacility) -> None: ...

    def get(self, facility_id: str) -> CreditFacility: ...

    def save(self, facility: CreditFacility) -> None: ...

    def outstanding_principal(self, facility_id: str) -> Decimal: ...


class JournalRepository(Protocol):
    """Append-only journal."""

    def add(self, entries: Iterable[JournalEntry], posted_at: datetime) -> None: ...

    def balances(self, subledger: str | None = None) -> dict[tuple[str, str], Money]: ...


class AuditTrail(Protocol):
    """Appends an audit leaf in the unit of work's transaction (actor and time from the UoW)."""

    def record(self, action: str, subject: str, payload: Mapping[str, Any]) -> None: ...

    def carries_key(self, action: str, subject: str, idempotency_key: str) -> bool:
        """Whether a committed leaf of `action` about `subject` carries `idempotency_key` in
        its payload (the effect of that key was posted, whatever became of the key's row)."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the repositories."""

    @property
    def loans(self) -> LoanRepository: ...

    @property
    def facilities(self) -> FacilityRepository: ...

    @property
    def journal(self) -> JournalRepository: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def audit(self) -> AuditTrail: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
