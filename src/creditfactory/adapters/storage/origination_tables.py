"""Tables of the application flow: applications, consents (授权书), offers and officer actions.

Identifiers, phone numbers and applicant names are stored encrypted (`EncryptedString`,
AES-256-GCM), identifiers with a blind index (`*_bidx`, HMAC-SHA256) for lookups; never in plain
text. `applicant_name_masked` is what pages show (a natural person's name masked, issue 13). Money as `*_minor BIGINT` +
`currency`, rates as decimal text, times tz-aware UTC. An application records the
(channel_id, idempotency_key) that submitted it; the key is claimed in `idempotency_keys` by
`kernel.idempotency.run_once` before the row is written, and the pair stays unique here as a
database-level guard (one application per key, whatever writes the table).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from creditfactory.adapters.storage.identity_tables import branch_column
from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.pii import EncryptedString
from creditfactory.adapters.storage.types import DecimalText, UTCDateTime

__all__ = ["applications", "consents", "offers", "referral_actions"]

applications = Table(
    "applications",
    metadata,
    Column("application_id", String(64), primary_key=True),
    Column("channel_id", String(64), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("request_digest", String(64), nullable=False),
    Column("applicant_type", String(32), nullable=False),
    Column("applicant_name_enc", EncryptedString("applications.applicant_name"), nullable=False),
    Column("applicant_name_masked", String(200), nullable=False),
    Column("subject_bidx", String(64), nullable=False, index=True),
    Column("subject_id_enc", EncryptedString("applications.subject_id"), nullable=False),
    Column("operator_id_enc", EncryptedString("applications.operator_id")),
    Column("phone_enc", EncryptedString("applications.phone")),
    Column("subject_masked", String(32), nullable=False),
    Column("product_key", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("requested_minor", BigInteger, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("status", String(24), nullable=False, index=True),
    Column("decision_id", String(64)),
    Column("offer_id", String(64)),
    Column("loan_id", String(64)),
    Column("response", Text, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    branch_column(),  # the submitting channel key's branch (access.branches)
    UniqueConstraint("channel_id", "idempotency_key", name="uq_applications_channel_key"),
)

consents = Table(
    "consents",
    metadata,
    Column("consent_id", String(64), primary_key=True),
    Column("subject_bidx", String(64), nullable=False, index=True),
    Column("purpose", String(32), nullable=False),
    Column("categories", String(200), nullable=False),
    Column("text_version", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    # the API channel that recorded it: only that channel may use or withdraw it (NULL: recorded
    # before channels owned consents, or outside the API — no channel addresses it)
    Column("channel_id", String(64), index=True),
    Column("separate", Boolean, nullable=False),
    Column("given_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("withdrawn_at", UTCDateTime),
)

offers = Table(
    "offers",
    metadata,
    Column("offer_id", String(64), primary_key=True),
    Column("application_id", String(64), ForeignKey("applications.application_id"), unique=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("annual_rate", DecimalText, nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("product_key", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("accepted_at", UTCDateTime),
    Column("loan_id", String(64), unique=True),
)

referral_actions = Table(
    "referral_actions",
    metadata,
    Column("action_id", String(64), primary_key=True),
    Column("application_id", String(64), ForeignKey("applications.application_id")),
    Column("officer_id", String(64), nullable=False),
    Column("role", String(16), nullable=False),  # "maker" | "checker"
    Column("action", String(16), nullable=False),  # "approve" | "decline"
    Column("note", String(500), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

Index("ix_referral_actions_application", referral_actions.c.application_id)
