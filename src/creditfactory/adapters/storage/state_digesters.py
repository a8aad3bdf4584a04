"""State rows under the audit log (issue #13, defect 7): loans, installments, offers,
applications, approvals, officers (with their roles), the journal (entries, postings), the
stored idempotency responses a retry is answered with (`idempotency_keys`), and the other
credentials and PIPL state (attack13 finding 3): channel API keys (`api_keys`), officer sessions
(`officer_sessions`) and consents (`consents`); and the organisation's `branches` (issue 14: a
hand-edited parent would widen an officer's branch scope).

Writing: every INSERT / UPDATE / DELETE on a covered table is noticed by SQLAlchemy engine events
(so a new writer is covered without remembering to), and the rows it touched are remembered for
the transaction. When the transaction's audit leaves are appended (`audit_store.append_entries`,
which every unit of work runs before its commit), `written_evidence` reads those rows as they
now are — stored values, ciphertext for encrypted columns — and the last leaf of the batch carries
their digests (`audit.rows`); a transaction that wrote covered rows and recorded no leaf gets a
`state.rows_written` leaf of its own.

Verifying: `register_row_digesters` (discovered by `audit_store.row_digesters`) covers every
table here, so `audit verify` names table, row and field of a direct edit, a deleted row, and a
row no leaf wrote (a journal entry inserted by hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache, partial
from typing import Any

from sqlalchemy import Connection, Delete, Insert, Table, Update, event, inspect, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList, ColumnClause
from sqlalchemy.sql.expression import column as raw_column
from sqlalchemy.sql.expression import table as raw_table

from creditfactory.adapters.storage.identity_tables import (
    api_keys,
    approvals,
    branches,
    officer_sessions,
    officers,
)
from creditfactory.adapters.storage.ledger_tables import journal_entries, postings
from creditfactory.adapters.storage.origination_tables import applications, consents, offers
from creditfactory.adapters.storage.servicing_tables import idempotency_keys, installments, loans
from creditfactory.audit import AuditEntry, DigesterRegistry
from creditfactory.audit.rows import EVIDENCE_KEY, CoveredTable, RowKey, evidence_block, key_text

__all__ = [
    "COVERED",
    "ROWS_BASELINED",
    "baseline_entries",
    "covered_names",
    "has_written",
    "register_row_digesters",
    "take_written",
    "written_evidence",
]

# table → the columns a write is tracked by: the primary key, except postings (their key is
# assigned by the database; an entry's postings are written together and never changed)
COVERED: dict[str, tuple[Table, tuple[str, ...]]] = {
    t.name: (t, by)
    for t, by in (
        (loans, ("loan_id",)),
        (installments, ("loan_id", "seq")),
        (offers, ("offer_id",)),
        (applications, ("application_id",)),
        (approvals, ("approval_id",)),
        (officers, ("officer_id",)),
        (journal_entries, ("entry_id",)),
        (postings, ("entry_id",)),
        (idempotency_keys, ("scope", "key")),
        (api_keys, ("key_id",)),
        (officer_sessions, ("session_id",)),
        (consents, ("consent_id",)),
        (branches, ("branch_id",)),
    )
}
ROWS_BASELINED = "state.rows_baselined"
_WRITTEN = "creditfactory.audit.rows_written"
_BEFORE = "creditfactory.audit.rows_before"
_NEXT = "creditfactory.audit.rows_next"
_CHUNK = 400  # key tuples per IN (…) read


def _raw(table: Table, names: Sequence[str] | None = None) -> tuple[Any, list[str]]:
    """A typeless view of `table` (its `names` columns, default all): values come back as the
    driver stores them (ciphertext, not the text an EncryptedString column would decrypt)."""
    names = tuple(names) if names is not None else tuple(c.name for c in table.columns)
    return _raw_view(table.name, names), list(names)


@cache
def _raw_view(name: str, names: tuple[str, ...]) -> Any:
    """One view per (table, columns): built once, so its statements hit SQLAlchemy's compiled
    cache (a fresh view per write cost ~1.4 ms of a 4 ms read in the evidence bench)."""
    return raw_table(name, *(raw_column(n) for n in names))


def _pk(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def _equalities(where: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """column name → value for the `column = value` conjuncts of a WHERE clause."""
    found: dict[str, Any] = {}
    terms = where.clauses if isinstance(where, BooleanClauseList) else [where]
    if isinstance(where, BooleanClauseList) and where.operator is not operators.and_:
        return found
    for term in terms:
        if (
            isinstance(term, BinaryExpression)
            and term.operator is operators.eq
            and isinstance(term.left, ColumnClause)
            and isinstance(term.right, BindParameter)
        ):
            bind = term.right
            found[term.left.name] = params[bind.key] if bind.key in params else bind.effective_value
    return found


Selectors = set[tuple[Any, ...]]


def _selectors_before(
    conn: Connection, stmt: Any, param_sets: list[Mapping[str, Any]]
) -> Selectors:
    """The tracked-by values of the rows an UPDATE / DELETE is about to touch: read off the
    WHERE clause when it pins them (the usual case), else selected with the same WHERE."""
    table, by = COVERED[stmt.table.name]  # the caller checked it is covered
    out: Selectors = set()
    for params in param_sets:
        pinned = _equalities(stmt.whereclause, params) if stmt.whereclause is not None else {}
        if all(c in pinned for c in by):
            out.add(tuple(pinned[c] for c in by))
            continue
        query = select(*(table.c[c] for c in by))
        if stmt.whereclause is not None:
            query = query.where(stmt.whereclause)
        out.update(tuple(r) for r in conn.execute(query, dict(params)))
    return out


def _tx_map(conn: Connection, slot: str) -> dict[str, Any]:
    """This transaction's map in `conn.info[slot]` (a fresh one in a new transaction)."""
    found = conn.info.get(slot)
    if found is None or found[0] is not conn.get_transaction():
        found = (conn.get_transaction(), {})
        conn.info[slot] = found
    mapping: dict[str, Any] = found[1]
    return mapping


