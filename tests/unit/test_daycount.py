"""Kernel day counts against QuantLib's encoding of the ISDA examples
(`../shared/cases/day_count_conventions.json`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.shared import load_case

from creditfactory.kernel.daycount import DayCount, day_count, year_fraction

CASES = "day_count_conventions.json"

_THIRTY = {
    "thirty_360_bond_basis": DayCount.THIRTY_360,
    "thirty_e_360_eurobond": DayCount.THIRTY_E_360,
    "thirty_360_us": DayCount.THIRTY_360_US,
}


def _iso(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize("group", sorted(_THIRTY))
def test_thirty_360_family_matches_isda_examples(group: str) -> None:
    cases: list[dict[str, Any]] = load_case(CASES)[group]["cases"]
    assert cases
    for case in cases:
        got = day_count(_THIRTY[group], _iso(case["start"]), _iso(case["end"]))
        assert got == case["days"], case


def test_thirty_e_360_isda_uses_the_termination_date() -> None:
    groups = load_case(CASES)["thirty_e_360_isda"]["groups"]
    for group in groups:
        termination = _iso(group["termination_date"])
        for case in group["cases"]:
            start, end = _iso(case["start"]), _iso(case["end"])
            got = day_count(DayCount.THIRTY_E_360_ISDA, start, end, termination)
            assert got == case["days"], (group["termination_date"], case)


def test_act_act_isda_matches_the_isda_1998_paper() -> None:
    cases = [c for c in load_case(CASES)["actual_actual"] if c["convention"] == "ACT/ACT ISDA"]
    assert len(cases) == 7
    for case in cases:
        got = year_fraction(DayCount.ACT_ACT_ISDA, _iso(case["start"]), _iso(case["end"]))
        # The published figures carry 11–12 decimals.
        assert abs(got - Decimal(str(case["year_fraction"]))) < Decimal("1e-10"), case


def test_act_360_and_act_365f_match_the_derived_table() -> None:
    for case in load_case(CASES)["act_360_and_act_365f_derived"]["cases"]:
        start, end = _iso(case["start"]), _iso(case["end"])
        assert day_count(DayCount.ACT_360, start, end) == case["actual_days"]
        for convention, key in ((DayCount.ACT_360, "act_360"), (DayCount.ACT_365F, "act_365f")):
            got = year_fraction(convention, start, end)
            assert abs(got - Decimal(str(case[key]))) < Decimal("1e-15"), (key, case)


def test_chinese_bank_daily_interest_by_hand() -> None:
    """日利率 = 年利率 ÷ 360: 1,000,000 at 3.45 % for 31 days = 2,970.833… yuan."""
    fraction = year_fraction(DayCount.ACT_360, date(2024, 1, 1), date(2024, 2, 1))
    assert Decimal(1_000_000) * Decimal("0.0345") * fraction == Decimal(
        "2970.833333333333333333333333"
    )


_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(_dates, _dates, _dates)
def test_act_act_isda_is_additive(a: date, b: date, c: date) -> None:
    start, middle, end = sorted((a, b, c))
    whole = year_fraction(DayCount.ACT_ACT_ISDA, start, end)
    parts = year_fraction(DayCount.ACT_ACT_ISDA, start, middle) + year_fraction(
        DayCount.ACT_ACT_ISDA, middle, end
    )
    assert abs(whole - parts) < Decimal("1e-25")


@given(_dates, _dates)
def test_year_fraction_is_antisymmetric(a: date, b: date) -> None:
    for convention in (DayCount.ACT_360, DayCount.ACT_365F, DayCount.ACT_ACT_ISDA):
        assert year_fraction(convention, a, b) == -year_fraction(convention, b, a)
