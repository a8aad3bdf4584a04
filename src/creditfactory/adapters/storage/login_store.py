"""Login throttle rows and officer sessions (tables in identity_tables).

The throttle is read and written inside ONE transaction per attempt: `lock_throttle` first
writes (an insert-if-missing), which on SQLite takes the database write lock and on PostgreSQL is
followed by `SELECT … FOR UPDATE`, so concurrent attempts on the same username or address queue
and each sees the failures before it — no count-then-insert race (issue 13 defect 5).

Sessions: a row per sign-in; a token is honoured only while its row is neither expired nor
revoked, so sign-out, deactivation and a password reset end it on the server at once.

Purge: each sign-in deletes expired sessions and throttle rows that count nothing any more
(`purge_expired`), so neither table grows with every officer and address ever seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from creditfactory.access.throttle import ScopeState
from creditfactory.adapters.storage.identity_tables import login_throttle, officer_sessions

__all__ = [
    "clear_failures",
    "lock_throttle",
    "open_session",
    "purge_expired",
    "record_failure",
    "revoke_session",
    "revoke_sessions_of",
    "session_active",
]


def lock_throttle(db: Connection, keys: Mapping[str, str]) -> dict[str, ScopeState]:
    """The state of each scope → key (e.g. {"officer": username, "address": ip}), its row
    created when missing and locked until the transaction ends. One upsert per scope (a no-op
    update when the row exists) takes the lock and reads the row at once, so a row purged by
    `purge_expired` in between is simply created again — never found missing."""
    dialect_insert: Any = pg_insert if db.dialect.name == "postgresql" else sqlite_insert
    states: dict[str, ScopeState] = {}
    for scope, key in sorted(keys.items()):  # one order everywhere: no deadlock between scopes
        upsert = dialect_insert(login_throttle).values(
            scope=scope, key=key, failures=0, last_failed_at=None
        )
        found = db.execute(
            upsert.on_conflict_do_update(
                index_elements=[login_throttle.c.scope, login_throttle.c.key],
                set_={"failures": login_throttle.c.failures},
            ).returning(login_throttle.c.failures, login_throttle.c.last_failed_at)
        ).one()
        states[scope] = (int(found[0]), found[1])
    return states


def purge_expired(db: Connection, now: datetime, forget_after: timedelta) -> tuple[int, int]:
    """Delete sessions past their expiry and throttle rows that count nothing any more (no
    failure, or the last one `forget_after` ago: `LoginThrottle.current` reads 0 for them, as
    for a missing row); (sessions, throttle rows) deleted. Rows another transaction holds locked
    are skipped on PostgreSQL (SKIP LOCKED: a sign-in in progress is never waited on, so no
    deadlock), and purged next time; SQLite runs one writer at a time."""
    stale_throttle = or_(
        login_throttle.c.last_failed_at.is_(None),
        login_throttle.c.last_failed_at <= now - forget_after,
    )
    sessions = _delete(db, officer_sessions, [officer_sessions.c.session_id],
                       officer_sessions.c.expires_at <= now)  # fmt: skip
    throttle = _delete(db, login_throttle, [login_throttle.c.scope, login_throttle.c.key],
                       stale_throttle)  # fmt: skip
    return sessions, throttle


def _delete(db: Connection, table: Table, key: list[Column[Any]], where: Any) -> int:
    if db.dialect.name == "postgresql":
        unlocked = select(*key).where(where).with_for_update(skip_locked=True)
        where = tuple_(*key).in_(unlocked)
    return int(db.execute(delete(table).where(where)).rowcount)


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
