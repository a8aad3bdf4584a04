"""Clock: time as an input. The domain never reads the system clock; services get a Clock.

Event times are timezone-aware UTC datetimes; business dates are plain dates, Chinese calendar
days: `china_date` is the day a UTC instant falls on in China Standard Time (UTC+8, no DST).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

from creditfactory.kernel.errors import ValidationError

__all__ = [
    "CHINA_STANDARD_TIME",
    "Clock",
    "FixedClock",
    "SystemClock",
    "china_date",
    "not_after_today",
]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


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


def china_date(at: datetime) -> date:
    """The Chinese calendar day of a tz-aware instant."""
    return at.astimezone(CHINA_STANDARD_TIME).date()


def not_after_today(business_date: date, clock: Clock) -> date:
    """`business_date` when it is not after today in China; raises ValidationError naming
    ``business_date`` otherwise (a run on a future date would close or block real ones)."""
    today = china_date(clock.now())
    if business_date > today:
        raise ValidationError(
            "business_date", f"must not be after today ({today.isoformat()}), got {business_date}"
        )
    return business_date
