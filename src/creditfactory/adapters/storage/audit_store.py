"""SQLAlchemy `AuditStore` over `audit_entries` / `audit_nodes`, bound to the CALLER's transaction.

Usage inside a unit of work (never commits; the state change and its leaf commit together):

    from creditfactory.adapters.storage.audit_store import append_entries
    records = append_entries(session_or_connection, [AuditEntry(...), ...])

Concurrency: PostgreSQL appenders serialise on a transaction-scoped advisory lock; SQLite has one
writer. The primary keys refuse a fork either way. Reads page by key (no server-side cursors).
Counts `read_calls` / `node_reads` for the benchmark.

Short lock: a unit of work may `defer_entries` instead; the deferred leaves of its transaction
are appended in one call by `flush_entries` just before it commits (or first by any
`append_entries` on the same transaction, keeping log order), so the advisory lock is held for
four statements and the commit rather than for the rest of the request.

Frontier cache: after a COMMITTED append the tree's right frontier is kept per engine with the
leaf count and the last leaf hash it belongs to (`remember_frontier`); the next append uses it
when the count and last leaf it reads under the lock match (the log is append-only, so a
committed state never changes). When other processes appended since (several server workers on
one database), it catches up: the leaves after its own last one are read in one range query,
checked against the cached last leaf and the current tail, and folded in. Otherwise (no cache,
more than 1,024 leaves behind, or a mismatch) the frontier is read from the nodes.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
import weakref
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    and_,
    bindparam,
    event,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from creditfactory.adapters.storage.audit_tables import audit_entries, audit_nodes
from creditfactory.adapters.storage.state_digesters import has_written, written_evidence
from creditfactory.audit import AuditEntry, AuditRecord, DigesterRegistry, NodeKey
from creditfactory.audit import append as _append
from creditfactory.audit.rows import EVIDENCE_KEY, ROWS_WRITTEN, key_text
from creditfactory.audit.tree import Frontier, extend_frontier
from creditfactory.kernel.clock import SystemClock

__all__ = [
    "PendingFrontier",
    "SqlAuditStore",
    "append_entries",
    "defer_entries",
    "flush_entries",
    "read_snapshot",
    "remember_frontier",
    "row_digesters",
    "take_frontier",
]

APPEND_LOCK_KEY = 0x6366_6175_6469_74  # "cfaudit": the advisory lock every appender takes
_PAGE = 20_000
_KEYS_PER_QUERY = 400


_LOCK = text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=APPEND_LOCK_KEY)
_LAST_LEAF = (
    select(audit_nodes.c.position, audit_nodes.c.hash)
    .where(audit_nodes.c.level == 0)
    .order_by(audit_nodes.c.position.desc())
    .limit(1)
)
_LEAVES_FROM = (
    select(audit_nodes.c.position, audit_nodes.c.hash)
    .where(audit_nodes.c.level == 0, audit_nodes.c.position >= bindparam("lo"))
    .order_by(audit_nodes.c.position)
)
_CATCH_UP = 1024  # leaves appended elsewhere a cached frontier is caught up with, at most
_INSERT_NODES = insert(audit_nodes)
_INSERT_ENTRIES = insert(audit_entries)
_PENDING_ENTRIES = "creditfactory.audit.pending_entries"
_PENDING_FRONTIER = "creditfactory.audit.pending_frontier"

# (size, hash of leaf size-1, frontier) of a committed tree, per engine
PendingFrontier = tuple[int, bytes, Frontier]
_COMMITTED: weakref.WeakKeyDictionary[Engine, PendingFrontier] = weakref.WeakKeyDictionary()
_COMMITTED_GUARD = threading.Lock()


def _connection(bind: Connection | Session) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def _tagged(conn: Connection, slot: str) -> Any:
    """The value stored under `slot` for the connection's CURRENT transaction (values of an
    earlier transaction on the same pooled connection are dropped)."""
    found = conn.info.get(slot)
    if found is None:
        return None
    if found[0] is conn.get_transaction():
        return found[1]
    del conn.info[slot]
    return None


class _FrontierCache:
    """`audit.log.FrontierCache` for one store: this transaction's own last append first, then
    the engine's committed frontier — as it is when the store's last leaf matches, or caught up
    with the leaves other processes appended since (one range read instead of the frontier
    nodes; several server processes on one database append in turns)."""

    def __init__(self, store: SqlAuditStore) -> None:
        self._store = store

    def get(self, size: int) -> Frontier | None:
        conn, tail = self._store.connection, self._store.tail
        if tail is None:
            return None
        committed = _COMMITTED.get(conn.engine)
        for known in (_tagged(conn, _PENDING_FRONTIER), committed):
            if known is not None and (known[0], known[1]) == tail:
                return list(known[2])
        if committed is not None and 0 < committed[0] < size <= committed[0] + _CATCH_UP:
            return self._caught_up(committed, tail)
        return None

    def _caught_up(self, committed: PendingFrontier, tail: tuple[int, bytes]) -> Frontier | None:
        """`committed` extended with the leaves after its last one, when those leaves start at
        its last leaf and end at `tail`; None otherwise (not the log it belongs to)."""
        known_size, known_last, frontier = committed
        rows = self._store.connection.execute(_LEAVES_FROM, {"lo": known_size - 1}).all()
        self._store.read_calls += 1
        positions = [int(position) for position, _ in rows]
        hashes = [bytes(digest) for _, digest in rows]
        contiguous = positions == list(range(known_size - 1, tail[0]))
        if not contiguous or (hashes[0], hashes[-1]) != (known_last, tail[1]):
            return None
        return extend_frontier(list(frontier), known_size, hashes[1:])

    def put(self, size: int, frontier: Frontier, last_leaf: bytes) -> None:
        conn = self._store.connection
        conn.info[_PENDING_FRONTIER] = (conn.get_transaction(), (size, last_leaf, frontier))


class SqlAuditStore:
    """`creditfactory.audit.ports.AuditStore` on a Connection or Session (its transaction)."""

    def __init__(self, bind: Connection | Session) -> None:
        self._conn = _connection(bind)
        self.read_calls = 0
        self.node_reads = 0
        self.tail: tuple[int, bytes] | None = None  # (leaf count, last leaf hash) last read

    @property
    def connection(self) -> Connection:
        """The transaction-bound connection (row digesters read business rows on it)."""
        return self._conn

    def lock_for_append(self) -> None:
        """Advisory transaction lock on PostgreSQL; SQLite's writer lock does it elsewhere."""
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(_LOCK)

    def leaf_count(self) -> int:
        """1 + the highest stored leaf position (an index seek), or 0; remembers the last leaf's
        hash in `tail` (the frontier cache checks it)."""
        row = self._conn.execute(_LAST_LEAF).first()
        if row is None:
            self.tail = None
            return 0
        self.tail = (int(row[0]) + 1, bytes(row[1]))
        return self.tail[0]

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
            self._conn.execute(_INSERT_NODES, rows)

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
            self._conn.execute(_INSERT_ENTRIES, [_row(r) for r in records])

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


