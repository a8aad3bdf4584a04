"""Terms that would overflow or silently become another kind of loan are refused with the field
named (found by a new-user QA pass)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing import schedules
from creditfactory.servicing.duedates import add_months
from creditfactory.servicing.errors import ScheduleDoesNotAmortize
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    ScheduleError,
    ScheduleTerms,
    build_schedule,
)

EI = AmortizationMethod.EQUAL_INSTALLMENT
START = date(2022, 11, 1)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("principal", {"principal": Money(Decimal("1E+30"))}),
        ("term", {"term": 999_999_999}),
        ("disbursement_date", {"disbursement_date": date(9999, 12, 1)}),
        ("disbursement_date", {"disbursement_date": date(1, 1, 1)}),
        ("annual_rate", {"annual_rate": Rate(Decimal("1E-30"))}),
        ("installment_multiple", {"installment_multiple": Decimal(100000)}),
    ],
)
def test_out_of_range_terms_name_the_field(field: str, kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "principal": Money.of("5000"), "annual_rate": Rate.of("0.12"), "term": 18, "method": EI,
        "disbursement_date": START,
    }  # fmt: skip
    with pytest.raises(ScheduleError) as refused:
        ScheduleTerms(**{**base, **kwargs})  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_multiple_that_rounds_the_installment_to_zero_is_refused() -> None:
    terms = ScheduleTerms(
        Money.of("5000"), Rate.of("0.12"), 18, EI, START, installment_multiple=Decimal(1000)
    )
    with pytest.raises(ScheduleError, match="rounds the installment to zero"):
        build_schedule(terms)


def test_a_multiple_that_repays_the_loan_early_is_refused() -> None:
    # 5000 at 12 % over 300 months: level 52.66 rounds up to 53 and clears the loan years early
    terms = ScheduleTerms(
        Money.of("5000"), Rate.of("0.12"), 300, EI, START, installment_multiple=Decimal(1)
    )
    with pytest.raises(ScheduleDoesNotAmortize, match="before the last period"):
        build_schedule(terms)


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 4000))
def test_whole_months_are_the_most_months_that_fit(start: date, days: int) -> None:
    """The closed forms equal their definition: the most k with add_months(end, -k) >= start
    (counting back) or add_months(start, k) <= end (counting forward)."""
    end = start + timedelta(days=days)
    back = max(k for k in range(days // 28 + 2) if add_months(end, -k) >= start)
    forward = max(k for k in range(days // 28 + 2) if add_months(start, k) <= end)
    assert schedules._whole_months_back(start, end) == back
    assert schedules._whole_months_forward(start, end) == forward
