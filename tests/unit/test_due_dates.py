"""Due-date generation: month-end clamping, week and day steps, explicit dates."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.kernel.errors import ValidationError
from creditfactory.servicing.due_dates import (
    MONTHLY,
    PeriodUnit,
    RepaymentFrequency,
    accrual_periods,
    add_months,
    scheduled_dates,
)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 2) == date(2025, 3, 31)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 15), -3) == date(2024, 12, 15)


def test_dates_step_from_the_start_without_a_first_due_date() -> None:
    # Seeded on the 31st: no drift to the 28th after February.
    dates = scheduled_dates(date(2025, 1, 31), MONTHLY, 3)
    assert dates == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def test_week_day_and_quarter_frequencies() -> None:
    start = date(2025, 1, 1)
    biweekly = RepaymentFrequency(PeriodUnit.WEEKS, 2)
    assert scheduled_dates(start, biweekly, 2) == [date(2025, 1, 15), date(2025, 1, 29)]
    fifteen_days = RepaymentFrequency(PeriodUnit.DAYS, 15)
    assert scheduled_dates(start, fifteen_days, 2) == [date(2025, 1, 16), date(2025, 1, 31)]
    quarterly = RepaymentFrequency(PeriodUnit.MONTHS, 3)
    assert scheduled_dates(start, quarterly, 2) == [date(2025, 4, 1), date(2025, 7, 1)]


def test_year_share_is_the_chinese_bank_convention() -> None:
    assert MONTHLY.year_share() * 12 == 1  # 月利率 = 年利率 ÷ 12
    assert RepaymentFrequency(PeriodUnit.DAYS, 1).year_share() * 360 == 1  # 日利率 = 年利率 ÷ 360


def test_bad_dates_name_the_field() -> None:
    with pytest.raises(ValidationError, match="^frequency:"):
        RepaymentFrequency(PeriodUnit.MONTHS, 0)
    with pytest.raises(ValidationError, match="^term:"):
        scheduled_dates(date(2025, 1, 1), MONTHLY, 0)
    with pytest.raises(ValidationError, match="^first_due_date:"):
        scheduled_dates(date(2025, 1, 1), MONTHLY, 3, date(2024, 12, 1))
    with pytest.raises(ValidationError, match="^due_dates:"):
        accrual_periods(date(2025, 1, 1), [date(2025, 2, 1), date(2025, 2, 1)])


@given(st.dates(date(1990, 1, 1), date(2060, 12, 31)), st.integers(1, 240))
def test_monthly_dates_keep_the_seed_day_or_the_month_end(seed: date, count: int) -> None:
    dates = scheduled_dates(date(1989, 12, 1), MONTHLY, count, seed)
    assert dates[0] == seed
    for k, due in enumerate(dates):
        assert (due.year * 12 + due.month) - (seed.year * 12 + seed.month) == k
        assert due.day == min(seed.day, calendar.monthrange(due.year, due.month)[1])
