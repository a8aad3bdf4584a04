"""servicing.duedates: anchor-based monthly dates (no drift), week/day steps, adjustment."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.kernel.calendar import DateAdjustment, china_calendar
from creditfactory.kernel.errors import ValidationError
from creditfactory.servicing.duedates import FrequencyUnit, add_months, due_dates


def test_month_end_anchor_does_not_drift() -> None:
    got = due_dates(date(2024, 1, 31), 4)
    assert got == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


def test_week_and_day_frequencies() -> None:
    assert due_dates(date(2024, 1, 8), 3, 2, FrequencyUnit.WEEKS) == [
        date(2024, 1, 8), date(2024, 1, 22), date(2024, 2, 5)
    ]  # fmt: skip
    assert due_dates(date(2024, 1, 16), 2, 15, FrequencyUnit.DAYS) == [
        date(2024, 1, 16), date(2024, 1, 31)
    ]  # fmt: skip


def test_quarterly_and_negative_months() -> None:
    assert due_dates(date(2024, 11, 30), 3, 3) == [
        date(2024, 11, 30), date(2025, 2, 28), date(2025, 5, 30)
    ]  # fmt: skip
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_adjustment_applies_per_date() -> None:
    """2024-10-01..07 国庆节: 10-01 follows to 10-08; 2024-06-30 (Sunday) modified-follows to 06-28."""
    dates = due_dates(
        date(2024, 6, 30),
        5,
        calendar_=china_calendar(),
        adjustment=DateAdjustment.MODIFIED_FOLLOWING,
    )
    assert dates[0] == date(2024, 6, 28)
    assert dates[1] == date(2024, 7, 30)  # 07-30 is a Tuesday, unchanged
    following = due_dates(
        date(2024, 10, 1), 1, calendar_=china_calendar(), adjustment=DateAdjustment.FOLLOWING
    )
    assert following == [date(2024, 10, 8)]


@pytest.mark.parametrize(("count", "every", "field"), [(0, 1, "term"), (3, 0, "frequency")])
def test_refusals_name_the_field(count: int, every: int, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        due_dates(date(2024, 1, 1), count, every)
    assert caught.value.field == field


@given(
    anchor=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 1, 1)),
    count=st.integers(min_value=1, max_value=360),
)
def test_monthly_dates_keep_the_anchor_day(anchor: date, count: int) -> None:
    dates = due_dates(anchor, count)
    assert all(a < b for a, b in zip(dates, dates[1:], strict=False))
    for k, d in enumerate(dates):
        assert d == add_months(anchor, k)
        assert d.day == min(anchor.day, calendar.monthrange(d.year, d.month)[1])
