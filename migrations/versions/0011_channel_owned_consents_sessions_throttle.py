"""channel-owned consents, officer sessions, login throttle (issue 13 defects 3, 5, 9)

- consents.channel_id: the API channel that recorded a consent; back-filled for the consents
  recorded with an application (their id is derived from the channel and the idempotency key);
  consents recorded with a limit estimate before this revision stay NULL (no channel owns them).
- officer_sessions: server-side sessions, so sign-out, deactivation and a reset revoke tokens.
- login_throttle replaces login_failures: consecutive failures per scope with a growing delay.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

import creditfactory.adapters.storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _backfill_consent_channels() -> None:
    db = op.get_bind()
    rows = db.execute(sa.text("SELECT channel_id, idempotency_key FROM applications")).all()
    for channel_id, key in rows:
        token = f"{channel_id}|{key}|credit_application"
        consent_id = "consent_" + hashlib.sha256(token.encode()).hexdigest()[:24]
        db.execute(
            sa.text("UPDATE consents SET channel_id = :c WHERE consent_id = :i"),
            {"c": channel_id, "i": consent_id},
        )


def upgrade() -> None:
    types = creditfactory.adapters.storage.types
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("channel_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_consents_channel_id", ["channel_id"], unique=False)
    _backfill_consent_channels()
    op.create_table(
        "officer_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_officer_sessions")),
    )
    op.create_index(
        "ix_officer_sessions_officer_id", "officer_sessions", ["officer_id"], unique=False
    )
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_login_throttle")),
    )
    op.drop_index("ix_login_failures_scope_key_at", table_name="login_failures")
    op.drop_table("login_failures")


def downgrade() -> None:
    types = creditfactory.adapters.storage.types
    op.create_table(
        "login_failures",
        sa.Column("failure_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failed_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("failure_id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_scope_key_at",
        "login_failures",
        ["scope", "key", "failed_at"],
        unique=False,
    )
    op.drop_table("login_throttle")
    op.drop_index("ix_officer_sessions_officer_id", table_name="officer_sessions")
    op.drop_table("officer_sessions")
    with op.batch_alter_table("consents") as batch:
        batch.drop_index("ix_consents_channel_id")
        batch.drop_column("channel_id")
