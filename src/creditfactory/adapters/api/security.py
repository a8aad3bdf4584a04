"""Callers and the one permission check every route goes through.

- API key: "cfk_<key_id>_<secret>" (secret = 32 random bytes, urlsafe base64). The table keeps
  sha256(secret) only; a fast hash suffices for a 256-bit random secret (argon2 is for
  passwords). Sent as the `X-API-Key` header; the caller has the role "channel". Verified keys
  are cached in the process for `KEY_CACHE_TTL_S` (a deactivated key stops working within it),
  so a request with a known key does no I/O before its route.
- Officers: argon2id password hashes (argon2-cffi); login returns a bearer token made with
  `cryptography`'s Fernet (AES-128-CBC + HMAC-SHA256, timestamped) holding the officer id,
  valid for `TOKEN_TTL_S`. The role is read from the database on every request, so a role change
  or a deactivation counts at once. The Fernet key derives from `Settings.secret_key` (HKDF).
- Failed logins are counted per username and per client address and throttled
  (`creditfactory.access.LoginThrottle`; 429 with Retry-After).
- `authorize` (a FastAPI dependency on every router) looks the matched route's permission up
  in the access document (`creditfactory.access.DEFAULT_ACCESS`), resolves the caller, and
  refuses a role without it (403). A route the document does not declare is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Header, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from creditfactory.access import PUBLIC, AccessPolicy, LoginThrottle, PermissionDenied
from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.identity_tables import api_keys, login_failures, officers
from creditfactory.audit import AuditEntry
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.errors import ValidationError

__all__ = ["SESSION_COOKIE", "TOKEN_TTL_S", "Principal", "Security", "authorize", "new_api_key"]

TOKEN_TTL_S: Final = 8 * 3600
KEY_CACHE_TTL_S: Final = 30.0
SESSION_COOKIE: Final = "cf_session"
NO_ROLE: Final = "none"
_HASHER = PasswordHasher()


def new_api_key() -> str:
    """A fresh key "cfk_<16 hex>_<43 urlsafe chars>" (256-bit secret)."""
    return f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Principal:
    """Who calls: kind "channel" | "officer" | "anonymous", their id and current role."""

    kind: str
    principal_id: str
    role: str

    @property
    def channel_id(self) -> str:
        """The channel id (for channel callers)."""
        return self.principal_id

    @property
    def officer_id(self) -> str:
        """The officer id (for officers)."""
        return self.principal_id


ANONYMOUS: Final = Principal("anonymous", "anonymous", "anonymous")


class Security:
    """Key and login checks against the identity tables; tokens with Fernet; throttling."""

    def __init__(
        self,
        engine: Engine,
        secret_key: str,
        clock: Clock,
        access: AccessPolicy,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.access = access
        self.throttle = throttle or LoginThrottle()
        derived = HKDF(hashes.SHA256(), 32, b"creditfactory", b"officer tokens v1").derive(
            secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self._keys: dict[str, tuple[str, str, float]] = {}  # key id → channel, hash, expiry

    def create_api_key(self, channel_id: str, at: datetime) -> str:
        """A new key for `channel_id`; returns it once (only its hash is stored)."""
        key = new_api_key()
        self.register_api_key(key, channel_id, at)
        return key

    def register_api_key(self, key: str, channel_id: str, at: datetime) -> None:
        """Store the hash of a key made elsewhere (`new_api_key`) for `channel_id`, once: when
        the key id is already stored (another worker registering the same key at start won the
        insert) nothing is written. raises ValidationError when that stored key has another
        secret or channel."""
        _, key_id, secret = key.split("_", 2)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        try:
            with self._engine.begin() as db:
                db.execute(
                    insert(api_keys).values(
                        key_id=key_id, channel_id=channel_id, key_hash=digest, active=True,
                        created_at=at,
                    )
                )  # fmt: skip
                append_entries(db, [AuditEntry("system:security", "api_key.registered", key_id,
                                               {"channel_id": channel_id}, at)])  # fmt: skip
        except IntegrityError:  # the primary key: check and insert are one statement
            with self._engine.connect() as db:
                stored = db.execute(
                    select(api_keys.c.channel_id, api_keys.c.key_hash).where(
                        api_keys.c.key_id == key_id
                    )
                ).one_or_none()
            if stored is None:  # not the key id's constraint
                raise
            if not hmac.compare_digest(stored[1], digest) or stored[0] != channel_id:
                raise ValidationError(
                    "CREDITFACTORY_BOOTSTRAP_API_KEY",
                    f"key id {key_id} is registered with another secret or channel",
                ) from None

    def channel(self, header: str | None) -> Principal:
        """The channel of an `X-API-Key` value. raises Unauthorized."""
        if not header or header.count("_") < 2 or not header.startswith("cfk_"):
            raise Unauthorized("X-API-Key: missing or malformed")
        _, key_id, secret = header.split("_", 2)
        found = self._fresh_key(key_id) or self._load_key(key_id)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if found is None or not hmac.compare_digest(found[1], digest):
            raise Unauthorized("X-API-Key: unknown key")
        return Principal("channel", found[0], "channel")

    def cached_channel(self, header: str) -> Principal | None:
        """`channel(header)` without I/O when the key id is cached and fresh; None when the
        database must be asked (call `channel`). raises Unauthorized on a wrong secret."""
        parts = header.split("_", 2)
        found = self._fresh_key(parts[1]) if len(parts) == 3 and parts[0] == "cfk" else None
        if found is None:
            return None
        if not hmac.compare_digest(found[1], hashlib.sha256(parts[2].encode()).hexdigest()):
            raise Unauthorized("X-API-Key: unknown key")
        return Principal("channel", found[0], "channel")

    def _fresh_key(self, key_id: str) -> tuple[str, str, float] | None:
        found = self._keys.get(key_id)
        return found if found is not None and found[2] > time.monotonic() else None

    def _load_key(self, key_id: str) -> tuple[str, str, float] | None:
        with self._engine.connect() as db:
            row = db.execute(
                select(api_keys.c.channel_id, api_keys.c.key_hash).where(
                    api_keys.c.key_id == key_id, api_keys.c.active.is_(True)
                )
            ).one_or_none()
        if row is None:
            self._keys.pop(key_id, None)
            return None
        self._keys[key_id] = (row[0], row[1], time.monotonic() + KEY_CACHE_TTL_S)
        return self._keys[key_id]

    def create_officer(
        self, username: str, password: str, role: str, at: datetime, actor: str = "system:cli"
    ) -> str:
        """Add an officer (argon2id hash) with `role` (current or legacy name, or "none"), with
        its audit leaf; returns the officer id. For bootstrap and the CLI — over HTTP an officer
        is created without a role and gets one through maker-checker. raises PermissionDenied
        for an unknown role."""
        current = NO_ROLE if role == NO_ROLE else self.access.role(role)
        if current == "channel":
            raise PermissionDenied("role: channel is for API keys")
        officer_id = f"off_{username}"
        with self._engine.begin() as db:
            db.execute(
                insert(officers).values(
                    officer_id=officer_id, username=username,
                    password_hash=_HASHER.hash(password), role=current, active=True,
                    created_at=at,
                )
            )  # fmt: skip
            append_entries(db, [AuditEntry(actor, "officer.created", officer_id,
                                           {"username": username, "role": current}, at)])  # fmt: skip
        return officer_id

    def _failures(self, db: object, username: str, address: str) -> dict[str, list[datetime]]:
        since = self.throttle.since(self._clock.now())
        out: dict[str, list[datetime]] = {"officer": [], "address": []}
        for scope, key in (("officer", username), ("address", address)):
            query = select(login_failures.c.failed_at).where(
                login_failures.c.scope == scope,
                login_failures.c.key == key,
                login_failures.c.failed_at >= since,
            )
            out[scope] = [r[0] for r in db.execute(query)]  # type: ignore[attr-defined]
        return out

    def login(self, username: str, password: str, address: str = "unknown") -> str:
        """A bearer token for valid credentials. raises LoginThrottled (before checking the
        password, so a throttled guess learns nothing), Unauthorized."""
        now = self._clock.now()
        with self._engine.begin() as db:
            self.throttle.check(self._failures(db, username, address), now)
            row = db.execute(
                select(officers.c.officer_id, officers.c.password_hash).where(
                    officers.c.username == username, officers.c.active.is_(True)
                )
            ).one_or_none()
            try:
                ok = row is not None and _HASHER.verify(row[1], password)
            except (VerificationError, InvalidHashError):
                ok = False
            if not ok or row is None:
                db.execute(
                    insert(login_failures),
                    [{"scope": "officer", "key": username, "failed_at": now},
                     {"scope": "address", "key": address, "failed_at": now}],
                )  # fmt: skip
            else:
                db.execute(
                    delete(login_failures).where(
                        login_failures.c.scope == "officer", login_failures.c.key == username
                    )
                )
        if not ok or row is None:
            raise Unauthorized("credentials: unknown user or wrong password")
        claims = json.dumps({"sub": row[0]}).encode()
        return self._fernet.encrypt(claims).decode()

    def officer(self, authorization: str | None) -> Principal:
        """The officer of an `Authorization: Bearer …` header with their CURRENT role.
        raises Unauthorized (no/bad/expired token, officer inactive)."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("Authorization: bearer token required")
        try:
            claims = json.loads(self._fernet.decrypt(authorization[7:].encode(), ttl=TOKEN_TTL_S))
        except (InvalidToken, ValueError):
            raise Unauthorized("Authorization: invalid or expired token") from None
        with self._engine.connect() as db:
            row = db.execute(
                select(officers.c.role).where(
                    officers.c.officer_id == claims["sub"], officers.c.active.is_(True)
                )
            ).one_or_none()
        if row is None:
            raise Unauthorized("Authorization: officer inactive or unknown")
        return Principal("officer", claims["sub"], row[0])

    def caller(self, x_api_key: str | None, authorization: str | None) -> Principal:
        """The channel (X-API-Key) or the officer (bearer token). raises Unauthorized."""
        if x_api_key:
            return self.channel(x_api_key)
        if authorization:
            return self.officer(authorization)
        raise Unauthorized("credentials: X-API-Key or Authorization: Bearer required")


async def authorize(
    request: Request,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """THE permission check (one per request, cached by FastAPI): the matched route's
    permission from the access document; the caller must hold it. raises Unauthorized (401),
    PermissionDenied (403). Runs on the event loop; database look-ups (officers, an uncached
    key) go to the thread pool."""
    security: Security = request.app.state.security
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    permission = security.access.permission_for(request.method, path)
    if permission == PUBLIC:
        return ANONYMOUS
    session = request.cookies.get(SESSION_COOKIE)
    if x_api_key is None and authorization is None and session:
        authorization = f"Bearer {session}"  # the console's login cookie carries the same token
    who = security.cached_channel(x_api_key) if x_api_key else None
    if who is None:
        who = await run_in_threadpool(security.caller, x_api_key, authorization)
    security.access.require(who.role, permission)
    request.state.principal = who
    return who
