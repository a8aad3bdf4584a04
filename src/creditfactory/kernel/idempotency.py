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
from typing import Any, Protocol, Self, TypeVar

from creditfactory.kernel.errors import DomainError

__all__ = [
    "KEY_LENGTH",
    "IdempotencyKeyReused",
    "IdempotencyStore",
    "KeyClaimed",
    "request_digest",
    "run_once",
]


KEY_LENGTH = 128
"""Characters of a key the store keeps (`idempotency_keys.key`)."""


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before for a different request (HTTP 409)."""


class KeyClaimed(Exception):
    """Raised by `IdempotencyStore.claim` when another transaction holds or committed the key
    (a storage signal, never shown to a caller: `run_once` answers it)."""


class IdempotencyStore(Protocol):
    """(scope, key) → (request digest, response JSON), written in the caller's transaction."""

    def get(self, scope: str, key: str) -> tuple[str, str] | None:
        """The stored (request digest, response JSON), or None."""
        ...

    def claim(self, scope: str, key: str, request_digest: str, at: datetime) -> None:
        """Insert the key (no response yet). raises KeyClaimed when it exists or another
        transaction inserted it first."""
        ...

    def record(self, scope: str, key: str, response: str) -> None:
        """Store the response on the key claimed in this transaction."""
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
    raises: IdempotencyKeyReused (same key, other request); whatever `work` raises (nothing kept).
    """
    digest = request_digest(request)
    message_key, key = key, _stored(key)
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
        return _replayed(seen, digest, message_key)
    raise KeyClaimed(f"{scope}:{key} claimed but not readable")  # pragma: no cover - the
    # claim's holder committed (KeyClaimed) yet its row is invisible: a broken store


def _stored(key: str) -> str:
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _replayed(seen: tuple[str, str], digest: str, key: str) -> dict[str, Any]:
    if seen[0] != digest:
        raise IdempotencyKeyReused(f"idempotency_key: {key!r} was used for another request")
    first: dict[str, Any] = json.loads(seen[1])
    return first
