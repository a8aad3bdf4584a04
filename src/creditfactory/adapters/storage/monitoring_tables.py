"""Tables of the monitoring context (docs/monitoring.md):

- `monitoring_borrowers`  who is watched: borrower id ↔ USCC, controller and related parties
- `monitoring_events`     accepted feed events (idempotent by event_id; `scanned_on` NULL until a
                          run has scored them — the scan reads only those: incremental)
- `monitoring_rejects`    every feed line not accepted, with line number, reason and raw text
- `monitoring_signal_state` decayed score per (borrower, loan, kind), carried from run to run
- `monitoring_loan_marks` what the previous run saw of a loan (bucket, late episodes, utilisation)
- `monitoring_warnings`   non-green levels per borrower / loan and business date, with contributors
- `monitoring_runs`       one row per business date scanned (counts, level distribution JSON)
- `monitoring_alerts` + `monitoring_alert_steps`  the alert workflow and its history
- `monitoring_transactions` accepted account transactions (idempotent by txn_id; `scanned_on`)
- `monitoring_invoices`   accepted VAT invoices, CUMCM layout (key 企业代号|direction|发票号码)
- `monitoring_flow_hits`  fund-flow hits already scored, by (loan, kind, evidence): a re-evaluated
                          disbursement scores only hits it has not scored before
- `monitoring_invoice_marks` per borrower: the month the invoice rule last fired for and its kind
- `monitoring_floor_releases` warning floors released by a risk officer (who, why, at what level)
Scores are floats (a risk index, not money); times are tz-aware UTC.

USCCs, borrower names, raw feed lines and reject details are stored encrypted (`EncryptedString`,
the identifiers' AES-256-GCM of `pii.py`; the code reads and writes plain text), and a borrower's
USCC is unique through its blind index `uscc_bidx` (HMAC-SHA256, computed on insert) — none of
them in clear at rest (issue 13, defect 11).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.pii import EncryptedString, active_pii_cipher
from creditfactory.adapters.storage.types import DecimalText, UTCDateTime


def _uscc_bidx(context: Any) -> str:
    """The blind index of the row's USCC (a column default: every insert gets it)."""
    return active_pii_cipher().blind_index(context.get_current_parameters()["uscc"], "uscc")


def _feed_record_columns(table: str) -> list[Column[Any]]:
    """What every ingested feed row keeps: its content digest (duplicates), the raw line
    (encrypted: it carries the USCC), when it arrived, whether it came out of order, and the
    business date a scan consumed it (NULL = new)."""
    return [
        Column("digest", String(64), nullable=False),
        Column("raw", EncryptedString(f"{table}.raw"), nullable=False),
        Column("received_at", UTCDateTime, nullable=False),
        Column("out_of_order", Integer, nullable=False),
        Column("scanned_on", Date),
    ]


monitoring_borrowers = Table(
    "monitoring_borrowers",
    metadata,
    Column("borrower_id", String(64), primary_key=True),
    Column("uscc", EncryptedString("monitoring_borrowers.uscc"), nullable=False),
    Column("uscc_bidx", String(64), nullable=False, default=_uscc_bidx),
    Column("name", EncryptedString("monitoring_borrowers.name"), nullable=False),
    Column("controller_id", String(64)),
    Column("related_parties", Text, nullable=False),  # comma-separated party ids
    UniqueConstraint("uscc_bidx"),
)

monitoring_events = Table(
    "monitoring_events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("source", String(32), nullable=False),
    Column("uscc", EncryptedString("monitoring_events.uscc"), nullable=False),
    Column("borrower_id", String(64), nullable=False, index=True),
    Column("event_type", String(40), nullable=False),
    Column("kind", String(40)),  # the signal kind, NULL when the event raises none
    Column("occurred_on", Date, nullable=False),
    *_feed_record_columns("monitoring_events"),
)
Index(
    "ix_monitoring_events_unscanned",
    monitoring_events.c.scanned_on,
    monitoring_events.c.occurred_on,
)

