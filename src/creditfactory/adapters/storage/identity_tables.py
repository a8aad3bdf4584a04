"""Callers of the API and their controls: channel API keys (sha256 of a 256-bit random key — a
fast hash is enough for a high-entropy secret), officer logins (argon2id password hashes, a role
from `creditfactory.access`), their sessions (revoked server-side on sign-out, deactivation or a
password reset), the login throttle (failures per account and per address) and maker-checker
items.

`approvals.open_subject` holds the subject while the item is open (pending or approved, not yet
executed) and NULL afterwards; its UNIQUE constraint makes "one open item per subject" hold even
under concurrent requests (NULLs never collide on SQLite or PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table, Text

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import UTCDateTime

__all__ = ["api_keys", "approvals", "login_throttle", "officer_sessions", "officers"]

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),  # the public prefix of the key
    Column("channel_id", String(64), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

officers = Table(
    "officers",
    metadata,
    Column("officer_id", String(64), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    # "loan_officer" | "credit_approver" | "risk_manager" | "auditor" | "administrator" | "none"
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

officer_sessions = Table(
    "officer_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),  # random; the token carries it
    Column("officer_id", String(64), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("scope", String(16), primary_key=True),  # "officer" | "address"
    Column("key", String(200), primary_key=True),  # username or client address
    Column("failures", Integer, nullable=False),  # consecutive failures (a success resets them)
    Column("last_failed_at", UTCDateTime),  # with `failures`, when the next attempt is checked
)

approvals = Table(
    "approvals",
    metadata,
    Column("approval_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    Column("open_subject", String(200), unique=True),
    Column("params", Text, nullable=False),  # canonical JSON
    Column("maker", String(64), nullable=False),
    Column("note", String(500), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("checker", String(64)),
    Column("executed_by", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("executed_at", UTCDateTime),
)
