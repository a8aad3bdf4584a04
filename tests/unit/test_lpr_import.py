"""LPR import validation (issue 12): every row checked, the first bad one named by row and field,
nothing accepted then. Rules from DOMAIN.md §3.1 (first fixing 2019-08-20, published on the 20th
or the next business day, 0.05 pp step)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.lpr import default_lpr_series
from creditfactory.pricing.lpr_import import corrections, parse_fixings

TODAY = date(2026, 12, 7)


def _row(**kw: str) -> dict[str, object]:
    base = {"effective_date": "2025-12-22", "one_year": "3.00", "over_five_year": "3.50",
            "confidence": "C", "source": "Xinhua 2025-12-22"}  # fmt: skip
    return {**base, **kw}


def test_a_published_fixing_is_read_in_percent() -> None:
    (fixing,) = parse_fixings([_row()], TODAY)
    assert fixing.effective_date == date(2025, 12, 22)
    assert fixing.one_year == Rate(Decimal("0.03")) and fixing.over_five_year.value == Decimal(
        "0.035"
    )


@pytest.mark.parametrize(
    ("row", "field", "rule"),
    [
        (_row(effective_date="2026-02-30"), "effective_date", "a date YYYY-MM-DD"),
        (_row(effective_date="22/12/2025"), "effective_date", "a date YYYY-MM-DD"),
        (_row(effective_date="2019-07-22"), "effective_date", "from 2019-08-20"),
        (_row(effective_date="2026-12-21"), "effective_date", "to 2026-12-07"),  # future
        (_row(effective_date="2025-12-05"), "effective_date", "published on the 20th"),
        (_row(effective_date="20251222"), "effective_date", "a date YYYY-MM-DD"),
        (_row(effective_date="2025-W52-1"), "effective_date", "a date YYYY-MM-DD"),
        (_row(one_year="3E0"), "one_year", "a percent like 3.00"),
        (_row(one_year="３.00"), "one_year", "a percent like 3.00"),  # noqa: RUF001
        (_row(one_year="3_0"), "one_year", "a percent like 3.00"),
        (_row(one_year="+3.00"), "one_year", "a percent like 3.00"),
        (_row(one_year="3.07"), "one_year", "a multiple of 0.05"),
        (_row(one_year="0.30.0"), "one_year", "a percent like 3.00"),
        (_row(one_year="0.03"), "one_year", "in [0.05, 20.00]"),  # a fraction, not percent
        (_row(over_five_year="35"), "over_five_year", "in [0.05, 20.00]"),
        (_row(over_five_year="NaN"), "over_five_year", "a percent like 3.00"),
        (_row(over_five_year=""), "over_five_year", "required"),
        (_row(confidence="X"), "confidence", "C | P | U"),
        (_row(source=" "), "source", "required"),
        (_row(source="Xinhua\x00 2025-12-22"), "source", "control or format character"),
        (_row(source="Xinhua\u202e22-21-5202"), "source", "control or format character"),
        (_row(source="Xinhua\n2025-12-22"), "source", "control or format character"),
        (_row(source="x" * 501), "source", "at most 500 characters"),
        ({**_row(), "tenor": "1Y"}, "tenor", "unknown field"),
    ],
)
def test_a_bad_row_names_row_and_field(row: dict[str, object], field: str, rule: str) -> None:
    good = _row(effective_date="2025-11-20")
    with pytest.raises(
        ValidationError, match=rf"^rows\[2\]\.{field}: .*{re.escape(rule)}"
    ) as caught:
        parse_fixings([good, row], TODAY)
    assert caught.value.field == f"rows[2].{field}"


def test_duplicate_dates_must_agree() -> None:
    with pytest.raises(ValidationError, match=r"^rows\[3\]\.effective_date: .*also row 1"):
        parse_fixings([_row(), _row(effective_date="2026-01-20"), _row(one_year="2.95")], TODAY)
    assert len(parse_fixings([_row(), _row()], TODAY)) == 1  # an identical repeat is one


def test_no_rows_is_refused() -> None:
    with pytest.raises(ValidationError, match="^rows: at least one"):
        parse_fixings([], TODAY)


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2019, 8, 1), max_value=date(2026, 11, 1)),
            st.integers(20, 28),
            st.integers(1, 400),
            st.integers(1, 400),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda t: (t[0].year, t[0].month),
    )
)
def test_valid_rows_come_back_sorted_and_exact(rows: list[tuple[date, int, int, int]]) -> None:
    """Any date on the 20th–28th in range and any rate on the 0.05 pp step is accepted as given."""
    texts = [
        _row(effective_date=d.replace(day=day).isoformat(), one_year=str(Decimal(a) * Decimal("0.05")),
             over_five_year=str(Decimal(b) * Decimal("0.05")))
        for d, day, a, b in rows
        if d.replace(day=day) >= date(2019, 8, 20)
    ]  # fmt: skip
    if not texts:
        return
    fixings = parse_fixings(texts, TODAY)
    assert [f.effective_date for f in fixings] == sorted(f.effective_date for f in fixings)
    assert {f.to_dict()["one_year"] for f in fixings} == {
        str(Decimal(str(t["one_year"])).quantize(Decimal("0.01"))) for t in texts
    }


def test_a_row_changing_a_published_fixing_is_refused_unless_a_correction() -> None:
    # the attack: an import silently replaced the shipped 2019-08-20 fixing (4.25 / 4.85 %,
    # PBOC announcement of 2019-08-20) with 20.00
    published = default_lpr_series().fixings
    attack = _row(effective_date="2019-08-20", one_year="20.00", over_five_year="4.85")
    with pytest.raises(ValidationError) as refused:
        parse_fixings([_row(), attack], TODAY, published)
    assert refused.value.field == "rows[2].one_year"
    assert refused.value.rule.startswith(
        "differs from the published fixing of 2019-08-20 (4.25); corrections need --correction"
    )
    moved = _row(effective_date="2019-08-21", one_year="4.25", over_five_year="4.85")
    with pytest.raises(ValidationError, match=r"^rows\[1\]\.effective_date: 2019-08 has the pub"):
        parse_fixings([moved], TODAY, published)
    same = _row(effective_date="2019-08-20", one_year="4.25", over_five_year="4.85", source="x")
    assert len(parse_fixings([same], TODAY, published)) == 1  # the values agree: a re-import
    (fixing,) = parse_fixings([attack], TODAY, published, correction=True)
    assert corrections([fixing], published) == ["2019-08-20 1Y 4.25 → 20.00, 5Y+ 4.85 → 4.85"]


def test_one_fixing_per_month() -> None:
    with pytest.raises(ValidationError, match=r"^rows\[2\]\.effective_date: one fixing per month"):
        parse_fixings([_row(effective_date="2025-11-20"), _row(effective_date="2025-11-21")], TODAY)
