"""Installment-level DPD and delinquency ranges against Apache Fineract's e2e scenario
(../shared/cases/delinquency_fineract.json), and the loan's DPD, grade and non-accrual path."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.servicing_fixtures import assert_books_match, manual_loan, term_loan
from tests.shared import load_case

from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.delinquency import (
    DelinquencyRange,
    installment_days_past_due,
    installment_delinquency,
)
from creditfactory.servicing.eod import run_end_of_day
from creditfactory.servicing.loan import Loan
from creditfactory.servicing.repayment import disburse, repay


def _fineract_loan() -> tuple[Loan, list[DelinquencyRange], dict]:
    case = load_case("delinquency_fineract.json")
    ranges = [
        DelinquencyRange(r["name"], r["min_days"], r["max_days"])
        for r in case["delinquency_ranges_days_past_due"]
    ]
    start = date.fromisoformat(case["loan"]["disbursed"])
    rows = [
        (date.fromisoformat(i["due"]), f"{i['amount']:.2f}", "0.00")
        for i in case["loan"]["schedule"]
    ]
    # Fineract books the down payment as installment 1 due on the disbursement date.
    loan = manual_loan(str(case["loan"]["principal"]), "0", start - timedelta(days=1), rows)
    loan.disbursement_date = start - timedelta(days=1)
    disburse(loan, loan.disbursement_date)
    return loan, ranges, case


@pytest.mark.parametrize("snapshot", [0, 1], ids=["fineract-2023-11-16", "fineract-2023-12-16"])
def test_installment_level_delinquency_matches_fineract(snapshot: int) -> None:
    loan, ranges, case = _fineract_loan()
    snap = case["snapshots"][snapshot]
    business_date = date.fromisoformat(snap["business_date"])
    run_end_of_day(loan, business_date)
    expected = {
        k: Decimal(f"{v:.2f}") for k, v in snap["expected_installment_level_delinquency"].items()
    }
    assert installment_delinquency(loan, business_date, ranges) == expected
    per_installment = {i["n"]: i["dpd"] for i in snap["derived_per_installment_dpd"]}
    assert installment_days_past_due(loan, business_date) == per_installment


def test_full_repayment_clears_delinquency() -> None:
    loan, ranges, case = _fineract_loan()
    paid_on = date.fromisoformat(case["after_full_repayment"]["date"])
    run_end_of_day(loan, paid_on - timedelta(days=1))
    repay(loan, Decimal(f"{case['after_full_repayment']['repayment']:.2f}"), paid_on)
    assert installment_delinquency(loan, paid_on, ranges) == {}


def test_grade_path_of_an_unpaid_loan_follows_the_floors() -> None:
    loan = term_loan(term=12)
    entries = disburse(loan, loan.disbursement_date)
    first_due = loan.installments[0].due_date  # 2024-02-29
    path: dict[int, LoanGrade] = {}
    day = loan.disbursement_date
    while day < first_due + timedelta(days=400):
        day += timedelta(days=1)
        entries += run_end_of_day(loan, day)
        path.setdefault(loan.dpd, loan.grade)
    assert path[0] is LoanGrade.PASS
    assert path[1] is LoanGrade.SPECIAL_MENTION
    assert path[90] is LoanGrade.SPECIAL_MENTION
    assert path[91] is LoanGrade.SUBSTANDARD
    assert path[271] is LoanGrade.DOUBTFUL
    assert path[361] is LoanGrade.LOSS
    assert loan.non_accrual  # > 90 DPD: interest off balance sheet
    assert loan.allowance == loan.principal_outstanding  # 损失: 100 % allowance
    assert_books_match([loan], entries)
