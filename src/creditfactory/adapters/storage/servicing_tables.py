"""Tables of the servicing context: loans (with an optimistic `version`), installments, end-of-day
runs. Money as `*_minor BIGINT`; rates and carries as exact decimal text."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from creditfactory.adapters.storage.identity_tables import branch_column
from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import DecimalText, UTCDateTime

facilities = Table(
    "facilities",
    metadata,
    Column("facility_id", String(64), primary_key=True),
    Column("borrower_id", String(64), nullable=False, index=True),
    Column("product_key", String(64), nullable=False),
    Column("limit_minor", BigInteger, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("expiry_date", Date, nullable=False),
    Column("revolving", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("drawn_total_minor", BigInteger, nullable=False),
    Column("pending_minor", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("limit_minor > 0", name="limit_positive"),
)

loans = Table(
    "loans",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("borrower_id", String(64), nullable=False, index=True),
    Column("product_key", String(64), nullable=False),
    Column("facility_id", String(64), ForeignKey("facilities.facility_id"), index=True),
    Column("currency", String(3), nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("annual_rate", DecimalText, nullable=False),
    Column("disbursement_date", Date, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("last_closed_date", Date),
    Column("accrued_through", Date),
    Column("penalty_carry", DecimalText, nullable=False),
    Column("compound_carry", DecimalText, nullable=False),
    Column("penalty_posted_minor", BigInteger, nullable=False),
    Column("compound_posted_minor", BigInteger, nullable=False),
    Column("penalty_paid_minor", BigInteger, nullable=False),
    Column("non_accrual", Boolean, nullable=False),
    Column("dpd", Integer, nullable=False),
    Column("bucket", String(16), nullable=False),
    Column("grade", String(16), nullable=False),
    Column("grade_floor", String(16), nullable=False),
    Column("allowance_minor", BigInteger, nullable=False),
    Column("overpayment_minor", BigInteger, nullable=False),
    Column("written_off_minor", BigInteger, nullable=False),
    Column("recovered_minor", BigInteger, nullable=False),
    Column("entry_seq", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    branch_column(),  # its application's branch (access.branches); HQ when booked outside it
    CheckConstraint("principal_minor > 0", name="principal_positive"),
    CheckConstraint("dpd >= 0", name="dpd_non_negative"),
)

installments = Table(
    "installments",
    metadata,
    Column("loan_id", String(64), ForeignKey("loans.loan_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("principal_due_minor", BigInteger, nullable=False),
    Column("interest_due_minor", BigInteger, nullable=False),
    Column("principal_paid_minor", BigInteger, nullable=False),
    Column("interest_paid_minor", BigInteger, nullable=False),
    Column("interest_accrued_minor", BigInteger, nullable=False),
    Column("fell_due", Boolean, nullable=False),
    CheckConstraint("principal_paid_minor <= principal_due_minor", name="principal_not_overpaid"),
    CheckConstraint("interest_paid_minor <= interest_due_minor", name="interest_not_overpaid"),
)

Index("ix_installments_due_date", installments.c.due_date)

eod_runs = Table(
    "eod_runs",
    metadata,
    Column("business_date", Date, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("loans_closed", Integer, nullable=False),
    Column("entries_posted", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_digest", String(64), nullable=False),
    Column("response", String, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # the response's seal (`IdempotencyRepository`): "mac1.<key id>.<64 hex>"
    Column("response_mac", String(80)),
)
