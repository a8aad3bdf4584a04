"""Business calendar: which dates banks work, and how a due date moves when it falls on a holiday.

A date is a business day when it is a weekday that is not a holiday, or an adjusted working day
(调休, a weekend day made a working day). Adjustment conventions follow ISDA 2006 §4.12:
NONE, FOLLOWING, MODIFIED_FOLLOWING (next business day unless that crosses into the next month,
then the preceding one), PRECEDING.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from creditfactory.kernel.errors import CalendarError
from creditfactory.kernel.holidays_cn import (
    CN_ADJUSTED_WORKING_DAYS,
    CN_CALENDAR_YEARS,
    CN_HOLIDAYS,
)

__all__ = ["BusinessCalendar", "DateAdjustment", "china_calendar"]

_SATURDAY = 5


class DateAdjustment(str, Enum):
    """How a date that is not a business day moves."""

    NONE = "none"
    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"


@dataclass(frozen=True)
class BusinessCalendar:
    """Holidays and adjusted working days for the years in `years`.

    raises CalendarError when asked about a date outside `years` (unknown holidays are not guessed).
    """

    name: str
    holidays: frozenset[date]
    adjusted_working_days: frozenset[date]
    years: range
    _cache: dict[date, bool] = field(default_factory=dict, compare=False, repr=False)

    def is_business_day(self, d: date) -> bool:
        """True when banks work on `d`."""
        if d.year not in self.years:
            raise CalendarError(f"{self.name} calendar has no data for {d.year}")
        if d in self.adjusted_working_days:
            return True
        return d.weekday() < _SATURDAY and d not in self.holidays

    def adjust(self, d: date, convention: DateAdjustment) -> date:
        """Move `d` to a business day by `convention` (NONE returns `d`)."""
        if convention is DateAdjustment.NONE or self.is_business_day(d):
            return d
        if convention is DateAdjustment.PRECEDING:
            return self._step(d, -1)
        following = self._step(d, 1)
        if convention is DateAdjustment.MODIFIED_FOLLOWING and following.month != d.month:
            return self._step(d, -1)
        return following

    def _step(self, d: date, direction: int) -> date:
        cursor = d + timedelta(days=direction)
        while not self.is_business_day(cursor):
            cursor += timedelta(days=direction)
        return cursor

    def business_days(self, start: date, end: date) -> Iterable[date]:
        """Business days in [start, end)."""
        cursor = start
        while cursor < end:
            if self.is_business_day(cursor):
                yield cursor
            cursor += timedelta(days=1)


def china_calendar() -> BusinessCalendar:
    """The mainland China bank calendar for 2024–2026 (国务院办公厅 holiday notices)."""
    return BusinessCalendar("CN", CN_HOLIDAYS, CN_ADJUSTED_WORKING_DAYS, CN_CALENDAR_YEARS)
