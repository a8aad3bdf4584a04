"""Callers of the API and their controls: channel API keys (sha256 of a 256-bit random key — a
fast hash is enough for a high-entropy secret), officer logins (argon2id password hashes, a role
from `creditfactory.access`), their sessions (revoked server-side on sign-out, deactivation or a
password reset), the login throttle (failures per account and per address), maker-checker
items, and the organisation's `branches` (总行 / 分行 / 支行, `access.branches`): every officer and
API key belongs to one (`branch_id`; the head office `HQ` for rows stored before branches existed).

`approvals.open_subject` holds the subject while the item is open (pending or approved, not yet
executed) and NULL afterwards; its UNIQUE constraint makes "one open item per subject" hold even
under concurrent requests (NULLs never collide on SQLite or PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text

from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import UTCDateTime

__all__ = [
    "api_keys",
    "approvals",
    "branch_column",
    "branches",
    "login_throttle",
    "officer_sessions",
    "officers",
]

branches = Table(
    "branches",
    metadata,
    Column("branch_id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),  # Chinese name, e.g. 浦东支行
    Column("name_en", String(100), nullable=False),
    Column("level", String(16), nullable=False),  # head | branch | sub_branch
    Column("parent_id", String(32), ForeignKey("branches.branch_id"), index=True),
    Column("created_at", UTCDateTime, nullable=False),
)


def branch_column() -> Column[str]:
    """The `branch_id` column every scoped table carries: the branch the row belongs to (the
    head office `HQ` when not given — rows stored before branches existed, loans booked outside
    the application flow)."""
    return Column(
        "branch_id",
        String(32),
        ForeignKey("branches.branch_id"),
        nullable=False,
        server_default=HEAD_OFFICE,
        index=True,
    )


api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),  # the public prefix of the key
    Column("channel_id", String(64), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    branch_column(),  # the branch whose applications the channel's submissions belong to
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
    branch_column(),  # the officer sees this branch and those below it
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
