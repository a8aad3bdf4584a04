"""THE idempotency mechanism (DESIGN.md §10) for every command that moves money or changes state.

`run_once(uow, scope, key, request, work)` runs `work` at most once per (scope, key), in ONE
transaction with the key: the key is claimed first (the first write of the transaction), then
the work runs, then its response is stored on the claimed key, then everything commits together.
So a `kill -9` anywhere leaves either nothing (a retry does the work) or the work and its key (a
retry gets the stored response) — never the work without the key, which is how repayments once
posted twice (issue 13, defect 1: lookup, posting and key insert were three transactions).

Concurrent duplicates: the claim is an insert under the (scope, key) primary key. On PostgreSQL
the second insert waits for the first transaction and then fails (`KeyClaimed`); on SQLite the
writer turn serialises the transactions, so the second sees the first's key. Either way the
loser rolls back and answers with the winner's stored response: exactly one effect, every caller
the same answer, no 5xx. The same key with a different request → `IdempotencyKeyReused` (409).
A work that fails (a rule refused it) rolls back with its claim: nothing is stored, a corrected
retry may succeed.

A stored response is answered with only while it is intact: the store seals it when it records
it (an HMAC under the server's key, `IdempotencyStore.record`) and says on `get` whether it
still matches. An edited one (a database owner changed the body a retry would receive — issue
13, N1) is never served: `StoredResponseTampered` (HTTP 409, nothing done again), and the store
records an alert in a transaction of its own (`IdempotencyStore.refused`).

`stored_response` answers a retry without claiming (a caller that has costly steps before its
transaction — pulls from data sources — asks first); `run_once` is the claim-work-record itself.

Keys are scoped by the caller: adapters pass e.g. ``"<channel>:<Idempotency-Key>"`` so another
channel's key never answers with this channel's response. A scoped key longer than the store
keeps (`KEY_LENGTH`) is kept as its sha256 (a 128-character header plus its channel once made
PostgreSQL refuse the insert: a 500).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self, TypeVar

from creditfactory.kernel.errors import DomainError

__all__ = [
    "KEY_LENGTH",
    "IdempotencyKeyReused",
    "IdempotencyStore",
    "KeyClaimed",
    "Stored",
    "StoredResponseTampered",
    "request_digest",
    "run_once",
    "stored_key",
    "stored_response",
]


KEY_LENGTH = 128
"""Characters of a key the store keeps (`idempotency_keys.key`)."""


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before for a different request (HTTP 409)."""


class StoredResponseTampered(DomainError):
    """The stored response of the key no longer matches its seal (edited in the database): it is
    not served and the work is not done again (HTTP 409); an alert was recorded."""


class KeyClaimed(Exception):
    """Raised by `IdempotencyStore.claim` when another transaction holds or committed the key
    (a storage signal, never shown to a caller: `run_once` answers it)."""


class Stored(NamedTuple):
    """A stored key: its request digest, response JSON, and whether the response still
    matches the seal made when it was recorded."""

    request_digest: str
    response: str
    intact: bool


class IdempotencyStore(Protocol):
    """(scope, key) → (request digest, sealed response JSON), written in the caller's
    transaction."""

    def get(self, scope: str, key: str) -> Stored | None:
        """The stored key (its seal checked), or None."""
        ...

    def claim(self, scope: str, key: str, request_digest: str, at: datetime) -> None:
        """Insert the key (no response yet). raises KeyClaimed when it exists or another
        transaction inserted it first."""
        ...

    def record(self, scope: str, key: str, response: str) -> None:
        """Store the response, sealed, on the key claimed in this transaction."""
        ...

    def refused(
        self, scope: str, key: str, at: datetime, reason: str = "stored response fails its seal"
    ) -> None:
        """Record the alert for a stored response not served — it failed its seal, or its row
        is gone while the effect stands (`reason`); the caller commits."""
        ...


class _Transaction(Protocol):
    """What `run_once` needs of a unit of work: a re-enterable transaction with the store."""

    @property
    def idempotency(self) -> IdempotencyStore: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


U = TypeVar("U", bound=_Transaction)


def request_digest(request: Mapping[str, Any]) -> str:
    """sha256 (hex) of the request's canonical JSON (keys sorted; dates and Decimals as text)."""
    text = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def run_once(
    uow: U,
    scope: str,
    key: str,
    request: Mapping[str, Any],
    work: Callable[[U], dict[str, Any]],
    now: Callable[[], datetime],
) -> dict[str, Any]:
    """The response of `work(uow)` for (scope, key), doing the work at most once (module
    docstring). `work` runs inside the open transaction and must not commit; `uow` is entered
    here (a unit of work that is a new transaction per `with`).

    returns: the work's response (JSON-able), or the stored one on a retry.
    raises: IdempotencyKeyReused (same key, other request); StoredResponseTampered (the stored
    response was edited: not served, alert recorded); whatever `work` raises (nothing kept).
    """
    digest = request_digest(request)
    message_key, key = key, stored_key(key)
    for _ in range(2):  # the second round reads what the concurrent winner committed
        with uow:
            seen = uow.idempotency.get(scope, key)
            if seen is None:
                try:
                    uow.idempotency.claim(scope, key, digest, now())
                except KeyClaimed:
                    continue  # leaving the block rolls this transaction back
                text = json.dumps(work(uow), default=str, ensure_ascii=False)
                uow.idempotency.record(scope, key, text)
                uow.commit()
                first: dict[str, Any] = json.loads(text)  # exactly what a retry will get
                return first
        return _replayed(uow, scope, key, seen, digest, message_key, now)
    raise KeyClaimed(f"{scope}:{key} claimed but not readable")  # pragma: no cover - the
    # claim's holder committed (KeyClaimed) yet its row is invisible: a broken store


def stored_response(
    uow: _Transaction,
    scope: str,
    key: str,
    request: Mapping[str, Any],
    now: Callable[[], datetime],
) -> dict[str, Any] | None:
    """The stored response for (scope, key) when the work was done, else None (claims nothing:
    a later `run_once` with the same arguments does the work or answers the retry).

    raises: IdempotencyKeyReused, StoredResponseTampered (as `run_once`).
    """
    with uow:
        seen = uow.idempotency.get(scope, stored_key(key))
    if seen is None:
        return None
    return _replayed(uow, scope, stored_key(key), seen, request_digest(request), key, now)


def stored_key(key: str) -> str:
    """The key as the store keeps it: itself, or "sha256:<hex>" past `KEY_LENGTH` characters."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _replayed(
    uow: _Transaction,
    scope: str,
    key: str,
    seen: Stored,
    digest: str,
    message_key: str,
    now: Callable[[], datetime],
) -> dict[str, Any]:
    if not seen.intact:  # never answer with an edited body; the alert outlives this request
        with uow:
            uow.idempotency.refused(scope, key, now())
            uow.commit()
        raise StoredResponseTampered(
            f"idempotency_key: the stored response of {message_key!r} fails its integrity "
            "check and is not served; nothing was done again"
        )
    if seen.request_digest != digest:
        raise IdempotencyKeyReused(f"idempotency_key: {message_key!r} was used for another request")
    first: dict[str, Any] = json.loads(seen.response)
    return first
