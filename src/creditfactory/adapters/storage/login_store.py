"""Login throttle rows and officer sessions (tables in identity_tables).

The throttle is read and written inside ONE transaction per attempt: `lock_throttle` first
writes (an insert-if-missing), which on SQLite takes the database write lock and on PostgreSQL is
followed by `SELECT … FOR UPDATE`, so concurrent attempts on the same username or address queue
and each sees the failures before it — no count-then-insert race (issue 13 defect 5).

Sessions: a row per sign-in; a token is honoured only while its row is neither expired nor
revoked, so sign-out, deactivation and a password reset end it on the server at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from creditfactory.access.throttle import ScopeState
from creditfactory.adapters.storage.identity_tables import login_throttle, officer_sessions

__all__ = [
    "clear_failures",
    "lock_throttle",
    "open_session",
    "record_failure",
    "revoke_session",
    "revoke_sessions_of",
    "session_active",
]


def lock_throttle(db: Connection, keys: Mapping[str, str]) -> dict[str, ScopeState]:
    """The state of each scope → key (e.g. {"officer": username, "address": ip}), its row
    created when missing and locked until the transaction ends."""
    dialect_insert: Any = pg_insert if db.dialect.name == "postgresql" else sqlite_insert
    rows = [{"scope": s, "key": k, "failures": 0, "last_failed_at": None} for s, k in keys.items()]
    db.execute(dialect_insert(login_throttle).values(rows).on_conflict_do_nothing())
    states: dict[str, ScopeState] = {}
    for scope, key in sorted(keys.items()):  # one order everywhere: no deadlock between scopes
        query = select(login_throttle.c.failures, login_throttle.c.last_failed_at).where(
            login_throttle.c.scope == scope, login_throttle.c.key == key
        )
        found = db.execute(query.with_for_update()).one()
        states[scope] = (int(found[0]), found[1])
    return states


def record_failure(
    db: Connection, scope: str, key: str, failures: int, at: datetime | None
) -> None:
    """Set a locked scope's consecutive failures to `failures`, the last one at `at`."""
    db.execute(
        update(login_throttle)
        .where(login_throttle.c.scope == scope, login_throttle.c.key == key)
        .values(failures=failures, last_failed_at=at)
    )


def clear_failures(db: Connection, scope: str, key: str) -> None:
    """A success: the scope starts again from zero."""
    record_failure(db, scope, key, 0, None)


def open_session(
    db: Connection, session_id: str, officer_id: str, at: datetime, expires_at: datetime
) -> None:
    """A new session of the officer."""
    db.execute(
        officer_sessions.insert().values(
            session_id=session_id, officer_id=officer_id, created_at=at, expires_at=expires_at
        )
    )


def session_active(db: Connection, session_id: str, officer_id: str, now: datetime) -> bool:
    """True when the officer's session exists, has not expired and was not revoked."""
    query = select(officer_sessions.c.session_id).where(
        officer_sessions.c.session_id == session_id,
        officer_sessions.c.officer_id == officer_id,
        officer_sessions.c.expires_at > now,
        officer_sessions.c.revoked_at.is_(None),
    )
    return db.execute(query).one_or_none() is not None


def revoke_session(db: Connection, session_id: str, at: datetime) -> bool:
    """End one session; False when it was not active."""
    result = db.execute(
        update(officer_sessions)
        .where(officer_sessions.c.session_id == session_id, officer_sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(result.rowcount)


def revoke_sessions_of(db: Connection, officer_id: str, at: datetime) -> int:
    """End every active session of the officer; how many."""
    result = db.execute(
        update(officer_sessions)
        .where(officer_sessions.c.officer_id == officer_id, officer_sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return int(result.rowcount)