def _note_before(conn: Connection, table: str, selectors: Selectors) -> None:
    """Keep the rows an UPDATE / DELETE is about to change as they are before it (the first
    time this evidence window touches them), locked so a concurrent writer cannot slip in
    between this read and the write (PostgreSQL; SQLite has one writer)."""
    before: dict[RowKey, Mapping[str, Any] | None] = _tx_map(conn, _BEFORE).setdefault(table, {})
    by_pk = COVERED[table][1] == _pk(COVERED[table][0])
    fresh = {s for s in selectors if s not in before} if by_pk else selectors
    if fresh:
        for key, values in _current(conn, table, fresh, lock=True)[1]:
            before.setdefault(key, values)


def _remember(conn: Connection, table: str, selectors: Iterable[tuple[Any, ...]]) -> None:
    selectors = set(selectors)
    if not selectors:  # a statement that matched no row (a purge with nothing to purge)
        return
    _tx_map(conn, _WRITTEN).setdefault(table, set()).update(selectors)


def _covered(stmt: Any) -> str | None:
    """The covered table a DML statement writes, or None."""
    name = getattr(stmt.table, "name", None)
    return name if name in COVERED else None


@event.listens_for(Engine, "before_execute")
def _before(conn: Connection, stmt: Any, multiparams: Any, params: Any, _options: Any) -> None:
    name = _covered(stmt) if isinstance(stmt, (Update, Delete)) else None
    if name is not None:
        sets = list(multiparams) if multiparams else [params or {}]
        selectors = _selectors_before(conn, stmt, sets)
        _note_before(conn, name, selectors)
        conn.info[_NEXT] = (name, selectors)


@event.listens_for(Engine, "after_execute")
def _after(
    conn: Connection, stmt: Any, _multi: Any, _params: Any, _options: Any, result: Any
) -> None:
    if isinstance(stmt, (Update, Delete)) and _NEXT in conn.info:
        name, selectors = conn.info.pop(_NEXT)
        _remember(conn, name, selectors)
    elif isinstance(stmt, Insert) and (name := _covered(stmt)) is not None:
        table, by = COVERED[name]
        keys = [tuple(p[c] for c in by) for p in result.context.compiled_parameters]
        _remember(conn, name, keys)
        if by == _pk(table):  # a new key: absent before (unless a DELETE here noted it first)
            before = _tx_map(conn, _BEFORE).setdefault(name, {})
            for key in keys:
                before.setdefault(key, None)


