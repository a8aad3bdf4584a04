"""SQLAlchemy `AuditStore` over `audit_entries` / `audit_nodes`, bound to the CALLER's transaction.

Usage inside a unit of work (never commits; the state change and its leaf commit together):

    from creditfactory.adapters.storage.audit_store import append_entries
    records = append_entries(session_or_connection, [AuditEntry(...), ...])

Concurrency: PostgreSQL appenders serialise on a transaction-scoped advisory lock; SQLite has one
writer. The primary keys refuse a fork either way. Reads page by key (no server-side cursors).
Counts `read_calls` / `node_reads` for the benchmark.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from creditfactory.adapters.storage.audit_tables import audit_entries, audit_nodes
from creditfactory.audit import AuditEntry, AuditRecord, DigesterRegistry, NodeKey
from creditfactory.audit import append as _append

__all__ = ["SqlAuditStore", "append_entries", "row_digesters"]

APPEND_LOCK_KEY = 0x6366_6175_6469_74  # "cfaudit": the advisory lock every appender takes
_PAGE = 20_000
_KEYS_PER_QUERY = 400


def _connection(bind: Connection | Session) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


class SqlAuditStore:
    """`creditfactory.audit.ports.AuditStore` on a Connection or Session (its transaction)."""

    def __init__(self, bind: Connection | Session) -> None:
        self._conn = _connection(bind)
        self.read_calls = 0
        self.node_reads = 0

    @property
    def connection(self) -> Connection:
        """The transaction-bound connection (row digesters read business rows on it)."""
        return self._conn

    def lock_for_append(self) -> None:
        """Advisory transaction lock on PostgreSQL; SQLite's writer lock does it elsewhere."""
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPEND_LOCK_KEY})

    def leaf_count(self) -> int:
        """1 + the highest stored leaf position (an index seek), or 0."""
        query = select(func.max(audit_nodes.c.position)).where(audit_nodes.c.level == 0)
        highest = self._conn.execute(query).scalar()
        return 0 if highest is None else int(highest) + 1

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        """Stored hashes for `keys`: one query (per 400 keys; proofs need < 130), written as
        `(level = L AND position IN (…)) OR …` — SQLite answers a row-value IN with a full scan,
        this with primary-key seeks."""
        found: dict[NodeKey, bytes] = {}
        ordered = sorted(set(keys))
        for start in range(0, len(ordered), _KEYS_PER_QUERY):
            by_level: dict[int, list[int]] = {}
            for level, position in ordered[start : start + _KEYS_PER_QUERY]:
                by_level.setdefault(level, []).append(position)
            nodes = audit_nodes.c
            where = or_(
                *(
                    and_(nodes.level == level, nodes.position.in_(positions))
                    for level, positions in by_level.items()
                )
            )
            query = select(nodes.level, nodes.position, nodes.hash).where(where)
            rows = self._conn.execute(query).all()
            self.read_calls += 1
            self.node_reads += len(rows)
            found.update({(int(r.level), int(r.position)): bytes(r.hash) for r in rows})
        return found

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None:
        """Bulk insert (executemany); a duplicate key raises IntegrityError."""
        if nodes:
            rows = [{"level": lv, "position": pos, "hash": h} for (lv, pos), h in nodes.items()]
            self._conn.execute(insert(audit_nodes), rows)

    def iter_level(self, level: int) -> Iterator[tuple[int, bytes]]:
        """(position, hash) at `level`, ascending, paged by key."""
        after = -1
        while True:
            query = (
                select(audit_nodes.c.position, audit_nodes.c.hash)
                .where(audit_nodes.c.level == level, audit_nodes.c.position > after)
                .order_by(audit_nodes.c.position)
                .limit(_PAGE)
            )
            rows = self._conn.execute(query).all()
            for position, digest in rows:
                yield int(position), bytes(digest)
            if len(rows) < _PAGE:
                return
            after = int(rows[-1][0])

    def put_records(self, records: Sequence[AuditRecord]) -> None:
        """Bulk insert of the entry rows."""
        if records:
            self._conn.execute(insert(audit_entries), [_row(r) for r in records])

    def get_record(self, sequence: int) -> AuditRecord | None:
        """The row at `sequence`, or None."""
        query = select(audit_entries).where(audit_entries.c.sequence == sequence)
        row = self._conn.execute(query).mappings().first()
        return None if row is None else _record(row)

    def iter_records(self) -> Iterator[AuditRecord]:
        """Every row, ascending sequence, paged by key."""
        after = -1
        while True:
            query = (
                select(audit_entries)
                .where(audit_entries.c.sequence > after)
                .order_by(audit_entries.c.sequence)
                .limit(_PAGE)
            )
            rows = self._conn.execute(query).mappings().all()
            for row in rows:
                yield _record(row)
            if len(rows) < _PAGE:
                return
            after = int(rows[-1]["sequence"])


def _row(record: AuditRecord) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "recorded_at": record.recorded_at,
        "actor": record.actor,
        "action": record.action,
        "subject": record.subject,
        "payload_digest": record.payload_digest,
        "prev_state_digest": record.prev_state_digest,
        "payload": record.payload_json,
    }


def _record(row: RowMapping) -> AuditRecord:
    return AuditRecord(
        sequence=int(row["sequence"]),
        recorded_at=row["recorded_at"],
        actor=row["actor"],
        action=row["action"],
        subject=row["subject"],
        payload_json=row["payload"],
        payload_digest=row["payload_digest"],
        prev_state_digest=row["prev_state_digest"],
    )


def append_entries(bind: Connection | Session, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """Append `entries` as the next leaves inside `bind`'s open transaction; never commits.

    Returns the records with their sequences (leaf indices). Raises IntegrityError if another
    transaction appended concurrently without the lock (SQLite: the caller's retry policy).
    """
    return _append(SqlAuditStore(bind), entries)


def row_digesters(bind: Connection | Session) -> DigesterRegistry:
    """Registry built from every `creditfactory.adapters.storage.*_digesters` module that defines
    `register_row_digesters(registry: DigesterRegistry, connection: Connection) -> None` (the way
    the CLI discovers commands), so `audit verify` checks business rows it knows nothing about."""
    registry = DigesterRegistry()
    package = importlib.import_module("creditfactory.adapters.storage")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.endswith("_digesters"):
            module = importlib.import_module(f"creditfactory.adapters.storage.{info.name}")
            hook = getattr(module, "register_row_digesters", None)
            if hook is not None:
                hook(registry, _connection(bind))
    return registry
