"""Schedules against Apache Fineract's published numbers (../shared/cases/schedules_fineract.json).

Peer settings used where our conventions differ (docs/schedules.md):
- RS01–RS05: interest_basis MONTHLY reproduces "same as repayment period" (1 % a month);
  RS03 ("daily") uses the DAILY basis with ACT_365F: Fineract's days-in-year ACTUAL gave 365 for
  the 2024 (leap-year) periods of that scenario (e.g. period 16: 894.75 × 12 % × 29/365 = 8.53,
  where /366 would give 8.51). The installment multiple is 1 (installmentAmountInMultiplesOf).
- EMI-01..08 and GEN-01 run `build_progressive_schedule` with `tvm.fineract_rate_factor`
  (explicit periods, HALF_EVEN, 12-digit arithmetic, Fineract's EMI adjustment).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from tests.shared import load_case

from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.duedates import FrequencyUnit, due_dates
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    InterestBasis,
    InterestType,
    ScheduleTerms,
    build_progressive_schedule,
    build_schedule,
)
from creditfactory.servicing.tvm import FINERACT_CONTEXT, fineract_rate_factor

CASES = load_case("schedules_fineract.json")


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["id"] for case in cases]


def _terms_for_rs(case: dict[str, Any]) -> ScheduleTerms:
    inputs = case["inputs"]
    equal_principal = inputs["amortization"] == "EQUAL_PRINCIPAL_PAYMENTS"
    daily = inputs["interest_calculation_period"] == "DAILY"
    return ScheduleTerms(
        principal=Money.of(_d(inputs["principal"])),
        annual_rate=Rate.from_percent(_d(inputs["annual_rate_pct"])),
        term=inputs["repayments"],
        method=AmortizationMethod.EQUAL_PRINCIPAL
        if equal_principal
        else AmortizationMethod.EQUAL_INSTALLMENT,
        disbursement_date=date.fromisoformat(inputs["disbursement_date"]),
        first_due_date=date.fromisoformat(inputs["first_due_date"]),
        day_count=DayCount.ACT_365F,
        interest_basis=InterestBasis.DAILY if daily else InterestBasis.MONTHLY,
        interest_type=InterestType.FLAT
        if inputs["interest_type"] == "FLAT"
        else InterestType.DECLINING_BALANCE,
        installment_multiple=_d(case["product_config"]["installment_amount_in_multiples_of"]),
        grace_on_principal_periods=inputs["grace_on_principal_periods"],
    )


@pytest.mark.parametrize(
    "case", CASES["cumulative_schedule_cases"], ids=_ids(CASES["cumulative_schedule_cases"])
)
def test_cumulative_schedule(case: dict[str, Any]) -> None:
    schedule = build_schedule(_terms_for_rs(case))
    got = [
        (
            row.due_date,
            row.principal_due.amount,
            row.interest_due.amount,
            row.installment.amount,
            row.outstanding.amount,
        )
        for row in schedule.installments
    ]
    expected = [
        (
            datetime.strptime(row["due_date"], "%d %B %Y").date(),
            _d(row["principal"]),
            _d(row["interest"]),
            _d(row["total_due"]),
            _d(row["balance_after"]),
        )
        for row in case["expected_schedule"]
    ]
    assert got == expected
    totals = case["expected_totals"]
    assert schedule.total_principal.amount == _d(totals["principal"])
    assert schedule.total_interest.amount == _d(totals["interest"])
    assert schedule.total_due.amount == _d(totals["due"])


def _factor(inputs: dict[str, Any], start: date, end: date, interest_start: date | None) -> Decimal:
    days_in_year = inputs["days_in_year"]
    days_in_month = inputs["days_in_month"]
    return fineract_rate_factor(
        Rate.from_percent(_d(inputs["annual_rate_pct"])).value,
        start,
        end,
        unit=FrequencyUnit(inputs["repayment_frequency"].lower()),
        every=inputs["repay_every"],
        days_in_year=None if days_in_year == "ACTUAL" else days_in_year,
        days_in_month=days_in_month if isinstance(days_in_month, int) else None,
        interest_start=interest_start,
    )


def _periods(raw: list[list[str]]) -> list[tuple[date, date]]:
    return [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in raw]


@pytest.mark.parametrize(
    "case", CASES["progressive_emi_cases"], ids=_ids(CASES["progressive_emi_cases"])
)
def test_progressive_emi(case: dict[str, Any]) -> None:
    inputs = case["inputs"]
    periods = _periods(inputs["periods"])
    factors = [_factor(inputs, a, b, None) for a, b in periods]
    principal = Money.of(_d(inputs["disbursements"][0][1]))
    schedule = build_progressive_schedule(principal, periods, factors)
    for row, expected in zip(schedule.installments, case["expected"], strict=False):
        got = {
            "emi": row.installment.amount,
            "interest": row.interest_due.amount,
            "principal": row.principal_due.amount,
            "balance_after": row.outstanding.amount,
        }
        for name, value in got.items():
            if expected[name] is not None:
                assert value == _d(expected[name]), (expected["period"], name)
    assert schedule.installments[-1].outstanding.is_zero()
    assert schedule.total_principal == principal


@pytest.mark.parametrize(
    "case", CASES["schedule_generator_cases"], ids=_ids(CASES["schedule_generator_cases"])
)
def test_schedule_generator(case: dict[str, Any]) -> None:
    """Disbursed inside the first period: that period's factor × actual/calculated days."""
    inputs = case["inputs"]
    disbursed_on = date.fromisoformat(inputs["disbursements"][0][0])
    periods = [
        (date.fromisoformat(r["from"]), date.fromisoformat(r["due"])) for r in case["expected"]
    ]
    factors = [
        _factor(inputs, a, b, disbursed_on if a < disbursed_on < b else None) for a, b in periods
    ]
    principal = Money.of(_d(inputs["disbursements"][0][1]))
    schedule = build_progressive_schedule(principal, periods, factors)
    got = [
        (r.principal_due.amount, r.interest_due.amount, r.installment.amount, r.outstanding.amount)
        for r in schedule.installments
    ]
    expected = [
        (_d(r["principal"]), _d(r["interest"]), _d(r["total_due"]), _d(r["balance_after"]))
        for r in case["expected"]
    ]
    assert got == expected


