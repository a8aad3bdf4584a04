"""LPR staleness → referral (issue 12): the next monthly fixing, the grace period, the R08
referral and the LPR fixing carried by every decision record.

Fixing dates are the published ones read from Xinhua / Reuters reports (pricing/lpr_series.py
sources): 2025-10-20, 2025-12-22 (the 20th a Saturday), 2026-01-20, 2026-02-24 (the 20th in the
春节 holiday, 国办发明电 2026 notice: 2026-02-15…23).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.lpr_fixture import current_series
from tests.unit.test_decision_tables import _facts, _inputs

from creditfactory.decisioning import DEFAULT_POLICY, Decision, Outcome, decide
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.holidays_cn import CN_ADJUSTED_WORKING_DAYS
from creditfactory.pricing.lpr import LPRSeries, default_lpr_series, next_fixing_date, stale_after


@pytest.mark.parametrize(
    ("last", "published_next"),
    [
        (date(2025, 9, 22), date(2025, 10, 20)),
        (date(2025, 11, 20), date(2025, 12, 22)),
        (date(2025, 12, 22), date(2026, 1, 20)),
        (date(2026, 1, 20), date(2026, 2, 24)),
        (date(2022, 7, 20), date(2022, 8, 22)),  # DOMAIN.md §3.2: 2022-08-22 (20th a Saturday)
    ],
)
def test_next_fixing_is_the_published_date(last: date, published_next: date) -> None:
    assert next_fixing_date(last) == published_next


@given(st.dates(min_value=date(2019, 8, 20), max_value=date(2035, 12, 31)))
def test_next_fixing_is_a_business_day_from_the_20th_of_the_next_month(last: date) -> None:
    fixing = next_fixing_date(last)
    assert (fixing.year * 12 + fixing.month) - (last.year * 12 + last.month) == 1
    # a weekday, or a weekend day banks work (调休)
    assert fixing.day >= 20 and (fixing.weekday() < 5 or fixing in CN_ADJUSTED_WORKING_DAYS)


def test_grace_counts_business_days() -> None:
    # next after 2026-03-20 is Monday 2026-04-20; three business days on: Thursday 04-23
    assert stale_after(date(2026, 3, 20), 3) == date(2026, 4, 23)
    # next after 2025-09-22 is Monday 10-20; Friday 10-24 is the 4th business day
    assert stale_after(date(2025, 9, 22), 4) == date(2025, 10, 24)
    assert stale_after(date(2025, 9, 22), 0) == date(2025, 10, 20)
    with pytest.raises(ValidationError, match="^grace_business_days: "):
        stale_after(date(2025, 9, 22), -1)


def _on(day: date, series: LPRSeries | None = None) -> Decision:
    inputs = replace(
        _inputs(_facts()),
        as_of=day,
        decided_at=datetime(day.year, day.month, day.day, 8, tzinfo=UTC),
        lpr_series=series,
    )
    return decide(inputs, DEFAULT_POLICY)


def test_stale_lpr_is_referred_with_a_reason_in_both_languages() -> None:
    current = _on(date(2026, 4, 23))
    assert current.outcome is Outcome.APPROVE
    stale = _on(date(2026, 4, 24))
    assert stale.outcome is Outcome.REFER
    reason = stale.record.reasons[0]
    assert reason.code == "R08" and reason.kind == "referral"
    assert "LPR" in reason.text_zh and "过期" in reason.text_zh
    assert "out of date" in reason.text_en


def test_a_published_fixing_makes_the_same_day_current() -> None:
    day = date(2026, 12, 7)
    assert _on(day).outcome is Outcome.REFER
    assert _on(day, current_series(day)).outcome is Outcome.APPROVE


def test_the_record_names_the_fixing_and_series_it_priced_on() -> None:
    record = _on(date(2026, 4, 24)).record.to_dict()
    assert record["lpr"] == {
        "fixing_date": "2026-03-20",
        "tenor": "1Y",
        "rate": "0.03",
        "confidence": "P",
        "source": default_lpr_series().fixings[-1].source,
        "series_version": "lpr-2026-03-20",
        "current_until": "2026-04-23",
        "stale": True,
    }
    assert record["versions"]["lpr_series"] == "lpr-2026-03-20"
    assert record["policy_version"] == "credit-policy-2026.2"


@pytest.mark.parametrize(
    "day", [date(2019, 8, 20), date(2022, 8, 21), date(2024, 10, 21), date(2026, 4, 24)]
)
def test_the_excerpt_a_replay_keeps_prices_like_the_series(day: date) -> None:
    series = default_lpr_series()
    excerpt = series.excerpt(day)
    assert len(excerpt.fixings) <= 2 and excerpt.version == series.version
    assert _on(day, excerpt).record == _on(day, series).record
