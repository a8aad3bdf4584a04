"""Row evidence: the digest of the current version of every business row a state change wrote,
carried in the payload of that change's leaf, and the check `audit verify` makes of the rows as
they are now (DESIGN §10, audit evidence).

A leaf whose transaction wrote rows of covered tables carries, under `EVIDENCE_KEY`:

    "row_evidence": {TABLE: {"columns": [C1, C2, …],
                             "rows": [[KEY, ROW_DIGEST | null, [F1, F2, …], BEFORE], …]}, …}

KEY is the list of primary-key values; ROW_DIGEST the SHA-256 hex of the canonical JSON
`[table, key, [[C1, v1], [C2, v2], …]]`; F_i the first 8 hex of SHA-256 of canonical
`[table, key, C_i, v_i]` — short, they only say WHICH field changed (the row digest is the
evidence); `null` records a row the change deleted (its field list is then empty). BEFORE is
the row as the change found it, read in the same transaction before its first write: `null`
when there was no row (an INSERT), else `[ROW_DIGEST, [F1, …]]` over the same columns.
Leaves written before the BEFORE element existed have `[KEY, ROW_DIGEST, [F…]]` or
`[KEY, null]`; baselines carry no BEFORE (they attest the state found). Values are the database's stored form
(ciphertext for encrypted columns, so no digest of a clear identifier is published), made
canonical by `canonical_value`.

`RowLedger` replays the blocks in log order and checks continuity: the BEFORE of every leaf must
be what the previous leaf of that row recorded (absent for a new key), so an edit made between
two legitimate writes is named even after the second write (issue 13, attack13 finding 1). It
then compares the newest leaf of each row with every row of the covered tables: a row edited
(named with its fields), deleted, or inserted with no leaf behind it (a hand-made journal
entry, a loan) becomes a `Finding`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from creditfactory.audit.leaf import AuditRecord, canonical_json, format_time, sha256_hex

__all__ = [
    "EVIDENCE_KEY",
    "ROWS_WRITTEN",
    "CoveredTable",
    "RowKey",
    "RowLedger",
    "RowValues",
    "canonical_value",
    "evidence_block",
    "key_text",
    "without_evidence",
]

EVIDENCE_KEY = "row_evidence"
ROWS_WRITTEN = "state.rows_written"
"""The action of a leaf of its own, for a transaction that wrote covered rows but recorded no
other leaf (so no write goes uncovered, even one a recorder forgot)."""

_FIELD_HEX = 8
RowValues = Mapping[str, Any]
RowKey = tuple[Any, ...]


def canonical_value(value: Any) -> str | int | bool | None:
    """A stored column value in canonical form: times as UTC ISO text (naive ones as they are),
    dates ISO, decimals and floats as text, bytes as hex; raises TypeError on anything else."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, float)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    raise TypeError(f"no canonical form for a stored {type(value).__name__}")


def key_text(key: Sequence[Any]) -> str:
    """How findings name a row: its key values joined by "/" (e.g. "ln_1/3")."""
    return "/".join(str(part) for part in key)


def _row_digest(table: str, key: list[Any], columns: Sequence[str], values: RowValues) -> str:
    pairs = [[c, canonical_value(values[c])] for c in columns]
    return sha256_hex(canonical_json([table, key, pairs]))


def _field_digests(
    table: str, key: list[Any], columns: Sequence[str], values: RowValues
) -> list[str]:
    return [
        sha256_hex(canonical_json([table, key, c, canonical_value(values[c])]))[:_FIELD_HEX]
        for c in columns
    ]


def _version(
    table: str, key: list[Any], columns: Sequence[str], values: RowValues | None
) -> list[Any] | None:
    """[row digest, field digests] of one version of a row; None for no row."""
    if values is None:
        return None
    return [
        _row_digest(table, key, columns, values),
        _field_digests(table, key, columns, values),
    ]


