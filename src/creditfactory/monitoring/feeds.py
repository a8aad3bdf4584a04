"""Feed lines → accepted events or rejects. Nothing is lost: every line ends in exactly one of
accepted, duplicate (same id and same content: ignored) or rejected (kept with its line number,
reason and raw text, to fix and replay).

Reject reasons: `malformed` (not JSON / not an object / breaks the schema — the field and rule are
named), `unknown_borrower` (no borrower in the book has that USCC), `conflicting_duplicate` (an id
seen before with different content). Out-of-order events are *accepted* and reported: dated before
the last scanned business date (they arrived late; the scan still scores them from their own date)
or before an earlier line of the same borrower and event type in the same feed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from creditfactory.audit.errors import NonCanonicalPayload
from creditfactory.audit.leaf import canonical_json, sha256_hex
from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.monitoring.events import ExternalEvent, parse_event, signal_kind
from creditfactory.origination.masking import mask_id_number

__all__ = [
    "AcceptedEvent",
    "FeedReject",
    "IngestBatch",
    "decode_csv_row",
    "decode_json_line",
    "ingest_records",
    "record_digest",
]


@dataclass(frozen=True)
class FeedReject:
    """A line that was not accepted: where, why, and the raw text."""

    line_no: int
    reason: str
    detail: str
    raw: str


@dataclass(frozen=True)
class AcceptedEvent:
    """An accepted event with its borrower, its signal kind (or None) and content digest."""

    line_no: int
    event: ExternalEvent
    borrower_id: str
    kind: str | None
    digest: str
    raw: str
    out_of_order: bool = False


@dataclass
class IngestBatch:
    """The outcome of one feed: accepted, duplicates (line numbers), rejects, out-of-order."""

    accepted: list[AcceptedEvent] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    rejects: list[FeedReject] = field(default_factory=list)

    @property
    def out_of_order(self) -> list[AcceptedEvent]:
        """Accepted events that arrived out of order."""
        return [a for a in self.accepted if a.out_of_order]

    @property
    def lines(self) -> int:
        """Lines seen: accepted + duplicates + rejects."""
        return len(self.accepted) + len(self.duplicates) + len(self.rejects)


def decode_json_line(text: str) -> Mapping[str, Any]:
    """One JSONL line → object; raises MalformedEvent("line", …)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedEvent("line", f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(value, dict):
        raise MalformedEvent("line", "a JSON object")
    return value


def decode_csv_row(row: Mapping[str, str | None]) -> Mapping[str, Any]:
    """One CSV row (columns as the JSONL keys, `attrs` as JSON text) → object."""
    record: dict[str, Any] = {k: v for k, v in row.items() if k is not None}
    attrs = record.get("attrs") or "{}"
    try:
        record["attrs"] = json.loads(attrs)
    except json.JSONDecodeError:
        raise MalformedEvent("attrs", "JSON object text") from None
    return record


def record_digest(record: Mapping[str, Any]) -> str:
    """SHA-256 of the record's canonical JSON (duplicates compare by it)."""
    try:
        return sha256_hex(canonical_json(dict(record)))
    except NonCanonicalPayload:  # floats in attrs: fall back to sorted JSON text
        return sha256_hex(json.dumps(record, sort_keys=True, ensure_ascii=False, default=str))


def ingest_records(
    records: Iterable[tuple[int, str, Mapping[str, Any] | MalformedEvent]],
    borrowers: Mapping[str, str],
    seen: Mapping[str, str],
    scanned_through: date | None,
) -> IngestBatch:
    """Sort decoded records into accepted / duplicates / rejects.

    Args:
        records: (line number, raw text, decoded object or the MalformedEvent decoding raised).
        borrowers: USCC → borrower id for the borrowers in the book.
        seen: event id → content digest of events stored before.
        scanned_through: the last business date a monitoring run scanned (None before the first).
    """
    batch = IngestBatch()
    digests = dict(seen)
    latest: dict[tuple[str, str], date] = {}
    for line_no, raw, decoded in records:
        outcome = _one(line_no, raw, decoded, borrowers, digests)
        if isinstance(outcome, FeedReject):
            batch.rejects.append(outcome)
        elif outcome is None:
            batch.duplicates.append(line_no)
        else:
            key = (outcome.borrower_id, outcome.event.event_type)
            late = scanned_through is not None and outcome.event.occurred_on <= scanned_through
            if late or outcome.event.occurred_on < latest.get(key, outcome.event.occurred_on):
                outcome = _late(outcome)
            latest[key] = max(latest.get(key, outcome.event.occurred_on), outcome.event.occurred_on)
            batch.accepted.append(outcome)
    return batch


def _late(a: AcceptedEvent) -> AcceptedEvent:
    return AcceptedEvent(a.line_no, a.event, a.borrower_id, a.kind, a.digest, a.raw, True)


def _one(
    line_no: int,
    raw: str,
    decoded: Mapping[str, Any] | MalformedEvent,
    borrowers: Mapping[str, str],
    digests: dict[str, str],
) -> AcceptedEvent | FeedReject | None:
    if isinstance(decoded, MalformedEvent):
        return FeedReject(line_no, "malformed", str(decoded), raw)
    try:
        event = parse_event(decoded)
    except MalformedEvent as exc:
        return FeedReject(line_no, "malformed", str(exc), raw)
    digest = record_digest(decoded)
    previous = digests.get(event.event_id)
    if previous is not None:
        if previous == digest:
            return None
        return FeedReject(line_no, "conflicting_duplicate", f"event_id {event.event_id}", raw)
    borrower_id = borrowers.get(event.uscc)
    if borrower_id is None:
        # the detail is printed and logged: the USCC masked (the raw line is stored encrypted)
        return FeedReject(line_no, "unknown_borrower", f"uscc {mask_id_number(event.uscc)}", raw)
    digests[event.event_id] = digest
    return AcceptedEvent(line_no, event, borrower_id, signal_kind(event), digest, raw)
