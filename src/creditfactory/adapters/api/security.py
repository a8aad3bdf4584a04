"""Callers: channel API keys and officer logins.

- API key: "cfk_<key_id>_<secret>" (secret = 32 random bytes, urlsafe base64). The table keeps
  sha256(secret) only; a fast hash suffices for a 256-bit random secret (argon2 is for
  passwords). Sent as the `X-API-Key` header.
- Officers: argon2id password hashes (argon2-cffi); login returns a bearer token made with
  `cryptography`'s Fernet (AES-128-CBC + HMAC-SHA256, timestamped) holding officer id and role,
  valid for `TOKEN_TTL_S`. The Fernet key derives from `Settings.secret_key` (HKDF).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine, insert, select

from creditfactory.adapters.api.errors import Forbidden, Unauthorized
from creditfactory.adapters.storage.identity_tables import api_keys, officers

__all__ = ["Caller", "Officer", "Security", "TOKEN_TTL_S", "new_api_key"]

TOKEN_TTL_S: Final = 8 * 3600
ROLES: Final = ("analyst", "approver", "admin")
_HASHER = PasswordHasher()


def new_api_key() -> str:
    """A fresh key "cfk_<16 hex>_<43 urlsafe chars>" (256-bit secret)."""
    return f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Caller:
    """An authenticated channel."""

    channel_id: str


@dataclass(frozen=True)
class Officer:
    """An authenticated officer."""

    officer_id: str
    role: str


class Security:
    """Key and login checks against the identity tables; tokens with Fernet."""

    def __init__(self, engine: Engine, secret_key: str) -> None:
        self._engine = engine
        derived = HKDF(hashes.SHA256(), 32, b"creditfactory", b"officer tokens v1").derive(
            secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self._keys: dict[str, tuple[str, str]] = {}

    def create_api_key(self, channel_id: str, at: datetime) -> str:
        """A new key for `channel_id`; returns it once (only its hash is stored)."""
        key = new_api_key()
        self.register_api_key(key, channel_id, at)
        return key

    def register_api_key(self, key: str, channel_id: str, at: datetime) -> None:
        """Store the hash of a key made elsewhere (`new_api_key`) for `channel_id`."""
        _, key_id, secret = key.split("_", 2)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if self._load_key(key_id) is not None:  # several workers register the same key
            return
        with self._engine.begin() as db:
            db.execute(
                insert(api_keys).values(
                    key_id=key_id,
                    channel_id=channel_id,
                    key_hash=digest,
                    active=True,
                    created_at=at,
                )
            )

    def channel(self, header: str | None) -> Caller:
        """The channel of an `X-API-Key` value. raises Unauthorized."""
        if not header or header.count("_") < 2 or not header.startswith("cfk_"):
            raise Unauthorized("X-API-Key: missing or malformed")
        _, key_id, secret = header.split("_", 2)
        found = self._keys.get(key_id) or self._load_key(key_id)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if found is None or not hmac.compare_digest(found[1], digest):
            raise Unauthorized("X-API-Key: unknown key")
        return Caller(found[0])

    def _load_key(self, key_id: str) -> tuple[str, str] | None:
        with self._engine.connect() as db:
            row = db.execute(
                select(api_keys.c.channel_id, api_keys.c.key_hash).where(
                    api_keys.c.key_id == key_id, api_keys.c.active.is_(True)
                )
            ).one_or_none()
        if row is None:
            return None
        self._keys[key_id] = (row[0], row[1])
        return self._keys[key_id]

    def create_officer(self, username: str, password: str, role: str, at: datetime) -> str:
        """Add an officer (argon2id hash); returns the officer id."""
        if role not in ROLES:
            raise Forbidden(f"role: one of {', '.join(ROLES)}")
        officer_id = f"off_{username}"
        with self._engine.begin() as db:
            db.execute(
                insert(officers).values(
                    officer_id=officer_id,
                    username=username,
                    password_hash=_HASHER.hash(password),
                    role=role,
                    active=True,
                    created_at=at,
                )
            )
        return officer_id

    def login(self, username: str, password: str) -> str:
        """A bearer token for valid credentials. raises Unauthorized."""
        with self._engine.connect() as db:
            row = db.execute(
                select(officers.c.officer_id, officers.c.password_hash, officers.c.role).where(
                    officers.c.username == username, officers.c.active.is_(True)
                )
            ).one_or_none()
        try:
            if row is None or not _HASHER.verify(row[1], password):
                raise Unauthorized("credentials: unknown user or wrong password")
        except (VerificationError, InvalidHashError):
            raise Unauthorized("credentials: unknown user or wrong password") from None
        claims = json.dumps({"sub": row[0], "role": row[2]}).encode()
        return self._fernet.encrypt(claims).decode()

    def officer(self, authorization: str | None, roles: tuple[str, ...] = ROLES) -> Officer:
        """The officer of an `Authorization: Bearer …` header with one of `roles`.
        raises Unauthorized, Forbidden."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("Authorization: bearer token required")
        try:
            claims = json.loads(self._fernet.decrypt(authorization[7:].encode(), ttl=TOKEN_TTL_S))
        except (InvalidToken, ValueError):
            raise Unauthorized("Authorization: invalid or expired token") from None
        if claims["role"] not in roles:
            raise Forbidden(f"role: {claims['role']} may not do this")
        return Officer(claims["sub"], claims["role"])