def evidence_block(
    written: Mapping[str, tuple[Sequence[str], Sequence[tuple[RowKey, RowValues | None]]]],
    before: Mapping[str, Mapping[RowKey, RowValues | None]] | None = None,
) -> dict[str, Any]:
    """The `EVIDENCE_KEY` value for rows as they are now: {table: (columns, [(key, values or
    None when deleted), …])}; with `before` ({table: {key: values or None}}, a key missing =
    no row before), each row also carries the version the change found. Keys must be JSON-able
    (str / int). Without `before` (baselines) the rows carry no BEFORE element."""
    block: dict[str, Any] = {}
    for table, (columns, rows) in sorted(written.items()):
        entries: list[list[Any]] = []
        found = before.get(table, {}) if before is not None else {}
        for key, values in rows:
            k = [canonical_value(part) for part in key]
            now = _version(table, k, columns, values) or [None, []]
            if before is None:
                entries.append([k, *now] if values is not None else [k, None])
            else:
                entries.append([k, *now, _version(table, k, columns, found.get(key))])
        block[table] = {"columns": list(columns), "rows": entries}
    return block


def without_evidence(payload: Mapping[str, Any]) -> dict[str, Any]:
    """`payload` minus its evidence block (what payload-is-the-row digesters compare)."""
    return {k: v for k, v in payload.items() if k != EVIDENCE_KEY}


@dataclass(frozen=True, slots=True)
class CoveredTable:
    """A table under row evidence: `rows()` yields (primary key tuple, stored values by column)
    for EVERY row now in it (the verifier's full scan)."""

    name: str
    rows: Callable[[], Iterable[tuple[RowKey, RowValues]]]


@dataclass(frozen=True, slots=True)
class _Recorded:
    sequence: int
    digest: str | None  # None: deleted by that leaf
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Break:
    """A leaf whose BEFORE is not what the previous leaf of the row recorded. For an edit,
    `fields` names it: (table, key, columns, BEFORE field digests) to compare with the
    previous leaf's field digests when reporting."""

    sequence: int  # the previous leaf (the version edited), or the writing leaf if none
    kind: str
    detail: str
    fields: tuple[str, RowKey, tuple[str, ...], list[str]] | None = None
    certain: bool = True  # False: the columns changed in between (a migration), fields decide


