"""Expired sign-in state is purged (closing4 "noticed": `officer_sessions` and `login_throttle`
were never purged, one row per sign-in and per address or username ever tried, for ever).

Each sign-in deletes sessions past `expires_at` (8 h after they opened, TOKEN_TTL_S) and throttle
rows that count nothing any more — no failure, or the last one ≥ 15 min ago, which
`LoginThrottle.current` reads as 0 exactly like a missing row. What still counts stays: a
session within its 8 hours, an address's failures within 15 minutes. The clock here is in 2020,
before any other test's sessions on a shared database, so only this test's rows are due."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from creditfactory.access import DEFAULT_ACCESS, LoginThrottle, LoginThrottled
from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.api.security import TOKEN_TTL_S, Security
from creditfactory.adapters.storage.identity_tables import login_throttle, officer_sessions
from creditfactory.kernel.clock import FixedClock
from tests.e2e.conftest import _cipher, any_engine

__all__ = ["_cipher", "any_engine"]  # fixtures used here

PASSWORD = "right-password"


def _officer(engine: Engine, clock: FixedClock) -> tuple[Security, str, str]:
    security = Security(engine, "s", clock, DEFAULT_ACCESS, LoginThrottle())
    name = "p" + uuid.uuid4().hex[:12]
    officer_id = security.create_officer(name, PASSWORD, "loan_officer", clock.now())
    return security, name, officer_id


def _sessions(engine: Engine, officer_id: str) -> int:
    with engine.connect() as db:
        query = select(func.count()).where(officer_sessions.c.officer_id == officer_id)
        return int(db.execute(query).scalar_one())


def _throttle(engine: Engine, scope: str, key: str) -> tuple[int, Any] | None:
    with engine.connect() as db:
        row = db.execute(
            select(login_throttle.c.failures, login_throttle.c.last_failed_at).where(
                login_throttle.c.scope == scope, login_throttle.c.key == key
            )
        ).one_or_none()
    return None if row is None else (int(row[0]), row[1])


def _wrong(security: Security, name: str, address: str) -> str:
    try:
        security.login(name, "wrong", address)
    except LoginThrottled:
        return "throttled"
    except Unauthorized:
        return "checked"
    return "signed in"


def test_expired_sessions_are_purged_at_sign_in(any_engine: Engine) -> None:
    clock = FixedClock(datetime(2020, 1, 6, 9, tzinfo=UTC))
    security, name, officer_id = _officer(any_engine, clock)
    token = security.login(name, PASSWORD, "10.9.0.1")
    clock.advance(timedelta(hours=1))
    security.login(name, PASSWORD, "10.9.0.1")
    assert _sessions(any_engine, officer_id) == 2  # both within their 8 hours: kept
    assert security.officer(f"Bearer {token}").principal_id == officer_id
    clock.advance(timedelta(seconds=TOKEN_TTL_S))  # the first is 9 h old, the second 8 h
    security.login(name, PASSWORD, "10.9.0.1")
    assert _sessions(any_engine, officer_id) == 1  # before: 3, never purged


def test_spent_throttle_rows_are_purged_and_live_ones_kept(any_engine: Engine) -> None:
    clock = FixedClock(datetime(2020, 1, 6, 9, tzinfo=UTC))
    security, name, _ = _officer(any_engine, clock)
    old, recent = f"10.8.{uuid.uuid4().int % 250}.1", f"10.8.{uuid.uuid4().int % 250}.2"
    stranger = "nobody" + uuid.uuid4().hex[:8]
    assert [_wrong(security, stranger, old) for _ in range(3)] == ["checked"] * 3
    clock.advance(timedelta(minutes=10))
    assert [_wrong(security, stranger, recent) for _ in range(2)] == ["checked"] * 2
    assert _throttle(any_engine, "officer", stranger) == (5, clock.now())
    clock.advance(timedelta(minutes=5))  # old: last failure 15 min ago; recent: 5 min ago
    security.login(name, PASSWORD, "10.9.0.2")
    assert _throttle(any_engine, "address", old) is None  # before: (3, 09:00) for ever
    assert _throttle(any_engine, "officer", name) is None  # a success leaves nothing to count
    assert _throttle(any_engine, "address", recent) == (2, clock.now() - timedelta(minutes=5))
    assert _throttle(any_engine, "officer", stranger) == (5, clock.now() - timedelta(minutes=5))
    # what was kept still counts: the stranger's next failure is the 6th, not a first
    assert _wrong(security, stranger, "10.9.0.3") == "checked"
    assert _throttle(any_engine, "officer", stranger) == (6, clock.now())


def test_purging_sign_ins_beside_concurrent_guesses_count_exactly(any_engine: Engine) -> None:
    """40 sign-ins purge while 120 concurrent wrong passwords hit one account: the purge never
    takes a row that still counts (a purged live row would let more than 5 guesses be checked)
    and no attempt errors (a row purged between its creation and its lock would)."""
    clock = FixedClock(datetime(2020, 1, 6, 9, tzinfo=UTC))
    security, name, _ = _officer(any_engine, clock)
    victim = _officer(any_engine, clock)[1]
    address = f"10.7.{uuid.uuid4().int % 250}.1"

    def attempt(n: int) -> str:
        if n % 4 == 0:
            security.login(name, PASSWORD, f"10.6.0.{n}")
            return "purged"
        return _wrong(security, victim, address)

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = Counter(pool.map(attempt, range(160)))
    assert outcomes == {"purged": 40, "checked": 5, "throttled": 115}