def has_written(conn: Connection) -> bool:
    """True when this transaction wrote covered rows whose evidence is not appended yet."""
    found = conn.info.get(_WRITTEN)
    return found is not None and found[0] is conn.get_transaction() and bool(found[1])


def take_written(conn: Connection) -> dict[str, Selectors]:
    """The covered rows this transaction wrote since the last call (and forget them, with what
    they were before)."""
    conn.info.pop(_BEFORE, None)
    found = conn.info.pop(_WRITTEN, None)
    if found is None or found[0] is not conn.get_transaction():
        return {}
    written: dict[str, Selectors] = found[1]
    return written


def _current(
    conn: Connection, name: str, selectors: Selectors, *, lock: bool = False
) -> tuple[list[str], list[tuple[RowKey, Mapping[str, Any] | None]]]:
    table, by = COVERED[name]
    view, columns = _raw(table)
    pk = _pk(table)
    wanted = sorted(selectors, key=repr)
    rows: dict[RowKey, Mapping[str, Any] | None] = {}
    if by == pk:  # a tracked key with no row now: the transaction deleted it
        rows.update({key: None for key in wanted})
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        if len(by) == 1:
            where = view.c[by[0]].in_([s[0] for s in chunk])
        else:
            where = tuple_(*(view.c[c] for c in by)).in_(chunk)
        query = select(view).where(where)
        for row in conn.execute(query.with_for_update() if lock else query):
            values = row._mapping
            rows[tuple(values[c] for c in pk)] = dict(values)
    return columns, sorted(rows.items(), key=lambda item: repr(item[0]))


def written_evidence(conn: Connection) -> dict[str, Any] | None:
    """The evidence block of the rows this transaction wrote since the last call (read now,
    inside the transaction), or None when it wrote none. Each row also carries what it was
    before this transaction wrote it (read before its first UPDATE / DELETE; absent for a row
    an INSERT created), which `audit verify` checks against the previous leaf of the row."""
    before = _tx_map(conn, _BEFORE)
    written = take_written(conn)
    if not written:
        return None
    now = {name: _current(conn, name, sel) for name, sel in written.items()}
    return evidence_block(now, before={name: before.get(name, {}) for name in now})


def _scan(
    conn: Connection, table: Table, names: Sequence[str] | None = None
) -> Iterator[tuple[RowKey, Mapping[str, Any]]]:
    view, _ = _raw(table, names)
    pk = _pk(table)
    for row in conn.execute(select(view).order_by(*(view.c[c] for c in pk))):
        values = dict(row._mapping)
        yield tuple(values[c] for c in pk), values


def baseline_entries(
    conn: Connection,
    actor: str,
    at: datetime,
    per_leaf: int = 500,
    tables: Sequence[str] | None = None,
) -> list[AuditEntry]:
    """`state.rows_baselined` leaves recording every covered row as it is NOW (the columns the
    database has, read by reflection: a migration runs this before later columns exist). For a
    database whose rows predate row evidence; it attests the state found, not its history.
    `tables`: only these covered tables (a migration that adds one to `COVERED`), default all."""
    entries: list[AuditEntry] = []
    for name in tables if tables is not None else COVERED:
        table = COVERED[name][0]
        names = [c["name"] for c in inspect(conn).get_columns(name)]
        rows = list(_scan(conn, table, names))
        for start in range(0, len(rows), per_leaf):
            part = rows[start : start + per_leaf]
            block = evidence_block({name: (names, part)})
            subject = f"{name}:{key_text(part[0][0])}+{len(part) - 1}"
            entries.append(AuditEntry(actor, ROWS_BASELINED, subject, {EVIDENCE_KEY: block}, at))
    return entries


def register_row_digesters(registry: DigesterRegistry, connection: Connection) -> None:
    """Cover every table in `COVERED` (audit verify's full scan of each)."""
    for name, (table, _) in COVERED.items():
        registry.register_table(CoveredTable(name, partial(_scan, connection, table)))


def covered_names() -> Sequence[str]:
    """The covered table names (docs and the tamper matrix walk them)."""
    return tuple(COVERED)
