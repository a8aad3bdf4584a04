"""Mainland China public holidays and adjusted working days (调休), 2024–2026, as data.

Source: 国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号), 关于2025年部分节假日安排的
通知 (国办发明电〔2024〕12号) and 关于2026年部分节假日安排的通知 (published 2025-11). Each year is a
(holidays, adjusted_working_days) pair; an adjusted working day is a Saturday or Sunday on which
banks work. Add a year by adding an entry; `BusinessCalendar` refuses dates outside the data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

__all__ = ["CN_CALENDAR_YEARS", "CN_HOLIDAYS", "CN_ADJUSTED_WORKING_DAYS"]


def _span(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


_HOLIDAY_SPANS: Final = [
    # 2024
    ("2024-01-01", "2024-01-01"),  # 元旦
    ("2024-02-10", "2024-02-17"),  # 春节
    ("2024-04-04", "2024-04-06"),  # 清明节
    ("2024-05-01", "2024-05-05"),  # 劳动节
    ("2024-06-10", "2024-06-10"),  # 端午节
    ("2024-09-15", "2024-09-17"),  # 中秋节
    ("2024-10-01", "2024-10-07"),  # 国庆节
    # 2025
    ("2025-01-01", "2025-01-01"),
    ("2025-01-28", "2025-02-04"),
    ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"),
    ("2025-05-31", "2025-06-02"),
    ("2025-10-01", "2025-10-08"),  # 国庆节 + 中秋节
    # 2026
    ("2026-01-01", "2026-01-03"),
    ("2026-02-15", "2026-02-23"),
    ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"),
    ("2026-06-19", "2026-06-21"),
    ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]

CN_HOLIDAYS: Final[frozenset[date]] = frozenset(d for s, e in _HOLIDAY_SPANS for d in _span(s, e))

CN_ADJUSTED_WORKING_DAYS: Final[frozenset[date]] = frozenset(
    date.fromisoformat(d)
    for d in (
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
        "2024-09-14", "2024-09-29", "2024-10-12",
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    )
)  # fmt: skip

CN_CALENDAR_YEARS: Final = range(2024, 2027)
