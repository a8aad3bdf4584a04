"""Tables of the ledger: journal entries and their postings (append-only).

Each entry's postings sum to zero; the repository refuses an unbalanced entry and PostgreSQL
enforces it again with a deferred constraint trigger (migration), as django-hordak does.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import UTCDateTime

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", String(96), primary_key=True),
    Column("business_date", Date, nullable=False, index=True),
    Column("event", String(64), nullable=False),
    Column("reference", String(64), nullable=False, index=True),
    Column("reverses", String(96), ForeignKey("journal_entries.entry_id")),
    Column("posted_at", UTCDateTime, nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("posting_id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(96), ForeignKey("journal_entries.entry_id"), nullable=False),
    Column("account", String(16), nullable=False),
    Column("subledger", String(64), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
)

Index("ix_postings_entry_id", postings.c.entry_id)
Index("ix_postings_account_subledger", postings.c.account, postings.c.subledger)
