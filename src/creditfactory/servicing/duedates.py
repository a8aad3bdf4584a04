"""Due dates of a repayment schedule: when each installment falls due.

Invariants:
- monthly dates are computed from the anchor (the first due date) each time, never from the
  previous date, and keep the anchor's day of month clamped to the month's end: an anchor on
  31 January falls due 29 February 2024, then 31 March, 30 April — no drift after February
  (Fineract `LoanApplicationScheduleMonthlyTest`, `../shared/cases/schedules_fineract.json`);
- week and day frequencies step a fixed number of days from the anchor;
- business-day adjustment (none / following / modified following) is applied to each date on
  its own and never feeds back into the next date; adjusted dates strictly increase or the
  schedule is refused.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import Enum

from creditfactory.kernel.calendar import BusinessCalendar, DateAdjustment
from creditfactory.kernel.errors import ValidationError

__all__ = ["FrequencyUnit", "add_months", "add_periods", "due_dates"]


class FrequencyUnit(str, Enum):
    """The unit of a repayment frequency ("every 1 month", "every 2 weeks", "every 15 days")."""

    MONTHS = "months"
    WEEKS = "weeks"
    DAYS = "days"


def add_months(anchor: date, months: int) -> date:
    """`anchor` moved by `months` (may be negative), the day clamped to the target month's end.

    add_months(2024-01-31, 1) = 2024-02-29; add_months(2024-01-31, 2) = 2024-03-31.
    """
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor.day, last))


def add_periods(
    anchor: date, count: int, every: int = 1, unit: FrequencyUnit = FrequencyUnit.MONTHS
) -> date:
    """`anchor` moved by `count` periods of `every` `unit`s (count may be negative)."""
    if unit is FrequencyUnit.MONTHS:
        return add_months(anchor, count * every)
    days = 7 if unit is FrequencyUnit.WEEKS else 1
    return anchor + timedelta(days=count * every * days)


def due_dates(
    first_due_date: date,
    count: int,
    every: int = 1,
    unit: FrequencyUnit = FrequencyUnit.MONTHS,
    calendar_: BusinessCalendar | None = None,
    adjustment: DateAdjustment = DateAdjustment.NONE,
) -> list[date]:
    """`count` due dates starting at `first_due_date`, each computed from that anchor.

    Args:
        first_due_date: the anchor (its day of month is kept for monthly frequencies).
        count: number of installments, >= 1.
        every, unit: the frequency, e.g. (1, MONTHS) or (2, WEEKS).
        calendar_, adjustment: move each date off non-business days (NONE keeps them).
    Returns:
        list of `count` strictly increasing dates.
    Raises:
        ValidationError("term") when count < 1; ValidationError("frequency") when every < 1;
        ValidationError("date_adjustment") when adjustment collapses two dates into one;
        CalendarError (kernel) when a date lies outside the calendar's data.
    """
    if count < 1:
        raise ValidationError("term", f"must be >= 1, got {count}")
    if every < 1:
        raise ValidationError("frequency", f"must be >= 1, got {every}")
    dates = [add_periods(first_due_date, k, every, unit) for k in range(count)]
    if calendar_ is not None and adjustment is not DateAdjustment.NONE:
        dates = [calendar_.adjust(d, adjustment) for d in dates]
    if any(later <= earlier for earlier, later in zip(dates, dates[1:], strict=False)):
        raise ValidationError("date_adjustment", "adjusted due dates must strictly increase")
    return dates
