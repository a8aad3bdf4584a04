"""Ingest account-transaction and invoice feeds (JSONL, CSV; `.gz` read transparently) into
`monitoring_transactions` / `monitoring_invoices`, every other line into `monitoring_rejects`
(feed name prefixed `transactions:` / `invoices:`) — the same rules as the event feed: duplicates
(same key, same content) ignored, malformed lines kept with their line number, unknown borrowers
and conflicting duplicates rejected, out-of-order records accepted and reported.

Invoice CSV files must carry a CUMCM 2020 C header (`adapters.gateways.invoices_file`); with any
other header every line is rejected `malformed` (header) — nothing is dropped silently.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Table, func, insert, select

from creditfactory.adapters.batch.monitoring_ingest import (
    IngestSummary,
    Record,
    csv_records,
    json_records,
)
from creditfactory.adapters.gateways.invoices_file import CUMCM_HEADER_INPUT, CUMCM_HEADER_OUTPUT
from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_borrowers,
    monitoring_invoices,
    monitoring_rejects,
    monitoring_runs,
    monitoring_transactions,
)
from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.monitoring.flowfeeds import (
    INVOICES,
    TRANSACTIONS,
    AcceptedRecord,
    AccountTransaction,
    RecordBatch,
    RecordSpec,
    sort_records,
)
from creditfactory.origination.ports import VATInvoice

__all__ = ["ingest_invoices_file", "ingest_transactions_file", "read_feed"]

T = TypeVar("T")
_CHUNK = 500


def _minor(amount: Any) -> int:
    return int(amount.scaleb(2))


def read_feed(path: Path) -> str:
    """The text of a feed file (UTF-8, gzip when the name ends in .gz)."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            return handle.read()
    return path.read_text(encoding="utf-8")


def _records(text: str, fmt: str, header: Callable[[list[str]], str | None]) -> list[Record]:
    if fmt != "csv":
        return list(json_records(text.splitlines()))
    first = text.split("\n", 1)[0].strip().lstrip("\ufeff")
    problem = header([c.strip() for c in first.split(",")])
    rows = list(csv_records(text))
    if problem is None:
        return rows
    bad = MalformedEvent("header", problem)  # the header line is kept too: nothing is lost
    return [(1, first, bad), *((n, raw, bad) for n, raw, _ in rows)]


def _invoice_header(columns: list[str]) -> str | None:
    if tuple(columns) in (CUMCM_HEADER_INPUT, CUMCM_HEADER_OUTPUT):
        return None
    return "the CUMCM invoice header (企业代号,发票号码,开票日期,购方单位代号|销方单位代号,…)"


def _seen(
    conn: Connection, key: Column[Any], digest: Column[Any], keys: list[str]
) -> dict[str, str]:
    seen: dict[str, str] = {}
    for start in range(0, len(keys), _CHUNK):
        q = select(key, digest).where(key.in_(keys[start : start + _CHUNK]))
        seen.update({str(k): str(d) for k, d in conn.execute(q)})
    return seen


def _last_run(conn: Connection) -> date | None:
    value: date | None = conn.execute(select(func.max(monitoring_runs.c.business_date))).scalar()
    return value


def _summary(feed: str, batch: RecordBatch[T]) -> IngestSummary:
    return IngestSummary(
        feed,
        batch.lines,
        len(batch.accepted),
        len(batch.duplicates),
        [(r.line_no, r.reason, r.detail) for r in batch.rejects],
        batch.out_of_order,
    )


def _store(
    conn: Connection,
    feed: str,
    table: Table,
    batch: RecordBatch[T],
    row: Callable[[AcceptedRecord[T]], dict[str, Any]],
    at: datetime,
) -> None:
    if batch.accepted:
        base = [row(a) for a in batch.accepted]
        common = {"received_at": at, "scanned_on": None}
        conn.execute(
            insert(table),
            [
                {
                    **r,
                    **common,
                    "digest": a.digest,
                    "raw": a.raw,
                    "out_of_order": int(a.out_of_order),
                }
                for r, a in zip(base, batch.accepted, strict=True)
            ],
        )
    if batch.rejects:
        conn.execute(
            insert(monitoring_rejects),
            [
                {"feed": feed, "line_no": r.line_no, "reason": r.reason, "detail": r.detail,
                 "raw": r.raw, "received_at": at}
                for r in batch.rejects
            ],
        )  # fmt: skip


def _keys(records: list[Record], spec: RecordSpec[T]) -> list[str]:
    keys = []
    for _, _, decoded in records:
        if isinstance(decoded, Mapping):
            try:
                keys.append(spec.key(spec.parse(decoded)))
            except MalformedEvent:
                continue
    return keys


def _txn_row(a: AcceptedRecord[AccountTransaction]) -> dict[str, Any]:
    t = a.record
    return {"txn_id": t.txn_id, "uscc": t.uscc, "borrower_id": a.borrower_id, "account": t.account,
            "counterparty": t.counterparty, "counterparty_category": t.counterparty_category.value,
            "direction": t.direction, "amount_minor": _minor(t.amount), "currency": "CNY",
            "value_date": t.value_date, "loan_ref": t.loan_ref, "entrusted_payee": t.entrusted_payee}  # fmt: skip


def _invoice_row(a: AcceptedRecord[VATInvoice]) -> dict[str, Any]:
    i = a.record
    return {"invoice_key": a.key, "borrower_id": a.borrower_id, "enterprise_code": i.enterprise_code,
            "invoice_number": i.invoice_number, "direction": i.direction.value, "issue_date": i.issue_date,
            "counterparty_code": i.counterparty_code, "amount_minor": _minor(i.amount.amount),
            "tax_minor": _minor(i.tax_amount.amount), "total_minor": _minor(i.total_amount.amount),
            "currency": i.amount.currency, "status": i.status.value}  # fmt: skip


def ingest_transactions_file(conn: Connection, path: Path, fmt: str, at: datetime) -> IngestSummary:
    """Ingest an account-transaction feed (`fmt` jsonl or csv) inside `conn`'s transaction."""
    records = _records(read_feed(path), fmt, lambda _: None)
    borrowers = dict(
        conn.execute(select(monitoring_borrowers.c.uscc, monitoring_borrowers.c.borrower_id)).all()
    )
    t = monitoring_transactions.c
    seen = _seen(conn, t.txn_id, t.digest, _keys(records, TRANSACTIONS))
    last = _last_run(conn)
    batch = sort_records(
        records, TRANSACTIONS, borrowers, seen, lambda d: last is not None and d <= last
    )
    feed = f"transactions:{path.name}"
    _store(conn, feed, monitoring_transactions, batch, _txn_row, at)
    return _summary(feed, batch)


def ingest_invoices_file(conn: Connection, path: Path, fmt: str, at: datetime) -> IngestSummary:
    """Ingest an invoice feed (CUMCM-layout CSV, or JSONL objects with the same keys)."""
    records = _records(read_feed(path), fmt, _invoice_header)
    b = monitoring_borrowers.c
    borrowers: dict[str, str] = {}
    for uscc, borrower_id in conn.execute(select(b.uscc, b.borrower_id)):
        borrowers[uscc] = borrowers[borrower_id] = borrower_id
    i = monitoring_invoices.c
    seen = _seen(conn, i.invoice_key, i.digest, _keys(records, INVOICES))
    last = _last_run(conn)
    month = None if last is None else last.replace(day=1)
    batch = sort_records(
        records, INVOICES, borrowers, seen, lambda d: month is not None and d < month
    )
    feed = f"invoices:{path.name}"
    _store(conn, feed, monitoring_invoices, batch, _invoice_row, at)
    return _summary(feed, batch)
