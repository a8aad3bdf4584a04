"""Published Chinese loan-calculator answers (../shared/cases/china_loan_calculator_examples.json).

Three totals conventions meet here:
- U: total = unrounded installment × n, rounded once at the end (the published 等额本息 totals);
- R: total = rounded installment × n;
- ours (the schedule): each period's interest rounded to 分 and the last installment absorbing the
  residue, so the schedule's total differs from U by less than n × 0.005.
等额本金 totals are published from the closed form r·P·(n+1)/2 (no per-period rounding).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from tests.shared import load_case

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    RepaymentSchedule,
    ScheduleTerms,
    build_schedule,
)
from creditfactory.servicing.tvm import level_payment

CASES = load_case("china_loan_calculator_examples.json")["cases"]
CENT = Decimal("0.01")


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _schedule(case: dict[str, Any], method: AmortizationMethod) -> RepaymentSchedule:
    terms = ScheduleTerms(
        Money.of(_d(case["principal"])),
        Rate.of(_d(case["annual_rate"])),
        case["months"],
        method,
        date(2024, 1, 15),
    )
    return build_schedule(terms)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_equal_installment(case: dict[str, Any]) -> None:
    published = case["equal_installment"]
    schedule = _schedule(case, AmortizationMethod.EQUAL_INSTALLMENT)
    n, principal = case["months"], _d(case["principal"])
    assert schedule.level_installment == Money.of(_d(published["monthly"]))
    unrounded = level_payment(principal, [_d(case["annual_rate"]) / 12] * n)
    assert published["total_convention"] == "U"
    total_u = (unrounded * n).quantize(CENT, rounding=ROUND_HALF_UP)
    assert total_u == _d(published["total_repayment"])
    assert total_u - principal == _d(published["total_interest"])
    # ours: within n × half a cent of U
    assert abs(schedule.total_due.amount - total_u) < n * Decimal("0.005")
    assert schedule.total_principal.amount == principal


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if "equal_principal" in c],
    ids=[c["id"] for c in CASES if "equal_principal" in c],
)
def test_equal_principal(case: dict[str, Any]) -> None:
    published = case["equal_principal"]
    schedule = _schedule(case, AmortizationMethod.EQUAL_PRINCIPAL)
    rows = schedule.installments
    n, principal, rate = case["months"], _d(case["principal"]), _d(case["annual_rate"]) / 12
    assert rows[0].installment.amount == _d(published["first_installment"])
    decrement = rows[0].installment.amount - rows[1].installment.amount
    assert decrement == _d(published["monthly_decrement"])
    closed_form = (rate * principal * (n + 1) / 2).quantize(CENT, rounding=ROUND_HALF_UP)
    assert closed_form == _d(published["total_interest"])
    assert closed_form + principal == _d(published["total_repayment"])
    # ours rounds each month's interest: within n × half a cent of the closed form
    assert abs(schedule.total_interest.amount - closed_form) < n * Decimal("0.005")
    assert schedule.total_principal.amount == principal
