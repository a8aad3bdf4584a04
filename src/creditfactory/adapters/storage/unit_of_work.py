"""The SQLAlchemy unit of work: one connection, one transaction, the repositories on it.

`with uow:` begins a transaction; `uow.commit()` commits it; leaving the block without a commit
rolls back, so a failed use case changes nothing (all-or-nothing per command). The audit leaves
of the transaction are appended in one batch just before the commit (`audit_store.defer_entries`),
so PostgreSQL's audit lock is held only for that batch and the commit.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine

from creditfactory.adapters.storage.audit_store import (
    append_entries,
    defer_entries,
    flush_entries,
    remember_frontier,
    take_frontier,
)
from creditfactory.adapters.storage.repositories import (
    FacilityRepository,
    IdempotencyRepository,
    JournalRepository,
    LoanRepository,
)
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


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


def _sqlite_writer(engine: Engine) -> threading.RLock | None:
    """One lock per SQLite engine: SQLite has one writer, and threads of one process queueing on
    a lock wait less than on SQLite's busy handler, which sleeps in growing steps."""
    if engine.dialect.name != "sqlite":
        return None
    with _WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(engine, threading.RLock())


class SqlUnitOfWork:
    """Unit of work over an Engine; re-enterable (each `with` is a new transaction). On SQLite the
    transactions of one process take turns (see `_sqlite_writer`)."""

    loans: LoanRepository
    facilities: FacilityRepository
    journal: JournalRepository
    idempotency: IdempotencyRepository
    audit: SqlAuditTrail
    connection: Connection

    def __init__(self, engine: Engine, clock: Clock, actor: str = "system") -> None:
        self._engine = engine
        self._clock = clock
        self.actor = actor
        self._committed = False

    def __enter__(self) -> SqlUnitOfWork:
        self._writer = _sqlite_writer(self._engine)
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
        """Append the deferred audit leaves, then commit the transaction."""
        flush_entries(self.connection)
        frontier = take_frontier(self.connection)
        self.connection.commit()
        self._committed = True
        remember_frontier(self._engine, frontier)

    def rollback(self) -> None:
        """Roll the transaction back."""
        self.connection.rollback()
