"""Callers and the one permission check every route goes through.

- API key: "cfk_<key_id>_<secret>" (secret = 32 random bytes, urlsafe base64). The table keeps
  sha256(secret) only; a fast hash suffices for a 256-bit random secret (argon2 is for
  passwords). Sent as the `X-API-Key` header; the caller has the role "channel". Verified keys
  are cached in the process for `KEY_CACHE_TTL_S` (a deactivated key stops working within it),
  so a request with a known key does no I/O before its route.
- Officers: argon2id password hashes (argon2-cffi); login returns a bearer token made with
  `cryptography`'s Fernet (AES-128-CBC + HMAC-SHA256, timestamped) holding the officer id and
  a server-side session id, valid for `TOKEN_TTL_S` while the session is active (sign-out,
  deactivation, a password reset or `users revoke` end it at once). The role is read from the
  database on every request, so a role change or a deactivation counts at once. The Fernet key
  derives from `Settings.secret_key` (HKDF).
- Failed logins are counted per username and per client address, atomically, with a growing
  delay (`creditfactory.access.LoginThrottle`; 429 with Retry-After).
- `authorize` (a FastAPI dependency on every router) looks the matched route's permission up
  in the access document (`creditfactory.access.DEFAULT_ACCESS`), resolves the caller, and
  refuses a role without it (403). A route the document does not declare is refused. It then
  runs the one ownership check (`service_layer.ownership`) on the objects the path names: a
  channel must own them, an officer must have them in their branch scope (their branch and
  those below it) — else 404, as for a missing object.
- Branches: an officer's branch is read with the role on every request; a channel's is its API
  key's (`api_keys.branch_id`), and the applications it submits belong to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Final
from urllib.parse import parse_qs, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Header, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from creditfactory.access import PUBLIC, AccessPolicy, LoginThrottle, PermissionDenied
from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.identity_tables import api_keys, branches, officers
from creditfactory.adapters.storage.login_store import (
    clear_failures,
    lock_throttle,
    open_session,
    purge_expired,
    record_failure,
    revoke_session,
    revoke_sessions_of,
    session_active,
)
from creditfactory.audit import AuditEntry
from creditfactory.config import CHANNEL_ID
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.ownership import require_channel_owns, require_officer_reaches

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "TOKEN_TTL_S",
    "Principal",
    "Security",
    "authorize",
    "check_csrf",
    "new_api_key",
    "same_origin",
]

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
    """Who calls: kind "channel" | "officer" | "anonymous", their id, current role and branch
    (`access.branches`: an officer's scope; a channel's submissions belong to it)."""

    kind: str
    principal_id: str
    role: str
    session_id: str = ""  # officers: the server-side session of their token
    branch_id: str = HEAD_OFFICE

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
        self._csrf_key = HKDF(hashes.SHA256(), 32, b"creditfactory", b"console csrf v1").derive(
            secret_key.encode("utf-8")
        )
        # key id → channel, hash, expiry, branch
        self._keys: dict[str, tuple[str, str, float, str]] = {}

    def create_api_key(self, channel_id: str, at: datetime, branch_id: str = HEAD_OFFICE) -> str:
        """A new key for `channel_id` at `branch_id` (its submissions belong to that branch);
        returns it once (only its hash is stored)."""
        key = new_api_key()
        self.register_api_key(key, channel_id, at, branch_id)
        return key

    def register_api_key(
        self, key: str, channel_id: str, at: datetime, branch_id: str = HEAD_OFFICE
    ) -> None:
        """Store the hash of a key made elsewhere (`new_api_key`) for `channel_id` at
        `branch_id`, once: when the key id is already stored (another worker registering the
        same key at start won the insert) nothing is written. raises ValidationError when that
        stored key has another secret or channel, when `channel_id` is not a channel id
        (`config.CHANNEL_ID`), or when `branch_id` names no branch."""
        if not CHANNEL_ID.fullmatch(channel_id):
            raise ValidationError(
                "channel_id",
                "1–64 letters, digits, '_', '.' or '-' (no ':', which separates "
                "the channel from its idempotency keys)",
            )
        _, key_id, secret = key.split("_", 2)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        try:
            with self._engine.begin() as db:
                _known_branch(db, branch_id)
                db.execute(
                    insert(api_keys).values(
                        key_id=key_id, channel_id=channel_id, key_hash=digest, active=True,
                        created_at=at, branch_id=branch_id,
                    )
                )  # fmt: skip
                append_entries(db, [AuditEntry("system:security", "api_key.registered", key_id,
                                               {"channel_id": channel_id,
                                                "branch_id": branch_id}, at)])  # fmt: skip
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
        return Principal("channel", found[0], "channel", branch_id=found[3])

    def cached_channel(self, header: str) -> Principal | None:
        """`channel(header)` without I/O when the key id is cached and fresh; None when the
        database must be asked (call `channel`). raises Unauthorized on a wrong secret."""
        parts = header.split("_", 2)
        found = self._fresh_key(parts[1]) if len(parts) == 3 and parts[0] == "cfk" else None
        if found is None:
            return None
        if not hmac.compare_digest(found[1], hashlib.sha256(parts[2].encode()).hexdigest()):
            raise Unauthorized("X-API-Key: unknown key")
        return Principal("channel", found[0], "channel", branch_id=found[3])

    def _fresh_key(self, key_id: str) -> tuple[str, str, float, str] | None:
        found = self._keys.get(key_id)
        return found if found is not None and found[2] > time.monotonic() else None

    def _load_key(self, key_id: str) -> tuple[str, str, float, str] | None:
        with self._engine.connect() as db:
            row = db.execute(
                select(api_keys.c.channel_id, api_keys.c.key_hash, api_keys.c.branch_id).where(
                    api_keys.c.key_id == key_id, api_keys.c.active.is_(True)
                )
            ).one_or_none()
        if row is None:
            self._keys.pop(key_id, None)
            return None
        self._keys[key_id] = (row[0], row[1], time.monotonic() + KEY_CACHE_TTL_S, row[2])
        return self._keys[key_id]

    def create_officer(
        self, username: str, password: str, role: str, at: datetime, actor: str = "system:cli",
        branch_id: str = HEAD_OFFICE,
    ) -> str:  # fmt: skip
        """Add an officer (argon2id hash) with `role` (current or legacy name, or "none") at
        `branch_id`, with its audit leaf; returns the officer id. For bootstrap and the CLI —
        over HTTP an officer is created without a role and gets one through maker-checker.
        raises PermissionDenied for an unknown role, ValidationError("branch") for an unknown
        branch."""
        current = NO_ROLE if role == NO_ROLE else self.access.role(role)
        if current == "channel":
            raise PermissionDenied("role: channel is for API keys")
        officer_id = f"off_{username}"
        with self._engine.begin() as db:
            _known_branch(db, branch_id)
            db.execute(
                insert(officers).values(
                    officer_id=officer_id, username=username,
                    password_hash=_HASHER.hash(password), role=current, active=True,
                    created_at=at, branch_id=branch_id,
                )
            )  # fmt: skip
            append_entries(db, [AuditEntry(actor, "officer.created", officer_id,
                                           {"username": username, "role": current,
                                            "branch_id": branch_id}, at)])  # fmt: skip
        return officer_id

    def authenticate(self, username: str, password: str, address: str) -> tuple[str, str]:
        """(officer id, role) for valid credentials of an active officer — the check behind
        the API and console sign-in and the CLI's `--officer` (kept on the same throttle).
        raises LoginThrottled (before the password is looked at, so a throttled guess learns
        nothing), Unauthorized. The throttle rows stay locked for the whole attempt
        (`login_store`), so concurrent guesses are counted one after another."""
        now = self._clock.now()
        keys = {"officer": username, "address": address}
        with self._engine.begin() as db:
            states = lock_throttle(db, keys)
            self.throttle.check(states, now)
            row = db.execute(
                select(officers.c.officer_id, officers.c.password_hash, officers.c.role).where(
                    officers.c.username == username, officers.c.active.is_(True)
                )
            ).one_or_none()
            try:
                ok = row is not None and _HASHER.verify(row[1], password)
            except (VerificationError, InvalidHashError):
                ok = False
            if not ok or row is None:
                for scope, key in keys.items():
                    failures = self.throttle.current(states[scope], now) + 1
                    record_failure(db, scope, key, failures, now)
            else:
                clear_failures(db, "officer", username)
        if not ok or row is None:
            raise Unauthorized("credentials: unknown user or wrong password")
        return row[0], row[2]

    def login(self, username: str, password: str, address: str = "unknown") -> str:
        """A bearer token for valid credentials, naming a new server-side session (ended by
        `logout`, deactivation or a reset); then purges expired sessions and spent throttle rows
        (`login_store.purge_expired`). raises LoginThrottled, Unauthorized."""
        officer_id, _ = self.authenticate(username, password, address)
        session_id = secrets.token_urlsafe(24)
        now = self._clock.now()
        with self._engine.begin() as db:
            open_session(db, session_id, officer_id, now, now + timedelta(seconds=TOKEN_TTL_S))
        with self._engine.begin() as db:  # apart: a purge never holds up the sign-in's commit
            purge_expired(db, now, self.throttle.forget_after)
        claims = json.dumps({"sub": officer_id, "sid": session_id}).encode()
        return self._fernet.encrypt(claims).decode()

    def _claims(self, token: str) -> tuple[str, str]:
        try:
            claims = json.loads(self._fernet.decrypt(token.encode(), ttl=TOKEN_TTL_S))
            return str(claims["sub"]), str(claims["sid"])
        except (InvalidToken, ValueError, KeyError, TypeError):
            raise Unauthorized("Authorization: invalid or expired token") from None

    def officer(self, authorization: str | None) -> Principal:
        """The officer of an `Authorization: Bearer …` header with their CURRENT role and
        branch, while the token's session is active. raises Unauthorized (no/bad/expired
        token, session ended, officer inactive)."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("Authorization: bearer token required")
        officer_id, session_id = self._claims(authorization[7:])
        with self._engine.connect() as db:
            row = db.execute(
                select(officers.c.role, officers.c.branch_id).where(
                    officers.c.officer_id == officer_id, officers.c.active.is_(True)
                )
            ).one_or_none()
            live = row is not None and session_active(db, session_id, officer_id, self._clock.now())
        if row is None or not live:
            raise Unauthorized("Authorization: session ended or officer inactive")
        return Principal("officer", officer_id, row[0], session_id, row[1])

    def logout(self, token: str) -> bool:
        """End the token's session on the server; False when it was not active (a bad or old
        token is ignored: signing out never fails)."""
        try:
            officer_id, session_id = self._claims(token)
        except Unauthorized:
            return False
        now = self._clock.now()
        with self._engine.begin() as db:
            ended = revoke_session(db, session_id, now)
            if ended:
                append_entries(db, [AuditEntry(officer_id, "officer.signed_out", officer_id,
                                               {}, now)])  # fmt: skip
        return ended

    def csrf_token(self, session_id: str) -> str:
        """The console's anti-CSRF token of a session: HMAC-SHA256 of the session id under a
        key derived from the secret, so it needs no storage and dies with the session."""
        return hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).hexdigest()

    def _officer_row(self, db: Connection, username: str) -> str:
        found = db.execute(
            select(officers.c.officer_id).where(officers.c.username == username)
        ).one_or_none()
        if found is None:
            raise ValidationError("username", f"no officer {username!r}")
        return str(found[0])

    def deactivate(self, username: str, actor: str, reason: str) -> str:
        """Deactivate an officer and end their sessions, with its audit leaf; returns the id.
        raises ValidationError("username") when unknown."""
        now = self._clock.now()
        with self._engine.begin() as db:
            officer_id = self._officer_row(db, username)
            db.execute(update(officers).where(officers.c.officer_id == officer_id)
                       .values(active=False))  # fmt: skip
            ended = revoke_sessions_of(db, officer_id, now)
            append_entries(db, [AuditEntry(actor, "officer.deactivated", officer_id,
                                           {"reason": reason, "sessions_ended": ended}, now)])  # fmt: skip
        return officer_id

    def reset_password(self, username: str, password: str, actor: str, reason: str) -> str:
        """Set a new password (argon2id), end the officer's sessions and clear their failure
        count, with its audit leaf; returns the id. raises ValidationError("username")."""
        now = self._clock.now()
        with self._engine.begin() as db:
            officer_id = self._officer_row(db, username)
            db.execute(update(officers).where(officers.c.officer_id == officer_id)
                       .values(password_hash=_HASHER.hash(password)))  # fmt: skip
            ended = revoke_sessions_of(db, officer_id, now)
            lock_throttle(db, {"officer": username})
            clear_failures(db, "officer", username)
            append_entries(db, [AuditEntry(actor, "officer.password_reset", officer_id,
                                           {"reason": reason, "sessions_ended": ended}, now)])  # fmt: skip
        return officer_id

    def revoke_sessions(self, username: str, actor: str, reason: str) -> int:
        """End every session of an officer (a stolen token), with its audit leaf; how many.
        raises ValidationError("username")."""
        now = self._clock.now()
        with self._engine.begin() as db:
            officer_id = self._officer_row(db, username)
            ended = revoke_sessions_of(db, officer_id, now)
            append_entries(db, [AuditEntry(actor, "officer.sessions_revoked", officer_id,
                                           {"reason": reason, "sessions_ended": ended}, now)])  # fmt: skip
        return ended

    def revoke_api_key(self, key_id: str, actor: str, reason: str) -> str:
        """Deactivate a channel API key (every worker stops accepting it within
        KEY_CACHE_TTL_S), with its audit leaf; returns its channel. raises
        ValidationError("key_id") when unknown or already revoked."""
        now = self._clock.now()
        with self._engine.begin() as db:
            found = db.execute(
                select(api_keys.c.channel_id).where(
                    api_keys.c.key_id == key_id, api_keys.c.active.is_(True)
                )
            ).one_or_none()
            if found is None:
                raise ValidationError("key_id", f"no active API key {key_id!r}")
            db.execute(update(api_keys).where(api_keys.c.key_id == key_id).values(active=False))
            append_entries(db, [AuditEntry(actor, "api_key.revoked", key_id,
                                           {"channel_id": found[0], "reason": reason}, now)])  # fmt: skip
        self._keys.pop(key_id, None)
        return str(found[0])

    def caller(self, x_api_key: str | None, authorization: str | None) -> Principal:
        """The channel (X-API-Key) or the officer (bearer token). raises Unauthorized."""
        if x_api_key:
            return self.channel(x_api_key)
        if authorization:
            return self.officer(authorization)
        raise Unauthorized("credentials: X-API-Key or Authorization: Bearer required")


