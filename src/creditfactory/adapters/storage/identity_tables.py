"""Callers of the API: channel API keys (sha256 of a 256-bit random key — a fast hash is enough
for a high-entropy secret) and officer logins (argon2id password hashes, a role)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, String, Table

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import UTCDateTime

__all__ = ["api_keys", "officers"]

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
    Column("role", String(16), nullable=False),  # "analyst" | "approver" | "admin"
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
