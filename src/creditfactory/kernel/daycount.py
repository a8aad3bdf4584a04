"""Day-count conventions: how many days lie between two dates and what year fraction they make.

`ACT_360` is the Chinese bank default (日利率 = 年利率 ÷ 360, DOMAIN.md §3.3). The 30/360 family
follows the ISDA 2006 definitions §4.16(f)–(h) and the SIA "30/360 US" end-of-February rules, as
encoded in QuantLib's test suite (`../shared/cases/day_count_conventions.json`).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from enum import Enum

__all__ = ["DayCount", "day_count", "year_fraction"]


class DayCount(str, Enum):
    """Day-count conventions. Never a bare "ACT/365" (ambiguous, per QuantLib)."""

    ACT_360 = "ACT_360"
    ACT_365F = "ACT_365F"
    ACT_ACT_ISDA = "ACT_ACT_ISDA"
    THIRTY_360 = "THIRTY_360"  # 30/360 Bond Basis, ISDA 2006 4.16(f)
    THIRTY_E_360 = "THIRTY_E_360"  # 30E/360 Eurobond Basis, ISDA 2006 4.16(g)
    THIRTY_360_US = "THIRTY_360_US"  # 30/360 US (SIA) with end-of-February rules
    THIRTY_E_360_ISDA = "THIRTY_E_360_ISDA"  # 30E/360 (ISDA), ISDA 2006 4.16(h)


def _last_of_feb(d: date) -> bool:
    return d.month == 2 and d.day == calendar.monthrange(d.year, 2)[1]


def _last_of_month(d: date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _thirty(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int) -> int:
    return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)


def _thirty_days(convention: DayCount, start: date, end: date, termination: date | None) -> int:
    d1, d2 = start.day, end.day
    if convention is DayCount.THIRTY_360:
        d1 = min(d1, 30)
        if d2 == 31 and d1 >= 30:
            d2 = 30
    elif convention is DayCount.THIRTY_E_360:
        d1, d2 = min(d1, 30), min(d2, 30)
    elif convention is DayCount.THIRTY_360_US:
        if _last_of_feb(start) and _last_of_feb(end):
            d2 = 30
        if _last_of_feb(start):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        d1 = min(d1, 30)
    else:  # THIRTY_E_360_ISDA
        if _last_of_month(start):
            d1 = 30
        if _last_of_month(end) and not (end == termination and end.month == 2):
            d2 = 30
    return _thirty(start.year, start.month, d1, end.year, end.month, d2)


def day_count(convention: DayCount, start: date, end: date, termination: date | None = None) -> int:
    """Days from `start` (inclusive) to `end` (exclusive) under `convention`.

    termination: the final date of the schedule, needed only by THIRTY_E_360_ISDA.
    returns: int days, negative when end < start.
    """
    if convention in (DayCount.ACT_360, DayCount.ACT_365F, DayCount.ACT_ACT_ISDA):
        return (end - start).days
    return _thirty_days(convention, start, end, termination)


def _act_act_isda(start: date, end: date) -> Decimal:
    if end < start:
        return -_act_act_isda(end, start)
    total = Decimal(0)
    cursor = start
    while cursor.year < end.year:
        year_end = date(cursor.year + 1, 1, 1)
        total += Decimal((year_end - cursor).days) / (366 if calendar.isleap(cursor.year) else 365)
        cursor = year_end
    return total + Decimal((end - cursor).days) / (366 if calendar.isleap(end.year) else 365)


def year_fraction(
    convention: DayCount, start: date, end: date, termination: date | None = None
) -> Decimal:
    """Year fraction between two dates as an unrounded Decimal.

    ACT_360: days/360; ACT_365F: days/365; ACT_ACT_ISDA: days in each calendar year over that
    year's length (365 or 366); the 30/360 family: 30/360 days / 360.
    """
    if convention is DayCount.ACT_ACT_ISDA:
        return _act_act_isda(start, end)
    days = Decimal(day_count(convention, start, end, termination))
    return days / (365 if convention is DayCount.ACT_365F else 360)