@dataclass
class RowLedger:
    """The newest recorded version of every covered row, replayed from the log's blocks, and
    the continuity breaks met on the way (in log order)."""

    _rows: dict[tuple[str, RowKey], _Recorded] = field(default_factory=dict)
    _breaks: list[_Break] = field(default_factory=list)
    _times: dict[int, str] = field(default_factory=dict)

    def replay(self, record: AuditRecord) -> None:
        """Take the block of `record`, if any (later calls win), checking each row's BEFORE
        against the version the previous leaf recorded."""
        if f'"{EVIDENCE_KEY}":' not in record.payload_json:  # cheap: most leaves have none
            return
        block = json.loads(record.payload_json).get(EVIDENCE_KEY)
        if not isinstance(block, dict):
            return
        self._times[record.sequence] = format_time(record.recorded_at)
        for table, part in block.items():
            columns = tuple(part["columns"])
            for entry in part["rows"]:
                key = tuple(entry[0])
                known = self._rows.get((table, key))
                if len(entry) == 4:
                    self._check_before(table, key, columns, entry[3], known, record)
                self._rows[(table, key)] = _Recorded(record.sequence, entry[1], columns)

    def _check_before(
        self,
        table: str,
        key: RowKey,
        columns: tuple[str, ...],
        before: list[Any] | None,
        known: _Recorded | None,
        record: AuditRecord,
    ) -> None:
        where = f"{table} {key_text(key)}"
        at = f"leaf {record.sequence} ({format_time(record.recorded_at)}, {record.action})"
        if known is None or known.digest is None:
            if before is not None:
                what = "no leaf wrote it" if known is None else f"leaf {known.sequence} deleted it"
                detail = f"{where}: the row {at} changed existed although {what}"
                self._breaks.append(_Break(record.sequence, "row_unrecorded", detail))
            return
        since = f"between leaf {known.sequence} ({self._times.get(known.sequence, '?')}) and {at}"
        if before is None:
            detail = f"{where}: deleted {since}, then written again"
            self._breaks.append(_Break(known.sequence, "row_missing", detail))
            return
        if before[0] == known.digest and columns == known.columns:
            return
        fields = (table, key, columns, before[1])
        certain = columns == known.columns
        detail = f"{where}: {since}"
        self._breaks.append(_Break(known.sequence, "row_edited", detail, fields, certain))

    def _continuity(
        self,
        lookup: Callable[[int], AuditRecord | None],
        finding: Callable[[int | None, str, str], Any],
    ) -> Iterator[Any]:
        for found in self._breaks:
            if found.fields is None:
                yield finding(found.sequence, found.kind, found.detail)
                continue
            table, key, columns, before = found.fields
            edited = _edited_fields(table, key, columns, before, found.sequence, lookup)
            if edited is None or edited or found.certain:  # []: only a column was added
                named = ", ".join(edited or ["?"])
                detail = found.detail.replace(": between", f": field {named} edited between", 1)
                yield finding(found.sequence, found.kind, detail)

    def compare(
        self,
        tables: Sequence[CoveredTable],
        lookup: Callable[[int], AuditRecord | None],
        finding: Callable[[int | None, str, str], Any],
    ) -> Iterator[Any]:
        """Findings (made by `finding(sequence, kind, detail)`) for every continuity break
        (a row changed between two of its leaves), then every covered row that differs from
        its newest leaf, is gone, or has no leaf."""
        yield from self._continuity(lookup, finding)
        for table in tables:
            seen: set[RowKey] = set()
            for key, values in table.rows():
                k = tuple(canonical_value(part) for part in key)
                seen.add(k)
                known = self._rows.get((table.name, k))
                where = f"{table.name} {key_text(k)}"
                if known is None or known.digest is None:
                    yield finding(None, "row_unrecorded", f"{where}: no audit leaf wrote this row")
                    continue
                missing = [c for c in known.columns if c not in values]
                if missing:
                    yield finding(known.sequence, "row_edited", f"{where}: columns {missing} gone")
                    continue
                if _row_digest(table.name, list(k), known.columns, values) != known.digest:
                    fields = _changed_fields(table.name, list(k), known, values, lookup)
                    detail = f"{where}: field {', '.join(fields)} differs from the leaf"
                    yield finding(known.sequence, "row_edited", detail)
            for (name, k), known in sorted(self._rows.items(), key=lambda i: i[1].sequence):
                if name == table.name and known.digest is not None and k not in seen:
                    yield finding(known.sequence, "row_missing", f"{name} {key_text(k)}: deleted")


def _edited_fields(
    table: str,
    key: RowKey,
    columns: tuple[str, ...],
    before: list[str],
    sequence: int,
    lookup: Callable[[int], AuditRecord | None],
) -> list[str] | None:
    """Columns (shared by both leaves) whose BEFORE field digest differs from the one leaf
    `sequence` recorded for the row; None when that leaf cannot be read."""
    record = lookup(sequence)
    if record is None:
        return None
    part = json.loads(record.payload_json)[EVIDENCE_KEY][table]
    for entry in part["rows"]:
        if tuple(entry[0]) == key and entry[1] is not None:
            then = dict(zip(part["columns"], entry[2], strict=True))
            return [c for c, d in zip(columns, before, strict=True) if c in then and then[c] != d]
    return None


def _changed_fields(
    table: str,
    key: list[Any],
    known: _Recorded,
    values: RowValues,
    lookup: Callable[[int], AuditRecord | None],
) -> list[str]:
    """Column names whose field digest no longer matches the leaf ("?" when unreadable)."""
    record = lookup(known.sequence)
    if record is None:
        return ["?"]
    for entry in json.loads(record.payload_json)[EVIDENCE_KEY][table]["rows"]:
        if entry[0] == key and entry[1] == known.digest:
            now = _field_digests(table, key, known.columns, values)
            return [c for c, a, b in zip(known.columns, entry[2], now, strict=True) if a != b]
    return ["?"]