RATE_CASE = CASES["rate_factor_cases"]


@pytest.mark.parametrize(
    ("key", "days_in_year"),
    [
        ("days_in_year_365_days_in_month_actual", 365),
        ("days_in_year_actual_days_in_month_actual", None),
    ],
    ids=[f"{RATE_CASE['id']}-365", f"{RATE_CASE['id']}-ACTUAL"],
)
def test_rate_factors(key: str, days_in_year: int | None) -> None:
    rate = _d(RATE_CASE["inputs"]["annual_rate"])
    got = [
        fineract_rate_factor(rate, a, b, days_in_year=days_in_year)
        for a, b in _periods(RATE_CASE["inputs"]["periods"])
    ]
    assert got == [Decimal(x) for x in RATE_CASE["expected"][key]]


def test_rate_factor_fn_values() -> None:
    """fn(k) = 1 + fn(k−1)·(1 + r_k), the cumulative annuity factor (id fineract-RATEFACTOR)."""
    rate = _d(RATE_CASE["inputs"]["annual_rate"])
    factors = [
        fineract_rate_factor(rate, a, b, days_in_year=365)
        for a, b in _periods(RATE_CASE["inputs"]["periods"])
    ]
    fn, values = Decimal(1), [Decimal(1)]
    for factor in factors[1:]:
        plus_one = FINERACT_CONTEXT.add(1, factor)  # 12 significant digits, as Fineract
        fn = FINERACT_CONTEXT.add(1, FINERACT_CONTEXT.multiply(fn, plus_one))
        values.append(fn)
    assert values == [Decimal(x) for x in RATE_CASE["expected"]["fn_values_365_actual"]]


DUE = CASES["due_date_cases"]


@pytest.mark.parametrize(
    "case", DUE["cases"], ids=[f"{DUE['id']}-{c['first_repayment_date']}" for c in DUE["cases"]]
)
def test_month_end_due_dates(case: dict[str, Any]) -> None:
    expected = case.get("expected_due_dates") or case["expected_due_dates_first5"]
    got = due_dates(date.fromisoformat(case["first_repayment_date"]), len(expected))
    assert got == [date.fromisoformat(d) for d in expected]