monitoring_rejects = Table(
    "monitoring_rejects",
    metadata,
    Column("reject_id", Integer, primary_key=True, autoincrement=True),
    Column("feed", String(200), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("detail", EncryptedString("monitoring_rejects.detail"), nullable=False),
    Column("raw", EncryptedString("monitoring_rejects.raw"), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

monitoring_signal_state = Table(
    "monitoring_signal_state",
    metadata,
    Column("borrower_id", String(64), primary_key=True),
    Column("loan_id", String(64), primary_key=True),  # '' for borrower-wide signals
    Column("kind", String(40), primary_key=True),
    Column("score", Float, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("last_on", Date, nullable=False),
    Column("hits", Integer, nullable=False),
)

monitoring_loan_marks = Table(
    "monitoring_loan_marks",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("bucket", String(16), nullable=False),
    Column("late_episodes", Text, nullable=False),  # comma-separated ISO dates
    Column("utilisation", DecimalText),
    Column("as_of", Date, nullable=False),
)

monitoring_warnings = Table(
    "monitoring_warnings",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("subject_type", String(8), primary_key=True),  # borrower | loan
    Column("subject_id", String(64), primary_key=True),
    Column("level", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("contributors", Text, nullable=False),
    Column("grade_floor", String(16), nullable=False),
)

monitoring_runs = Table(
    "monitoring_runs",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("rule_book", String(32), nullable=False),
    Column("events_scanned", Integer, nullable=False),
    Column("hits", Integer, nullable=False),
    Column("levels", Text, nullable=False),  # JSON {"borrower": {...}, "loan": {...}}
    Column("started_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=False),
)

monitoring_alerts = Table(
    "monitoring_alerts",
    metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("borrower_id", String(64), nullable=False, index=True),
    Column("level", String(8), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("assignee", String(64)),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("business_date_opened", String(10), nullable=False),
    Column("contributors", Text, nullable=False),
    Column("due_at", UTCDateTime),
    Column("actions", Text, nullable=False),
    Column("reason", Text),
    Column("closed_at", UTCDateTime),
    Column("sla_version", String(32), nullable=False),
    Column("version", Integer, nullable=False),
)

monitoring_alert_steps = Table(
    "monitoring_alert_steps",
    metadata,
    Column("alert_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("action", String(64), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=False),
)

monitoring_transactions = Table(
    "monitoring_transactions",
    metadata,
    Column("txn_id", String(128), primary_key=True),
    Column("uscc", EncryptedString("monitoring_transactions.uscc"), nullable=False),
    Column("borrower_id", String(64), nullable=False),
    Column("account", String(64), nullable=False),
    Column("counterparty", String(64), nullable=False),
    Column("counterparty_category", String(32), nullable=False),
    Column("direction", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("value_date", Date, nullable=False),
    Column("loan_ref", String(64)),
    Column("entrusted_payee", String(64)),
    *_feed_record_columns("monitoring_transactions"),
)
Index(
    "ix_monitoring_transactions_unscanned",
    monitoring_transactions.c.scanned_on,
    monitoring_transactions.c.value_date,
)
Index(
    "ix_monitoring_transactions_borrower_date",
    monitoring_transactions.c.borrower_id,
    monitoring_transactions.c.value_date,
)

monitoring_invoices = Table(
    "monitoring_invoices",
    metadata,
    Column("invoice_key", String(200), primary_key=True),
    Column("borrower_id", String(64), nullable=False),
    Column("enterprise_code", String(32), nullable=False),
    Column("invoice_number", String(64), nullable=False),
    Column("direction", String(8), nullable=False),  # output (销项) | input (进项)
    Column("issue_date", Date, nullable=False),
    Column("counterparty_code", String(64), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False),
    Column("total_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(8), nullable=False),  # valid | void
    *_feed_record_columns("monitoring_invoices"),
)
Index(
    "ix_monitoring_invoices_borrower_date",
    monitoring_invoices.c.borrower_id,
    monitoring_invoices.c.issue_date,
)
Index("ix_monitoring_invoices_unscanned", monitoring_invoices.c.scanned_on)

monitoring_flow_hits = Table(
    "monitoring_flow_hits",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("source_id", String(128), primary_key=True),
    Column("borrower_id", String(64), nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("business_date", Date, nullable=False),
)

monitoring_invoice_marks = Table(
    "monitoring_invoice_marks",
    metadata,
    Column("borrower_id", String(64), primary_key=True),
    Column("month", String(7), nullable=False),  # YYYY-MM of the run that last evaluated it
    Column("kind", String(40)),  # the kind fired in that month, NULL when none
    Column("as_of", Date, nullable=False),
)

monitoring_floor_releases = Table(
    "monitoring_floor_releases",
    metadata,
    Column("release_id", Integer, primary_key=True, autoincrement=True),
    Column("loan_id", String(64), nullable=False, index=True),
    Column("level", String(8), nullable=False),  # the loan's warning level when released
    Column("from_floor", String(16), nullable=False),
    Column("to_floor", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("released_at", UTCDateTime, nullable=False),
)

MONITORING_TABLES = (
    monitoring_borrowers,
    monitoring_events,
    monitoring_rejects,
    monitoring_signal_state,
    monitoring_loan_marks,
    monitoring_warnings,
    monitoring_runs,
    monitoring_alerts,
    monitoring_alert_steps,
    monitoring_transactions,
    monitoring_invoices,
    monitoring_flow_hits,
    monitoring_invoice_marks,
    monitoring_floor_releases,
)
