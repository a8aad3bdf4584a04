"""The schedule engine: hand-worked rows, rule violations, and invariants under hypothesis
(principal sums to the loan; balances fall to zero; every amount is whole fen), with
numpy-financial as a peer for the level payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.kernel.calendar import DateAdjustment, china_calendar
from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.amortization import build_schedule, level_payment
from creditfactory.servicing.due_dates import PeriodUnit, RepaymentFrequency
from creditfactory.servicing.errors import ScheduleDoesNotAmortize
from creditfactory.servicing.schedule import AmortizationMethod, ScheduleTerms

M = AmortizationMethod


def _terms(**overrides: object) -> ScheduleTerms:
    fields: dict[str, object] = {
        "principal": Money.of(100_000),
        "annual_rate": Rate.of("0.0435"),
        "method": M.EQUAL_INSTALLMENT,
        "term": 3,
        "start_date": date(2025, 1, 15),
    }
    fields.update(overrides)
    return ScheduleTerms(**fields)  # type: ignore[arg-type]


def _column(terms: ScheduleTerms, name: str) -> list[str]:
    return [str(getattr(r, name).amount) for r in build_schedule(terms).installments]


def test_interest_only_by_hand() -> None:
    # 100,000 × 4.35 % ÷ 12 = 362.50 a month; principal at the end (先息后本).
    terms = _terms(method=M.INTEREST_ONLY_BULLET)
    assert _column(terms, "interest_due") == ["362.50", "362.50", "362.50"]
    assert _column(terms, "principal_due") == ["0", "0", "100000.00"]


def test_bullet_act_360_by_hand() -> None:
    # 2025-01-15 → 2025-04-15 is 90 days: 100,000 × 0.0435 × 90 / 360 = 1,087.50 (到期一次还本付息).
    schedule = build_schedule(_terms(method=M.BULLET, day_count=DayCount.ACT_360))
    (row,) = schedule.installments
    assert (row.period_start, row.due_date) == (date(2025, 1, 15), date(2025, 4, 15))
    assert row.interest_due == Money.of("1087.50")
    assert row.principal_due == Money.of(100_000)


def test_equal_installment_by_hand() -> None:
    # r = 0.0435/12 = 0.003625; (1+r)^3 = 1.010915…; A = P r (1+r)^3 / ((1+r)^3 − 1)
    # = 33,575.2914… → 33,575.29. Row 1: interest 362.50, principal 33,212.79, balance
    # 66,787.21; row 2: interest 66,787.21 × r = 242.1036… → 242.10, principal 33,333.19.
    terms = _terms()
    assert str(build_schedule(terms).level_payment) == "33575.29 CNY"
    assert _column(terms, "interest_due")[:2] == ["362.50", "242.10"]
    assert _column(terms, "principal_due")[:2] == ["33212.79", "33333.19"]


def test_equal_principal_by_hand() -> None:
    # 100,000 / 3 = 33,333.33 twice, the last takes 33,333.34; interest falls by 120.83/month.
    terms = _terms(method=M.EQUAL_PRINCIPAL)
    assert _column(terms, "principal_due") == ["33333.33", "33333.33", "33333.34"]
    assert _column(terms, "interest_due") == ["362.50", "241.67", "120.83"]


def test_grace_on_principal_pays_interest_first() -> None:
    terms = _terms(term=4, grace_on_principal=2)
    assert _column(terms, "principal_due")[:2] == ["0", "0"]
    assert _column(terms, "interest_due")[:2] == ["362.50", "362.50"]


def test_due_dates_move_off_holidays_but_interest_keeps_the_contract_date() -> None:
    terms = _terms(
        start_date=date(2025, 9, 1),
        calendar=china_calendar(),
        date_adjustment=DateAdjustment.FOLLOWING,
        day_count=DayCount.ACT_360,
    )
    first, second, _ = build_schedule(terms).installments
    assert first.due_date == date(2025, 10, 9)  # 10-01 … 10-08 are 国庆/中秋 holidays
    assert first.period_end == second.period_start == date(2025, 10, 1)


@pytest.mark.parametrize(
    "overrides",
    [
        # A multiple of 100 yuan rounds the level payment of a 100-yuan loan to zero.
        {"principal": Money.of(100), "term": 12, "installment_multiple": Decimal(100)},
        # 1 fen over 2 periods: 0.005 rounds up to 0.01 and repays everything at once.
        {"principal": Money.of("0.01"), "term": 2, "annual_rate": Rate.of(0)},
        # 1,000 yuan at 21.59 % over 314 months: the ≤ 0.005 rounding of A compounds by
        # ((1+r)^n − 1)/r ≈ 14,700 and overpays the loan before the last installment.
        {"principal": Money.of(1000), "term": 314, "annual_rate": Rate.from_bp(2159)},
    ],
)
def test_rounding_that_cannot_amortize_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ScheduleDoesNotAmortize):
        build_schedule(_terms(**overrides))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"principal": Money.of(0)}, "principal"),
        ({"principal": Money.of("1.001")}, "principal"),
        ({"term": 0}, "term"),
        ({"grace_on_principal": 3}, "grace_on_principal"),
        ({"first_due_date": date(2025, 1, 15)}, "first_due_date"),
        ({"installment_multiple": Decimal(0)}, "installment_multiple"),
        ({"date_adjustment": DateAdjustment.FOLLOWING}, "date_adjustment"),
        ({"due_dates": (date(2025, 2, 1),)}, "due_dates"),
        ({"due_dates": (date(2025, 3, 1), date(2025, 2, 1), date(2025, 4, 1))}, "due_dates"),
    ],
)
def test_bad_terms_name_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build_schedule(_terms(**overrides))
    assert caught.value.field == field


_FREQUENCIES = [
    RepaymentFrequency(PeriodUnit.MONTHS, 1),
    RepaymentFrequency(PeriodUnit.MONTHS, 3),
    RepaymentFrequency(PeriodUnit.WEEKS, 2),
    RepaymentFrequency(PeriodUnit.DAYS, 15),
]


@st.composite
def schedule_terms(
    draw: st.DrawFn, min_principal_fen: int = 1, max_rate_bp: int = 3600
) -> ScheduleTerms:
    method = draw(st.sampled_from(list(M)))
    term = draw(st.integers(1, 60))
    grace_allowed = method in (M.EQUAL_INSTALLMENT, M.EQUAL_PRINCIPAL, M.FLAT_INTEREST)
    return ScheduleTerms(
        principal=Money.from_minor(draw(st.integers(min_principal_fen, 10**11))),
        annual_rate=Rate.from_bp(draw(st.integers(0, max_rate_bp))),
        method=method,
        term=term,
        start_date=draw(st.dates(date(2000, 1, 1), date(2040, 12, 31))),
        frequency=draw(st.sampled_from(_FREQUENCIES)),
        day_count=draw(st.sampled_from([None, DayCount.ACT_360, DayCount.ACT_ACT_ISDA])),
        grace_on_principal=draw(st.integers(0, term - 1)) if grace_allowed else 0,
    )


def _assert_invariants(terms: ScheduleTerms) -> None:
    schedule = build_schedule(terms)
    rows = schedule.installments
    assert schedule.total_principal == terms.principal
    assert rows[-1].balance_after.is_zero()
    balances = [terms.principal.amount] + [r.balance_after.amount for r in rows]
    assert all(a >= b >= 0 for a, b in zip(balances, balances[1:], strict=False))
    for row in rows:
        for amount in (row.principal_due, row.interest_due, row.total_due, row.balance_after):
            assert amount.rounded() == amount
        assert row.interest_due.amount >= 0
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(a.due_date < b.due_date for a, b in zip(rows, rows[1:], strict=False))


@settings(max_examples=150, deadline=None)
@given(schedule_terms(min_principal_fen=100_000, max_rate_bp=2400))
def test_realistic_loans_always_amortize(terms: ScheduleTerms) -> None:
    """≥ 1,000 yuan, ≤ 24 % a year (the judicial ceiling, DOMAIN.md §3.4), ≤ 60 periods."""
    _assert_invariants(terms)


@settings(max_examples=150, deadline=None)
@given(schedule_terms())
def test_any_loan_amortizes_or_is_refused(terms: ScheduleTerms) -> None:
    try:
        _assert_invariants(terms)
    except ScheduleDoesNotAmortize:
        pass


@settings(max_examples=100, deadline=None)
@given(
    principal_fen=st.integers(100_000, 10**11),
    rate_bp=st.integers(1, 3600),
    term=st.integers(1, 360),
)
def test_level_payment_agrees_with_numpy_financial(
    principal_fen: int, rate_bp: int, term: int
) -> None:
    rate = Rate.from_bp(rate_bp).monthly()
    ours = level_payment(Decimal(principal_fen) / 100, [rate] * term)
    peer = -npf.pmt(rate_bp / 10_000 / 12, term, principal_fen / 100)
    # The float peer carries ~1e-15 relative error; ours is exact to 28 digits.
    assert abs(float(ours) - peer) <= 1e-9 * peer


@settings(max_examples=50, deadline=None)
@given(term=st.integers(1, 120), principal_fen=st.integers(100, 10**11))
def test_zero_rate_charges_no_interest(term: int, principal_fen: int) -> None:
    for method in M:
        terms = _terms(
            principal=Money.from_minor(principal_fen * term),
            annual_rate=Rate.of(0),
            method=method,
            term=term,
        )
        assert build_schedule(terms).total_interest.is_zero()