def _known_branch(db: Connection, branch_id: str) -> None:
    """raises ValidationError("branch") unless `branch_id` is a stored branch."""
    found = db.execute(select(branches.c.branch_id).where(branches.c.branch_id == branch_id))
    if found.one_or_none() is None:
        raise ValidationError("branch", f"no branch {branch_id!r} (creditfactory branches list)")


SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER: Final = "X-CSRF-Token"


def same_origin(request: Request) -> bool:
    """True when the request's `Origin` (else its `Referer`) names the host it was sent to —
    the OWASP "verifying origin with standard headers" check. A request with neither is not
    known to be same-origin."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(source).netloc == host


def check_csrf(request: Request, security: Security, session_id: str, token: str | None) -> None:
    """A cookie-authenticated unsafe request must come from this site (Origin/Referer) and
    carry the session's anti-CSRF token. raises PermissionDenied (403) naming which failed."""
    if not same_origin(request):
        raise PermissionDenied("Origin: not this site; cross-site requests are refused")
    expected = security.csrf_token(session_id)
    if not token or not hmac.compare_digest(token, expected):
        raise PermissionDenied(f"{CSRF_HEADER}: missing or wrong anti-CSRF token")


async def _form_token(request: Request) -> str | None:
    """The `csrf_token` field of a form-encoded body (a workbench form without htmx), else None.
    The body is cached on the request, so the route reads it again."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    return fields.get("csrf_token", [None])[0]


async def authorize(
    request: Request,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """THE permission check (one per request, cached by FastAPI): the matched route's
    permission from the access document; the caller must hold it; a channel must own every
    object the path names; an unsafe request authenticated by the console's cookie must pass
    the CSRF check (`check_csrf`, token in the X-CSRF-Token header — htmx sends it — or the
    `csrf_token` field of a form-encoded body). raises Unauthorized (401),
    PermissionDenied (403), ApplicationNotFound (404, another channel's object or one outside
    the officer's branch scope). Runs on the
    event loop; database look-ups (officers, an uncached key, ownership) go to the thread
    pool."""
    security: Security = request.app.state.security
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    permission = security.access.permission_for(request.method, path)
    if permission == PUBLIC:
        return ANONYMOUS
    session = request.cookies.get(SESSION_COOKIE)
    by_cookie = x_api_key is None and authorization is None and bool(session)
    if by_cookie:
        authorization = f"Bearer {session}"  # the console's login cookie carries the same token
    who = security.cached_channel(x_api_key) if x_api_key else None
    if who is None:
        who = await run_in_threadpool(security.caller, x_api_key, authorization)
    if by_cookie and request.method not in SAFE_METHODS:
        token = request.headers.get(CSRF_HEADER) or await _form_token(request)
        check_csrf(request, security, who.session_id, token)
    security.access.require(who.role, permission)
    if request.path_params:  # the one ownership check (404): channel's own, officer's branch
        deps = request.app.state.deps
        params = dict(request.path_params)
        if who.kind == "channel":
            await run_in_threadpool(require_channel_owns, deps, who.channel_id, params)
        else:
            await run_in_threadpool(require_officer_reaches, deps, who.branch_id, params)
    request.state.principal = who
    return who