def _with_evidence(
    conn: Connection, batch: list[AuditEntry], unrecorded_by: tuple[str, datetime] | None
) -> list[AuditEntry]:
    """`batch` whose last leaf carries the digests of the covered rows the transaction wrote
    (`state_digesters`); a `state.rows_written` leaf when it wrote rows and recorded none."""
    evidence = written_evidence(conn)
    if evidence is None:
        return batch
    if batch:
        last = batch[-1]
        payload = {**last.payload, EVIDENCE_KEY: evidence}
        changed = AuditEntry(
            last.actor, last.action, last.subject, payload, last.recorded_at,
            last.prev_state_digest,
        )  # fmt: skip
        return [*batch[:-1], changed]
    actor, at = unrecorded_by or ("system", SystemClock().now())
    table, part = next(iter(evidence.items()))
    subject = f"{table}:{key_text(part['rows'][0][0])}"
    return [AuditEntry(actor, ROWS_WRITTEN, subject, {EVIDENCE_KEY: evidence}, at)]


def append_entries(
    bind: Connection | Session,
    entries: Sequence[AuditEntry],
    *,
    unrecorded_by: tuple[str, datetime] | None = None,
) -> list[AuditRecord]:
    """Append `entries` as the next leaves inside `bind`'s open transaction; never commits.
    Leaves deferred in this transaction (`defer_entries`) go first, in one call; the last leaf
    carries the row evidence of the covered rows written so far (`state_digesters`), or, when
    there is no leaf, a `state.rows_written` leaf by `unrecorded_by` (actor, time) does.

    Returns the records of `entries` with their sequences (leaf indices). Raises IntegrityError
    if another transaction appended concurrently without the lock (SQLite: the caller's retry
    policy).
    """
    conn = _connection(bind)
    pending: list[AuditEntry] = _tagged(conn, _PENDING_ENTRIES) or []
    if pending:
        del conn.info[_PENDING_ENTRIES]
    batch = _with_evidence(conn, [*pending, *entries], unrecorded_by)
    if not batch:
        return []
    store = SqlAuditStore(conn)
    records = _append(store, batch, _FrontierCache(store))
    return records[len(pending) : len(pending) + len(entries)]


@event.listens_for(Engine, "commit")
def _evidence_before_commit(conn: Connection) -> None:
    """The safety net: a transaction that wrote covered rows and appended no leaf since (a
    writer outside the units of work) still commits their evidence, in a leaf of its own."""
    if has_written(conn):
        append_entries(conn, [])


def defer_entries(bind: Connection | Session, entries: Sequence[AuditEntry]) -> None:
    """Queue `entries` for this transaction; `flush_entries` (or the next `append_entries` on
    it) appends them. The owner of the transaction MUST flush before it commits."""
    conn = _connection(bind)
    pending = _tagged(conn, _PENDING_ENTRIES)
    if pending is None:
        pending = []
        conn.info[_PENDING_ENTRIES] = (conn.get_transaction(), pending)
    pending.extend(entries)


def flush_entries(
    bind: Connection | Session, unrecorded_by: tuple[str, datetime] | None = None
) -> None:
    """Append the transaction's deferred leaves (one lock, one batch) with the row evidence of
    what it wrote; nothing when it recorded and wrote nothing."""
    append_entries(bind, [], unrecorded_by=unrecorded_by)


def take_frontier(bind: Connection | Session) -> PendingFrontier | None:
    """The frontier this transaction's appends produced (call just before its commit)."""
    conn = _connection(bind)
    found: PendingFrontier | None = _tagged(conn, _PENDING_FRONTIER)
    conn.info.pop(_PENDING_FRONTIER, None)
    return found


def remember_frontier(engine: Engine, committed: PendingFrontier | None) -> None:
    """Keep the frontier of a transaction that has COMMITTED for the engine's next append."""
    if committed is not None:
        with _COMMITTED_GUARD:
            known = _COMMITTED.get(engine)
            if known is None or known[0] < committed[0]:
                _COMMITTED[engine] = committed


def read_snapshot(connection: Connection) -> None:
    """Make `connection`'s coming transaction one snapshot, so a verification reads the log and
    the business rows as of one moment (rows a live server commits meanwhile are neither
    half-seen nor reported): REPEATABLE READ on PostgreSQL; on SQLite an explicit BEGIN (the
    driver otherwise runs each SELECT on its own). Call before the first statement."""
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    else:
        connection.exec_driver_sql("BEGIN")


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
