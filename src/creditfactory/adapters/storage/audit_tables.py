"""Tables of the audit log: the entry rows and the Merkle subtree hashes (both append-only).

- `audit_entries`: one row per leaf; `sequence` is the 0-based leaf index. The leaf itself is not
  stored: `audit verify` recomputes it from these columns (canonical JSON, see
  creditfactory.audit.leaf), and `payload` keeps the canonical payload text the digest covers.
- `audit_nodes`: (level, position) → 32-byte hash of every complete perfect subtree; level 0 are
  the leaf hashes. Roots and proofs read O(log n) of these (creditfactory.audit.tree).

Both refuse UPDATE and DELETE with triggers (SQLite and PostgreSQL), created with the tables; the
lead's Alembic migration must carry the same DDL (`APPEND_ONLY_DDL`). A database owner can drop
them — that is what `audit verify` and published signed heads are for.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    event,
)

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import UTCDateTime

__all__ = ["APPEND_ONLY_DDL", "AUDIT_TABLES", "audit_entries", "audit_nodes"]

audit_entries = Table(
    "audit_entries",
    metadata,
    # INTEGER on SQLite makes the sequence the rowid (no second index to maintain).
    Column(
        "sequence",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("payload_digest", String(64), nullable=False),
    Column("prev_state_digest", String(64)),
    Column("payload", Text, nullable=False),
    CheckConstraint("sequence >= 0", name="sequence_non_negative"),
)
Index("ix_audit_entries_subject", audit_entries.c.subject)

audit_nodes = Table(
    "audit_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    CheckConstraint("level >= 0 AND level < 64 AND position >= 0", name="key_in_range"),
    sqlite_with_rowid=False,  # clustered on (level, position): proofs are index seeks
)

AUDIT_TABLES = (audit_entries, audit_nodes)


def _sqlite_guard(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ]


_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
)


def _pg_guard(table: str) -> list[str]:
    return [
        _PG_FUNCTION,
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    ]


APPEND_ONLY_DDL = {
    "sqlite": {t.name: _sqlite_guard(t.name) for t in AUDIT_TABLES},
    "postgresql": {t.name: _pg_guard(t.name) for t in AUDIT_TABLES},
}

for _table in AUDIT_TABLES:
    for _dialect, _by_table in APPEND_ONLY_DDL.items():
        for _statement in _by_table[_table.name]:
            event.listen(_table, "after_create", DDL(_statement).execute_if(dialect=_dialect))  # type: ignore[no-untyped-call]
