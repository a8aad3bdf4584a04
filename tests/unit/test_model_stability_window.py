"""The live-stability window: `window_days` Chinese calendar days (UTC+8) ending on the business
date, as UTC instants; a decision at 16:30 UTC belongs to the next China day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.model_stability import stability_window


def test_one_day_is_midnight_to_midnight_china_time() -> None:
    start, end = stability_window(date(2025, 4, 17), 1)
    assert start == datetime(2025, 4, 16, 16, 0, tzinfo=UTC)
    assert end == datetime(2025, 4, 17, 16, 0, tzinfo=UTC)
    late = datetime(2025, 4, 17, 16, 30, tzinfo=UTC)  # 2025-04-18 00:30 in China
    assert not start <= late < end


def test_thirty_days_include_the_business_date() -> None:
    start, end = stability_window(date(2025, 3, 1), 30)
    assert start == datetime(2025, 1, 30, 16, 0, tzinfo=UTC)  # 2025-01-31 00:00 CST
    assert end == datetime(2025, 3, 1, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1, 367])
def test_window_out_of_range_names_the_option(days: int) -> None:
    with pytest.raises(ValidationError, match="window_days"):
        stability_window(date(2025, 3, 1), days)
