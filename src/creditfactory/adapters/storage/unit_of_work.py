"""The SQLAlchemy unit of work: one connection, one transaction, the repositories on it.

`with uow:` begins a transaction; `uow.commit()` commits it; leaving the block without a commit
rolls back, so a failed use case changes nothing (all-or-nothing per command). The audit leaves
of the transaction are appended in one batch just before the commit (`audit_store.defer_entries`),
so PostgreSQL's audit lock is held only for that batch and the commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, select

from creditfactory.adapters.storage.audit_store import (
    append_entries,
    defer_entries,
    flush_entries,
    remember_frontier,
    take_frontier,
)
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.repositories import (
    FacilityRepository,
    IdempotencyRepository,
    JournalRepository,
    LoanRepository,
)
from creditfactory.adapters.storage.sqlite_writer import writer_lock
from creditfactory.audit import AuditEntry
from creditfactory.kernel.clock import Clock

__all__ = ["SqlAuditTrail", "SqlUnitOfWork"]


class SqlAuditTrail:
    """Audit leaves appended on the unit of work's connection (same transaction), signed by
    `actor`, timed by the clock. `deferred`: queued for the owner's commit (`flush_entries`)
    instead of appended at once."""

    def __init__(
        self, connection: Connection, actor: str, clock: Clock, *, deferred: bool = False
    ) -> None:
        self._connection = connection
        self._actor = actor
        self._clock = clock
        self._deferred = deferred

    def record(self, action: str, subject: str, payload: Mapping[str, Any]) -> None:
        """Append (or queue) one leaf."""
        entry = AuditEntry(self._actor, action, subject, payload, self._clock.now())
        if self._deferred:
            defer_entries(self._connection, [entry])
        else:
            append_entries(self._connection, [entry])

    def carries_key(self, action: str, subject: str, idempotency_key: str) -> bool:
        """Whether a leaf of `action` about `subject` has `"idempotency_key": idempotency_key`
        in its payload (one indexed read of the subject's leaves: a loan has tens)."""
        c = audit_entries.c
        query = select(c.payload).where(c.subject == subject, c.action == action)
        return any(
            json.loads(payload).get("idempotency_key") == idempotency_key
            for (payload,) in self._connection.execute(query)
        )


class SqlUnitOfWork:
    """Unit of work over an Engine; re-enterable (each `with` is a new transaction). On SQLite
    the writing transactions of every process on the database take turns (`sqlite_writer`);
    `writer=False` opens one for reads only, which does not wait for the turn (WAL readers see
    the last commit) and cannot commit."""

    loans: LoanRepository
    facilities: FacilityRepository
    journal: JournalRepository
    idempotency: IdempotencyRepository
    audit: SqlAuditTrail
    connection: Connection

    def __init__(
        self, engine: Engine, clock: Clock, actor: str = "system", *, writer: bool = True
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.actor = actor
        self._committed = False
        self._writes = writer

    def __enter__(self) -> SqlUnitOfWork:
        self._writer = writer_lock(self._engine) if self._writes else None
        if self._writer is not None:
            self._writer.acquire()
        self.connection = self._engine.connect()
        self.connection.begin()
        self._committed = False
        now = self._clock.now()
        self.loans = LoanRepository(self.connection, now)
        self.audit = SqlAuditTrail(self.connection, self.actor, self._clock, deferred=True)
        self.facilities = FacilityRepository(self.connection)
        self.journal = JournalRepository(self.connection, self.audit)
        self.idempotency = IdempotencyRepository(self.connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.connection.rollback()
        finally:
            self.connection.close()
            if self._writer is not None:
                self._writer.release()

    def commit(self) -> None:
        """Append the deferred audit leaves, then commit the transaction.
        raises RuntimeError on a unit of work opened with writer=False (reads only)."""
        if not self._writes:
            raise RuntimeError("a read-only unit of work (writer=False) cannot commit")
        flush_entries(self.connection, (self.actor, self._clock.now()))
        frontier = take_frontier(self.connection)
        self.connection.commit()
        self._committed = True
        remember_frontier(self._engine, frontier)

    def rollback(self) -> None:
        """Roll the transaction back."""
        self.connection.rollback()
