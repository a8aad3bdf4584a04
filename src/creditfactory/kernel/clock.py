"""Clock: time as an input. The domain never reads the system clock; services get a Clock.

Event times are timezone-aware UTC datetimes; business dates are plain dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FixedClock", "SystemClock"]


class Clock(Protocol):
    """Gives the current UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock, in UTC (wired in by adapters only)."""

    def now(self) -> datetime:
        """Current time, tz-aware UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told; `advance` moves it. For tests, demos and replays."""

    def __init__(self, at: datetime | date) -> None:
        if not isinstance(at, datetime):
            at = datetime(at.year, at.month, at.day, tzinfo=UTC)
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        """The fixed time."""
        return self._at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._at += delta
