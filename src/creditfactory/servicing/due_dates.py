"""Due dates of a repayment schedule: how often a loan is repaid and on which dates.

Monthly dates keep the seed day of month and clamp it to the month's end, so a loan seeded on the
31st falls due on 28/29 February and again on 31 March (no drift after February; the Fineract
month-end cases in `../shared/cases/schedules_fineract.json`). Week and day frequencies step by a
fixed number of days. The dates made here are the unadjusted accrual boundaries; moving a due
date off a holiday is the calendar's job (`BusinessCalendar.adjust`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from creditfactory.kernel.errors import ValidationError

__all__ = [
    "MONTHLY",
    "PeriodUnit",
    "RepaymentFrequency",
    "accrual_periods",
    "add_months",
    "scheduled_dates",
]


class PeriodUnit(str, Enum):
    """The unit a repayment frequency counts in."""

    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


_PERIODS_A_YEAR = {PeriodUnit.DAYS: 360, PeriodUnit.WEEKS: 52, PeriodUnit.MONTHS: 12}


@dataclass(frozen=True, slots=True)
class RepaymentFrequency:
    """Repay every `every` `unit`s: monthly is (MONTHS, 1), quarterly (MONTHS, 3).

    raises ValidationError when `every` < 1.
    """

    unit: PeriodUnit = PeriodUnit.MONTHS
    every: int = 1

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValidationError("frequency", f"must repay every 1 or more {self.unit.value}")

    def year_share(self) -> Decimal:
        """One period as a share of a year: every/12 for months, every/52 for weeks, every/360
        for days (月利率 = 年利率 ÷ 12, 日利率 = 年利率 ÷ 360; DOMAIN.md §3.3)."""
        return Decimal(self.every) / _PERIODS_A_YEAR[self.unit]

    def step(self, seed: date, k: int) -> date:
        """The date `k` periods after `seed` (months clamp to the month's end)."""
        if self.unit is PeriodUnit.MONTHS:
            return add_months(seed, k * self.every)
        days = self.every * (7 if self.unit is PeriodUnit.WEEKS else 1)
        return seed + timedelta(days=k * days)


MONTHLY = RepaymentFrequency(PeriodUnit.MONTHS, 1)


def add_months(d: date, months: int) -> date:
    """`d` moved by `months` calendar months, the day clamped to the target month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def scheduled_dates(
    start_date: date,
    frequency: RepaymentFrequency,
    count: int,
    first_due_date: date | None = None,
) -> list[date]:
    """The `count` unadjusted due dates of a loan that starts on `start_date`.

    Without `first_due_date` the dates step from the start (seed = start date); with it they step
    from that date (seed = first due date), so its day of month is kept.
    raises ValidationError when count < 1 or first_due_date is not after start_date.
    """
    if count < 1:
        raise ValidationError("term", "must be at least 1 period")
    if first_due_date is None:
        return [frequency.step(start_date, k) for k in range(1, count + 1)]
    if first_due_date <= start_date:
        raise ValidationError("first_due_date", "must be after the start date")
    return [frequency.step(first_due_date, k) for k in range(count)]


def accrual_periods(start_date: date, due_dates: list[date]) -> list[tuple[date, date]]:
    """Consecutive (from, to) accrual periods: start→first due, then due→next due.

    raises ValidationError when the due dates are not strictly increasing after the start.
    """
    bounds = [start_date, *due_dates]
    periods = list(zip(bounds, bounds[1:], strict=False))
    if any(end <= begin for begin, end in periods):
        raise ValidationError("due_dates", "must be strictly increasing and after the start date")
    return periods
