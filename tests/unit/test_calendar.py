"""The China bank calendar against the State Council holiday notices for 2024 and 2025
(国办发明电〔2023〕7号, 国办发明电〔2024〕12号), and ISDA date-adjustment rules by hand."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from creditfactory.kernel.calendar import DateAdjustment, china_calendar
from creditfactory.kernel.errors import CalendarError

# (first, last) holiday of each festival, and the weekend days worked in exchange (调休上班).
NOTICE_2024 = {
    "holidays": [
        ("2024-01-01", "2024-01-01"),
        ("2024-02-10", "2024-02-17"),
        ("2024-04-04", "2024-04-06"),
        ("2024-05-01", "2024-05-05"),
        ("2024-06-10", "2024-06-10"),
        ("2024-09-15", "2024-09-17"),
        ("2024-10-01", "2024-10-07"),
    ],
    "worked": ["2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11"]
    + ["2024-09-14", "2024-09-29", "2024-10-12"],
}
NOTICE_2025 = {
    "holidays": [
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
    ],
    "worked": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
}


def _days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.mark.parametrize("notice", [NOTICE_2024, NOTICE_2025], ids=["2024", "2025"])
def test_calendar_matches_the_state_council_notice(notice: dict[str, Any]) -> None:
    calendar = china_calendar()
    for first, last in notice["holidays"]:
        for day in _days(first, last):
            assert not calendar.is_business_day(day), day
    for text in notice["worked"]:
        worked = date.fromisoformat(text)
        assert worked.weekday() >= 5, "a 调休 working day is a weekend day"
        assert calendar.is_business_day(worked), worked


@pytest.mark.parametrize("notice", [NOTICE_2024, NOTICE_2025], ids=["2024", "2025"])
def test_every_other_weekday_is_a_business_day(notice: dict[str, Any]) -> None:
    calendar = china_calendar()
    holidays = {d for first, last in notice["holidays"] for d in _days(first, last)}
    year = next(iter(holidays)).year
    for day in _days(f"{year}-01-01", f"{year}-12-31"):
        expected = day.weekday() < 5 and day not in holidays
        expected = expected or day.isoformat() in notice["worked"]
        assert calendar.is_business_day(day) is expected, day


def test_adjustments_around_national_day_2025() -> None:
    calendar = china_calendar()
    national_day = date(2025, 10, 1)
    assert calendar.adjust(national_day, DateAdjustment.FOLLOWING) == date(2025, 10, 9)
    assert calendar.adjust(national_day, DateAdjustment.PRECEDING) == date(2025, 9, 30)
    assert calendar.adjust(national_day, DateAdjustment.NONE) == national_day
    # 2025-05-31 (端午, Saturday) → following crosses into June, so modified following goes back.
    assert calendar.adjust(date(2025, 5, 31), DateAdjustment.FOLLOWING) == date(2025, 6, 3)
    assert calendar.adjust(date(2025, 5, 31), DateAdjustment.MODIFIED_FOLLOWING) == date(
        2025, 5, 30
    )


def test_unknown_years_are_refused_not_guessed() -> None:
    with pytest.raises(CalendarError):
        china_calendar().is_business_day(date(2030, 1, 2))


def test_named_days_and_month_end_modified_following() -> None:
    """2024-02-04 is a Sunday worked for 春节 (调休); 2024-10-01 is 国庆节; 2024-06-30 is a Sunday
    whose following business day (07-01) is in July, so modified following goes back to 06-28."""
    calendar = china_calendar()
    assert date(2024, 2, 4).weekday() == 6
    assert calendar.is_business_day(date(2024, 2, 4))
    assert not calendar.is_business_day(date(2024, 10, 1))
    month_end = date(2024, 6, 30)
    assert calendar.adjust(month_end, DateAdjustment.FOLLOWING) == date(2024, 7, 1)
    assert calendar.adjust(month_end, DateAdjustment.MODIFIED_FOLLOWING) == date(2024, 6, 28)
