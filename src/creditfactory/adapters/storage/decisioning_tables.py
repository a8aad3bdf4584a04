"""Decision records: one row per decision (automatic or an officer's), the full record as JSON
text beside the indexed facts (outcome, versions, digests) a reviewer filters on."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, Text

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import UTCDateTime

__all__ = ["decisions"]

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column(
        "application_id",
        String(64),
        ForeignKey("applications.application_id"),
        nullable=False,
        index=True,
    ),
    Column("outcome", String(16), nullable=False, index=True),
    Column("decided_by", String(64), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("spec_digest", String(64), nullable=False),
    Column("inputs_digest", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("limit_minor", BigInteger, nullable=False),
    Column("record", Text, nullable=False),
    Column("decided_at", UTCDateTime, nullable=False, index=True),
)
