"""The schedule engine: term validation, each method's shape, broken periods, the daily basis,
business-day adjustment, re-amortisation, and the invariants as hypothesis properties."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.kernel.calendar import DateAdjustment, china_calendar
from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.errors import DomainError, ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.errors import ScheduleDoesNotAmortize
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    InterestBasis,
    RepaymentSchedule,
    ScheduleError,
    ScheduleTerms,
    build_schedule,
    parse_method,
    period_rate_factor,
    reamortize,
)

EI = AmortizationMethod.EQUAL_INSTALLMENT
EP = AmortizationMethod.EQUAL_PRINCIPAL
IO = AmortizationMethod.INTEREST_ONLY_BULLET
BULLET = AmortizationMethod.BULLET


def _terms(**overrides: object) -> ScheduleTerms:
    values: dict[str, object] = {
        "principal": Money.of("12000"),
        "annual_rate": Rate.of("0.12"),
        "term": 12,
        "method": EI,
        "disbursement_date": date(2024, 1, 15),
    }
    values.update(overrides)
    return ScheduleTerms(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"principal": Money.of(0)}, "principal"),
        ({"principal": Money.of("-1")}, "principal"),
        ({"principal": Money.of("1.005")}, "principal"),
        ({"term": 0}, "term"),
        ({"annual_rate": Rate.of(12)}, "annual_rate"),
        ({"first_due_date": date(2024, 1, 15)}, "first_due_date"),
        ({"first_due_date": date(2024, 1, 1)}, "first_due_date"),
        ({"method": "weekly_magic"}, "method"),
        ({"grace_on_principal_periods": 12}, "grace_on_principal_periods"),
        ({"installment_multiple": Decimal(0)}, "installment_multiple"),
        ({"date_adjustment": DateAdjustment.FOLLOWING}, "date_adjustment"),
        ({"frequency": 0}, "frequency"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_terms_name_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        _terms(**overrides)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, DomainError)


def test_parse_method() -> None:
    assert parse_method("interest_only") is IO
    with pytest.raises(ScheduleError, match="method: must be one of"):
        parse_method("annuity")


def test_equal_principal_shape() -> None:
    """12000 over 12 months at 1 %: principal 1000 each; interest 120, 110, …, 10."""
    schedule = build_schedule(_terms(method=EP, disbursement_date=date(2024, 1, 1)))
    assert {row.principal_due.amount for row in schedule.installments} == {Decimal("1000.00")}
    assert [row.interest_due.amount for row in schedule.installments] == [
        Decimal(10 * k) for k in range(12, 0, -1)
    ]
    assert schedule.total_interest.amount == Decimal("780.00")  # 10 × (12·13/2)
    assert schedule.level_installment is None


def test_interest_only_shape() -> None:
    """先息后本: 120 interest a month, the 12000 in the last installment."""
    schedule = build_schedule(_terms(method=IO, disbursement_date=date(2024, 1, 1)))
    rows = schedule.installments
    assert all(row.installment.amount == Decimal("120.00") for row in rows[:-1])
    assert rows[-1].installment.amount == Decimal("12120.00")
    assert rows[-1].principal_due.amount == Decimal("12000")


def test_bullet_is_one_installment_at_maturity() -> None:
    """一次性还本付息: 12000 × 12 % × 12/12 = 1440 simple interest, due 2025-01-01."""
    schedule = build_schedule(_terms(method=BULLET, disbursement_date=date(2024, 1, 1)))
    (row,) = schedule.installments
    assert (row.period_start, row.due_date) == (date(2024, 1, 1), date(2025, 1, 1))
    assert row.interest_due.amount == Decimal("1440.00")
    assert row.installment.amount == Decimal("13440.00")


def test_broken_first_period_on_monthly_basis() -> None:
    """Disbursed 2024-01-15, first due 2024-03-01: one whole month (02-01→03-01) at 1 % plus
    17 odd days (01-15→02-01) at 12 %/360 → 12000 × (0.01 + 0.12 × 17/360) = 120 + 68 = 188."""
    schedule = build_schedule(_terms(method=IO, first_due_date=date(2024, 3, 1)))
    assert schedule.installments[0].interest_due.amount == Decimal("188.00")
    assert schedule.installments[1].interest_due.amount == Decimal("120.00")


def test_month_end_periods_are_whole_months() -> None:
    rate = Decimal("0.12")
    for start, end in [
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2024, 2, 29), date(2024, 3, 31)),
    ]:
        factor = period_rate_factor(rate, start, end, InterestBasis.MONTHLY, DayCount.ACT_360)
        assert factor == Decimal("0.01")


def test_daily_basis_counts_actual_days() -> None:
    """ACT/360: January (31 days) 12000 × 0.12 × 31/360 = 124.00; February 2024 (29) = 116.00."""
    schedule = build_schedule(
        _terms(method=IO, disbursement_date=date(2024, 1, 1), interest_basis=InterestBasis.DAILY)
    )
    assert [r.interest_due.amount for r in schedule.installments[:2]] == [
        Decimal("124.00"),
        Decimal("116.00"),
    ]


def test_calendar_adjustment_moves_due_dates() -> None:
    """2024-02-10..17 is 春节; a due date on 02-15 moves to the next business day 02-18 (an
    adjusted working Sunday); 2024-06-15 (Saturday) → 06-17; interest stays monthly."""
    schedule = build_schedule(
        _terms(
            disbursement_date=date(2024, 1, 15),
            term=6,
            calendar=china_calendar(),
            date_adjustment=DateAdjustment.FOLLOWING,
        )
    )
    dues = [row.due_date for row in schedule.installments]
    assert dues[0] == date(2024, 2, 18)
    assert dues[4] == date(2024, 6, 17)
    assert dues[1] == date(2024, 3, 15)
    assert schedule.installments[0].interest_due.amount == Decimal("120.00")


def test_installment_multiple_rounds_the_level_payment() -> None:
    schedule = build_schedule(_terms(installment_multiple=Decimal(10)))
    assert schedule.level_installment == Money.of("1070")  # 1066.19 → 1070
    assert schedule.installments[-1].outstanding.is_zero()


def _due_after(months: int) -> list[date]:
    return [date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(months + 1, 13)]


def test_reamortize_keep_term_lowers_the_installment() -> None:
    """6000 left on 2024-07-01, 5 dates (08-01..12-01): 6000·0.01·1.01^5/(1.01^5−1) = 1236.24."""
    result = reamortize(
        Money.of("6000"), Rate.of("0.12"), date(2024, 7, 1), _due_after(7), EI, keep="term"
    )
    assert len(result.installments) == 5
    assert result.level_installment == Money.of("1236.24")
    assert result.total_principal == Money.of("6000")


def test_reamortize_keep_installment_shortens_the_term() -> None:
    result = reamortize(
        Money.of("3000"),
        Rate.of("0.12"),
        date(2024, 1, 1),
        _due_after(1),
        EI,
        keep="installment",
        current_installment=Money.of("1066.19"),
    )
    assert len(result.installments) == 3  # 1066.19 × 2 + a smaller last one
    assert result.installments[-1].installment < Money.of("1066.19")
    assert result.total_principal == Money.of("3000")
    assert result.installments[-1].outstanding.is_zero()


def test_reamortize_refusals() -> None:
    dates = _due_after(1)
    with pytest.raises(ScheduleDoesNotAmortize):
        reamortize(
            Money.of("3000"),
            Rate.of("0.12"),
            date(2024, 1, 1),
            dates,
            EI,
            "installment",
            Money.of("30"),
        )
    with pytest.raises(ScheduleError, match="current_installment"):
        reamortize(Money.of("3000"), Rate.of("0.12"), date(2024, 1, 1), dates, EI, "installment")
    with pytest.raises(ScheduleError, match="remaining_due_dates"):
        reamortize(Money.of("3000"), Rate.of("0.12"), date(2024, 3, 1), dates, EI)
    with pytest.raises(ScheduleError, match="outstanding"):
        reamortize(Money.of("0"), Rate.of("0.12"), date(2024, 1, 1), dates, EI)


def _assert_invariants(schedule: RepaymentSchedule, principal: Money) -> None:
    assert schedule.total_principal == principal
    assert schedule.installments[-1].outstanding.is_zero()
    for row in schedule.installments:
        for amount in (row.principal_due, row.interest_due, row.installment, row.outstanding):
            assert amount.amount >= 0
            assert amount.amount == amount.amount.quantize(Decimal("0.01"))
        assert row.installment == row.principal_due + row.interest_due


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(list(AmortizationMethod)),
    term=st.integers(min_value=1, max_value=360),
    cents=st.integers(min_value=1, max_value=10**10),
    rate_bp=st.integers(min_value=0, max_value=3600),
    disbursed=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    basis=st.sampled_from(list(InterestBasis)),
)
def test_schedule_invariants(
    method: AmortizationMethod,
    term: int,
    cents: int,
    rate_bp: int,
    disbursed: date,
    basis: InterestBasis,
) -> None:
    principal = Money.from_minor(cents)
    terms = ScheduleTerms(
        principal, Rate.from_bp(rate_bp), term, method, disbursed, interest_basis=basis
    )
    schedule = build_schedule(terms)
    _assert_invariants(schedule, principal)
    dues = [row.due_date for row in schedule.installments]
    assert all(a < b for a, b in zip([disbursed, *dues], dues, strict=False))
    for due in dues:  # the anchor day, clamped to the month's end
        last = calendar.monthrange(due.year, due.month)[1]
        assert due.day == min(disbursed.day, last)
    expected_rows = 1 if method is BULLET else term
    assert len(schedule.installments) == expected_rows


@settings(max_examples=40, deadline=None)
@given(
    cents=st.integers(min_value=100, max_value=10**9),
    rate_bp=st.integers(min_value=0, max_value=3600),
    left=st.integers(min_value=1, max_value=60),
    offset=st.integers(min_value=0, max_value=27),
    keep=st.sampled_from(["term", "installment"]),
)
def test_reamortize_invariants(cents: int, rate_bp: int, left: int, offset: int, keep: str) -> None:
    outstanding = Money.from_minor(cents)
    rate = Rate.from_bp(rate_bp)
    dates = [date(2030 + m // 12, m % 12 + 1, 28) for m in range(left)]
    start = dates[0] - timedelta(days=28 + offset)
    level = build_schedule(ScheduleTerms(outstanding, rate, left, EI, start)).level_installment
    try:
        result = reamortize(outstanding, rate, start, dates, EI, keep, level)  # type: ignore[arg-type]
    except ScheduleDoesNotAmortize as refused:
        # keeping a tiny installment can leave a long broken first period's interest uncovered;
        # refusing is the documented answer then, and only then
        assert keep == "installment" and "does not cover the first period's interest" in str(
            refused
        )
        return
    _assert_invariants(result, outstanding)
    assert len(result.installments) <= left
