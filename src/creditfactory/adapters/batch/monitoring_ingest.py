"""Feed ingestion into the database: JSONL / CSV files and a polled HTTP feed (behind the
`monitoring.ports.EventFeed` port). Accepted events go to `monitoring_events`, every other line to
`monitoring_rejects` (line number, reason, raw text) — nothing is lost; duplicates (same id, same
content) are counted and ignored, so re-ingesting a file is a no-op.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, func, insert, select

from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_borrowers,
    monitoring_events,
    monitoring_rejects,
    monitoring_runs,
)
from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.monitoring.feeds import (
    IngestBatch,
    decode_csv_row,
    decode_json_line,
    ingest_records,
)
from creditfactory.monitoring.ports import FeedPage

__all__ = [
    "HttpEventFeed",
    "IngestSummary",
    "Record",
    "csv_records",
    "ingest_file",
    "ingest_lines",
    "json_records",
    "poll_feed",
]

Record = tuple[int, str, Mapping[str, Any] | MalformedEvent]


@dataclass(frozen=True)
class IngestSummary:
    """Counts of one ingestion; `rejects` lists (line, reason, detail); `out_of_order` line numbers."""

    feed: str
    lines: int
    accepted: int
    duplicates: int
    rejects: list[tuple[int, str, str]]
    out_of_order: list[int]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "feed": self.feed,
            "lines": self.lines,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejects),
            "rejects": [{"line": n, "reason": r, "detail": d} for n, r, d in self.rejects],
            "out_of_order_lines": self.out_of_order,
        }


def json_records(lines: Iterable[str]) -> Iterator[Record]:
    """(line number, raw text, decoded object or the decoding error) per non-blank JSONL line."""
    for n, raw in enumerate(lines, start=1):
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        try:
            yield n, text, decode_json_line(text)
        except MalformedEvent as exc:
            yield n, text, exc


def csv_records(text: str) -> Iterator[Record]:
    """The same per CSV row; the line number is the physical line (header = 1)."""
    reader = csv.DictReader(io.StringIO(text))
    raw_lines = text.splitlines()
    for row in reader:
        n = reader.line_num  # physical line (header is line 1)
        raw = raw_lines[n - 1] if n - 1 < len(raw_lines) else json.dumps(row, ensure_ascii=False)
        try:
            yield n, raw, decode_csv_row(row)
        except MalformedEvent as exc:
            yield n, raw, exc


def _context(conn: Connection, event_ids: list[str]) -> tuple[dict[str, str], dict[str, str], Any]:
    borrowers = dict(
        conn.execute(select(monitoring_borrowers.c.uscc, monitoring_borrowers.c.borrower_id)).all()
    )
    seen: dict[str, str] = {}
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        q = select(monitoring_events.c.event_id, monitoring_events.c.digest).where(
            monitoring_events.c.event_id.in_(chunk)
        )
        seen.update(dict(conn.execute(q).all()))
    scanned = conn.execute(select(func.max(monitoring_runs.c.business_date))).scalar()
    return borrowers, seen, scanned


def _store(conn: Connection, feed: str, batch: IngestBatch, at: datetime) -> None:
    if batch.accepted:
        conn.execute(
            insert(monitoring_events),
            [
                {
                    "event_id": a.event.event_id,
                    "source": a.event.source,
                    "uscc": a.event.uscc,
                    "borrower_id": a.borrower_id,
                    "event_type": a.event.event_type,
                    "kind": a.kind,
                    "occurred_on": a.event.occurred_on,
                    "digest": a.digest,
                    "raw": a.raw,
                    "received_at": at,
                    "out_of_order": int(a.out_of_order),
                    "scanned_on": None,
                }
                for a in batch.accepted
            ],
        )
    if batch.rejects:
        conn.execute(
            insert(monitoring_rejects),
            [
                {
                    "feed": feed,
                    "line_no": r.line_no,
                    "reason": r.reason,
                    "detail": r.detail,
                    "raw": r.raw,
                    "received_at": at,
                }
                for r in batch.rejects
            ],
        )


def _ids(records: list[Record]) -> list[str]:
    return [str(d.get("event_id")) for _, _, d in records if not isinstance(d, MalformedEvent)]


def ingest_lines(conn: Connection, feed: str, records: list[Record], at: datetime) -> IngestSummary:
    """Sort decoded records and store them inside `conn`'s transaction (the caller commits)."""
    borrowers, seen, scanned = _context(conn, _ids(records))
    batch = ingest_records(records, borrowers, seen, scanned)
    _store(conn, feed, batch, at)
    return IngestSummary(
        feed,
        batch.lines,
        len(batch.accepted),
        len(batch.duplicates),
        [(r.line_no, r.reason, r.detail) for r in batch.rejects],
        [a.line_no for a in batch.out_of_order],
    )


def ingest_file(conn: Connection, path: Path, fmt: str, at: datetime) -> IngestSummary:
    """Ingest a JSONL (`fmt` "jsonl") or CSV (`fmt` "csv") feed file."""
    text = path.read_text(encoding="utf-8")
    records = list(csv_records(text) if fmt == "csv" else json_records(text.splitlines()))
    return ingest_lines(conn, path.name, records, at)


class HttpEventFeed:
    """`EventFeed` over HTTP: GET {url}?cursor=… → {"lines": [...], "next_cursor": "…" | null}.
    The transport is injectable (httpx.MockTransport in tests); no retries here — the poller is
    re-run and duplicates are ignored."""

    def __init__(self, url: str, client: httpx.Client | None = None) -> None:
        self._url = url
        self._client = client or httpx.Client(timeout=30.0)

    def fetch(self, cursor: str | None) -> FeedPage:
        """One page of lines."""
        params = {} if cursor is None else {"cursor": cursor}
        response = self._client.get(self._url, params=params)
        response.raise_for_status()
        body = response.json()
        return FeedPage([str(x) for x in body.get("lines", [])], body.get("next_cursor"))


def poll_feed(
    conn: Connection, feed: HttpEventFeed, name: str, at: datetime, cursor: str | None = None
) -> tuple[IngestSummary, str | None]:
    """Fetch every page from `cursor` and ingest them as one feed; returns the last cursor."""
    lines: list[str] = []
    while True:
        page = feed.fetch(cursor)
        lines += list(page.lines)
        if page.next_cursor is None or not page.lines:
            break
        cursor = page.next_cursor
    return ingest_lines(conn, name, list(json_records(lines)), at), cursor
