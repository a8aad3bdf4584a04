"""Schedules against Apache Fineract's published numbers (`../shared/cases/schedules_fineract.json`).

Mapping of Fineract product settings to ScheduleTerms:
- interest period SAME_AS_REPAYMENT_PERIOD → day_count=None (annual ÷ 12 per month);
- DAILY with daysInYear ACTUAL (RS03) → ACT_365F: Fineract's numbers use 365 even for the 2024
  periods (e.g. period 16: 894.75 × 12 % × 29/365 = 8.53, where /366 would give 8.51);
- progressive 360/30 → THIRTY_360; 360/any with day frequencies → ACT_360; 365/ACTUAL →
  ACT_365F; ACTUAL/ACTUAL → ACT_ACT_ISDA; 364-day year with weekly repayments → per-period
  (7/364 = 1/52 of a year);
- installmentAmountInMultiplesOf=1 → installment_multiple=1 (level payment and flat totals);
- Fineract rounds HALF_EVEN; progressive EMI uses the one-step EMI adjustment (adjust_emi).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.shared import load_case

from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.money import Money, RoundingMode
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.amortization import build_schedule, level_payment, rate_factors
from creditfactory.servicing.due_dates import PeriodUnit, RepaymentFrequency, scheduled_dates
from creditfactory.servicing.schedule import AmortizationMethod, RepaymentSchedule, ScheduleTerms

CASES = "schedules_fineract.json"


def _case(group: str) -> Any:
    return load_case(CASES)[group]


def _d(value: float | int | str) -> Decimal:
    return Decimal(str(value))


def _cumulative_terms(case: dict[str, Any]) -> ScheduleTerms:
    inputs = case["inputs"]
    if inputs["interest_type"] == "FLAT":
        method = AmortizationMethod.FLAT_INTEREST
    elif inputs["amortization"] == "EQUAL_PRINCIPAL_PAYMENTS":
        method = AmortizationMethod.EQUAL_PRINCIPAL
    else:
        method = AmortizationMethod.EQUAL_INSTALLMENT
    daily = inputs["interest_calculation_period"] == "DAILY"
    multiple = case["product_config"]["installment_amount_in_multiples_of"]
    return ScheduleTerms(
        principal=Money.of(_d(inputs["principal"])),
        annual_rate=Rate.from_percent(_d(inputs["annual_rate_pct"])),
        method=method,
        term=inputs["repayments"],
        start_date=date.fromisoformat(inputs["disbursement_date"]),
        first_due_date=date.fromisoformat(inputs["first_due_date"]),
        day_count=DayCount.ACT_365F if daily else None,
        grace_on_principal=inputs["grace_on_principal_periods"],
        rounding=RoundingMode.HALF_EVEN,
        # Fineract applies the multiple to level payments and flat totals, not to 等额本金.
        installment_multiple=None if method is AmortizationMethod.EQUAL_PRINCIPAL else _d(multiple),
    )


def _rows(schedule: RepaymentSchedule) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    return [
        (r.principal_due.amount, r.interest_due.amount, r.total_due.amount, r.balance_after.amount)
        for r in schedule.installments
    ]


@pytest.mark.parametrize("index", range(5), ids=lambda i: f"RS0{i + 1}")
def test_cumulative_schedule_matches_fineract(index: int) -> None:
    case = _case("cumulative_schedule_cases")[index]
    schedule = build_schedule(_cumulative_terms(case))
    expected = [
        (_d(e["principal"]), _d(e["interest"]), _d(e["total_due"]), _d(e["balance_after"]))
        for e in case["expected_schedule"]
    ]
    assert _rows(schedule) == expected
    due_dates = [r.due_date.strftime("%d %B %Y") for r in schedule.installments]
    assert due_dates == [e["due_date"] for e in case["expected_schedule"]]
    totals = case["expected_totals"]
    assert schedule.total_principal.amount == _d(totals["principal"])
    assert schedule.total_interest.amount == _d(totals["interest"])
    assert schedule.total_due.amount == _d(totals["due"])


def _progressive_basis(inputs: dict[str, Any]) -> tuple[DayCount | None, RepaymentFrequency]:
    unit = {"MONTHS": PeriodUnit.MONTHS, "WEEKS": PeriodUnit.WEEKS, "DAYS": PeriodUnit.DAYS}
    frequency = RepaymentFrequency(unit[inputs["repayment_frequency"]], inputs["repay_every"])
    year, month = inputs["days_in_year"], inputs["days_in_month"]
    if year == 360:
        return (DayCount.THIRTY_360 if month == 30 else DayCount.ACT_360), frequency
    if year == 365:
        return DayCount.ACT_365F, frequency
    if year == "ACTUAL":
        return DayCount.ACT_ACT_ISDA, frequency
    return None, frequency  # 364-day year: 7/364 is exactly 1/52 of a year


def _progressive_due_dates(case: dict[str, Any]) -> tuple[date, tuple[date, ...]]:
    periods = case["inputs"]["periods"]
    if case["id"] == "fineract-EMI-04":
        # The case lists ends 03-01, 04-01, … for periods 3–6, but its own rate factors (29, 31,
        # 30, 31 days in 2024) are those of 12th-to-12th months; the factors decide.
        return date(2023, 12, 12), tuple(date(2024, m, 12) for m in range(1, 7))
    return date.fromisoformat(periods[0][0]), tuple(date.fromisoformat(p[1]) for p in periods)


@pytest.mark.parametrize("index", range(8), ids=lambda i: f"EMI-0{i + 1}")
def test_progressive_emi_matches_fineract(index: int) -> None:
    case = _case("progressive_emi_cases")[index]
    inputs = case["inputs"]
    day_count, frequency = _progressive_basis(inputs)
    start, due_dates = _progressive_due_dates(case)
    terms = ScheduleTerms(
        principal=Money.of(_d(inputs["disbursements"][0][1]), "USD"),
        annual_rate=Rate.from_percent(_d(inputs["annual_rate_pct"])),
        method=AmortizationMethod.EQUAL_INSTALLMENT,
        term=len(due_dates),
        start_date=start,
        frequency=frequency,
        day_count=day_count,
        rounding=RoundingMode.HALF_EVEN,
        adjust_emi=True,
        due_dates=due_dates,
    )
    rows = build_schedule(terms).installments
    for row, expected in zip(rows, case["expected"], strict=False):
        assert row.total_due.amount == _d(expected["emi"]), f"period {expected['period']}"
        if expected["interest"] is not None:
            assert row.interest_due.amount == _d(expected["interest"])
            assert row.principal_due.amount == _d(expected["principal"])
            assert row.balance_after.amount == _d(expected["balance_after"])
    assert rows[-1].balance_after.is_zero()


def _factor_terms(day_count: DayCount) -> tuple[ScheduleTerms, list[tuple[date, date]]]:
    inputs = _case("rate_factor_cases")["inputs"]
    periods = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in inputs["periods"]]
    terms = ScheduleTerms(
        principal=Money.of(100),
        annual_rate=Rate.of(_d(inputs["annual_rate"])),
        method=AmortizationMethod.EQUAL_INSTALLMENT,
        term=len(periods),
        start_date=periods[0][0],
        day_count=day_count,
    )
    return terms, periods


@pytest.mark.parametrize(
    ("day_count", "key"),
    [
        (DayCount.ACT_365F, "days_in_year_365_days_in_month_actual"),
        (DayCount.ACT_ACT_ISDA, "days_in_year_actual_days_in_month_actual"),
    ],
)
def test_rate_factors_match_fineract_to_12_digits(day_count: DayCount, key: str) -> None:
    terms, periods = _factor_terms(day_count)
    expected = [Decimal(v) for v in _case("rate_factor_cases")["expected"][key]]
    # Fineract keeps 12 significant digits (MathContext 12); compare at that precision.
    assert [round(f, 12) for f in rate_factors(terms, periods)] == expected


def test_cumulative_annuity_factor_matches_fineract_fn_values() -> None:
    terms, periods = _factor_terms(DayCount.ACT_365F)
    factors = rate_factors(terms, periods)
    expected = [Decimal(v) for v in _case("rate_factor_cases")["expected"]["fn_values_365_actual"]]
    # fn_k = P·Π(1+r)/A over the first k periods; recover it from level_payment with P = 1.
    fn_values = []
    for k in range(1, len(factors) + 1):
        growth = Decimal(1)
        for factor in factors[:k]:
            growth *= 1 + factor
        fn_values.append(growth / level_payment(Decimal(1), factors[:k]))
    # Fineract carries 12 significant digits through the recursion, so the 11th decimal of
    # later values drifts by a unit; we carry 28.
    assert all(
        abs(ours - peer) < Decimal("1e-10") for ours, peer in zip(fn_values, expected, strict=True)
    )


def test_month_end_due_dates_keep_the_seed_day() -> None:
    monthly = RepaymentFrequency(PeriodUnit.MONTHS, 1)
    for case in _case("due_date_cases")["cases"]:
        first = date.fromisoformat(case["first_repayment_date"])
        expected = case.get("expected_due_dates") or case["expected_due_dates_first5"]
        dates = scheduled_dates(date(first.year, first.month, 1), monthly, len(expected), first)
        assert [d.isoformat() for d in dates] == expected
