"""Loan operations with hand-checked figures: lifecycle, allocation orders, partial payment,
overpayment, prepayment (keep term / keep installment), payoff, write-off and recovery, facilities."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.servicing_fixtures import assert_books_match, term_loan

from creditfactory.ledger import A
from creditfactory.servicing.allocation import AllocationOrder, Due, allocate
from creditfactory.servicing.eod import run_end_of_day
from creditfactory.servicing.facility import CreditFacility
from creditfactory.servicing.loan import LoanStatus
from creditfactory.servicing.loan_errors import (
    BusinessDateOutOfOrder,
    InvalidLoanTransition,
    LimitExceeded,
    RepaymentRejected,
)
from creditfactory.servicing.prepayment import (
    PrepaymentKeep,
    accelerate,
    amount_due,
    payoff_quote,
    prepay,
)
from creditfactory.servicing.products import SME_TERM_LOAN
from creditfactory.servicing.repayment import disburse, recover, repay, write_off

START = date(2024, 1, 31)
FIRST_DUE = date(2024, 2, 29)


def test_lifecycle_table_refuses_invalid_transitions() -> None:
    loan = term_loan()
    with pytest.raises(RepaymentRejected):
        repay(loan, Decimal("1.00"), START)  # approved, not active
    disburse(loan, START)
    with pytest.raises(InvalidLoanTransition):
        disburse(loan, START)  # active → active
    with pytest.raises(InvalidLoanTransition):
        loan.transition(LoanStatus.APPROVED)
    with pytest.raises(BusinessDateOutOfOrder):
        disburse(term_loan(loan_id="loan_2"), START + timedelta(days=1))


def test_allocation_orders_are_data() -> None:
    dues = [
        Due("loan", "penalty", Decimal("5.00")),
        Due("1", "interest", Decimal("10.00")),
        Due("1", "principal", Decimal("100.00")),
        Due("2", "interest", Decimal("8.00")),
    ]
    paid, left = allocate(Decimal("20.00"), dues, AllocationOrder.PENALTY_INTEREST_PRINCIPAL)
    assert [(d.key, d.component, d.amount) for d in paid] == [
        ("loan", "penalty", Decimal("5.00")),
        ("1", "interest", Decimal("10.00")),
        ("2", "interest", Decimal("5.00")),
    ]
    assert left == 0
    paid, left = allocate(Decimal("200.00"), dues, AllocationOrder.PRINCIPAL_INTEREST_PENALTY)
    assert paid[0] == Due("1", "principal", Decimal("100.00"))
    assert left == Decimal("77.00")


def test_partial_payment_leaves_the_installment_overdue() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += run_end_of_day(loan, FIRST_DUE)
    entries += repay(loan, Decimal("500.00"), FIRST_DUE)  # interest 370.83 first, then 129.17
    first = loan.installments[0]
    assert (first.interest_paid, first.principal_paid) == (Decimal("370.83"), Decimal("129.17"))
    entries += run_end_of_day(loan, FIRST_DUE + timedelta(days=3))
    assert loan.dpd == 3
    # penalty on 8164.73 − 129.17 = 8035.56 overdue principal, 3 days at 6.675 %/360 = 4.47
    assert loan.penalty_posted == Decimal("4.47")
    assert_books_match([loan], entries)


def test_overpayment_is_held_then_applied_when_the_next_installment_falls_due() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += repay(loan, Decimal("10000.00"), FIRST_DUE)  # 8535.56 due, 1464.44 held
    assert loan.overpayment == Decimal("1464.44")
    entries += run_end_of_day(loan, date(2024, 3, 31))  # 2nd installment falls due
    second = loan.installments[1]
    assert loan.overpayment == 0
    assert second.interest_paid == Decimal("340.56")
    assert second.principal_paid == Decimal("1464.44") - Decimal("340.56")
    assert_books_match([loan], entries)


def test_prepayment_keeping_the_term_lowers_the_installment() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += repay(loan, Decimal("8535.56"), FIRST_DUE)
    entries += run_end_of_day(loan, date(2024, 3, 15))
    quote = payoff_quote(loan, date(2024, 3, 15))
    # 15 of 31 days of installment 2's interest 340.56 → 164.79 accrued
    assert (quote.principal, quote.interest) == (Decimal("91835.27"), Decimal("164.79"))
    entries += prepay(loan, Decimal("30000.00"), date(2024, 3, 15), PrepaymentKeep.TERM)
    settlement = loan.installments[1]
    assert (settlement.due_date, settlement.interest_due) == (date(2024, 3, 15), Decimal("164.79"))
    assert settlement.principal_due == Decimal("30000.00") - Decimal("164.79")
    remaining = loan.installments[2:]
    assert [r.due_date for r in remaining][-1] == date(2025, 1, 31)  # same maturity
    assert remaining[1].principal_due + remaining[1].interest_due < Decimal("8535.56")
    assert sum(r.principal_due for r in remaining) == loan.principal_outstanding
    assert_books_match([loan], entries)


def test_prepayment_keeping_the_installment_shortens_the_term() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += repay(loan, Decimal("8535.56"), FIRST_DUE)
    entries += prepay(
        loan, Decimal("30000.00"), FIRST_DUE + timedelta(days=15), PrepaymentKeep.INSTALLMENT
    )
    remaining = loan.installments[2:]
    assert remaining[-1].due_date < date(2025, 1, 31)
    assert all(r.principal_due + r.interest_due <= Decimal("8535.56") for r in remaining)
    assert_books_match([loan], entries)


def test_payoff_closes_the_loan_and_releases_the_allowance() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += run_end_of_day(loan, date(2024, 2, 10))
    due = payoff_quote(loan, date(2024, 2, 10))
    # 10 of 29 days of 370.83 = 127.87
    assert due.total == Decimal("100000.00") + Decimal("127.87")
    entries += prepay(loan, due.total, date(2024, 2, 10))
    assert loan.status is LoanStatus.CLOSED
    assert loan.allowance == 0
    assert_books_match([loan], entries)


def test_write_off_then_recovery() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += run_end_of_day(loan, FIRST_DUE + timedelta(days=120))  # 次级, non-accrual
    assert loan.non_accrual
    entries += write_off(loan, FIRST_DUE + timedelta(days=121))
    assert loan.status is LoanStatus.WRITTEN_OFF
    entries += recover(loan, Decimal("30000.00"), FIRST_DUE + timedelta(days=200))
    memo = sum(
        (p.amount.amount for e in entries for p in e.postings if p.account == A.WRITTEN_OFF_LOANS),
        Decimal(0),
    )
    assert memo == Decimal("100000.00") - Decimal("30000.00")
    assert_books_match([loan], entries)


def test_amount_due_includes_todays_penalty() -> None:
    loan = term_loan()
    disburse(loan, START)
    run_end_of_day(loan, FIRST_DUE + timedelta(days=9))
    owed = amount_due(loan, FIRST_DUE + timedelta(days=10))
    # 8535.56 + penalty 8164.73 × 0.06675/360 × 10 = 15.14 + compound 370.83 × … × 10 = 0.69
    assert owed == Decimal("8535.56") + Decimal("15.14") + Decimal("0.69")
    repay(loan, owed, FIRST_DUE + timedelta(days=10))
    assert loan.installments[0].settled and loan.penalty_receivable == 0


def test_without_compounding_only_principal_is_penalised() -> None:
    product = replace(SME_TERM_LOAN, compound_overdue_interest=False, penalty_markup=Decimal("0.3"))
    loan = term_loan(product=product)
    disburse(loan, START)
    run_end_of_day(loan, FIRST_DUE + timedelta(days=10))
    # 8164.73 × 4.45 % × 1.3 / 360 × 10 = 13.12
    assert (loan.penalty_posted, loan.compound_posted) == (Decimal("13.12"), Decimal("0.00"))


def test_facility_limit_and_freeze() -> None:
    facility = CreditFacility(
        "fac_1", "b1", "sme-revolving@2024.1", Decimal("500000"), START, START + timedelta(days=365)
    )
    facility.request_drawdown(Decimal("300000"), START, outstanding_principal=Decimal(0))
    facility.fund_drawdown(Decimal("300000"))
    assert facility.available_limit(Decimal("300000")) == Decimal("200000")
    assert facility.available_limit(Decimal("100000")) == Decimal("400000")  # repaid → revolves
    with pytest.raises(LimitExceeded):
        facility.request_drawdown(Decimal("200000.01"), START, Decimal("300000"))
    facility.freeze()
    with pytest.raises(InvalidLoanTransition):
        facility.request_drawdown(Decimal("1"), START, Decimal("300000"))
    with pytest.raises(LimitExceeded):
        replace(facility, status=facility.status.ACTIVE).request_drawdown(
            Decimal("1"), START + timedelta(days=400), Decimal(0)
        )


def test_acceleration_makes_everything_due_and_penalty_runs_on_it() -> None:
    loan = term_loan()
    entries = disburse(loan, START)
    entries += repay(loan, Decimal("8535.56"), FIRST_DUE)
    entries += run_end_of_day(loan, date(2024, 3, 10))
    entries += accelerate(loan, date(2024, 3, 10))
    last = loan.installments[-1]
    assert (last.due_date, last.principal_due) == (date(2024, 3, 10), Decimal("91835.27"))
    assert last.interest_due == Decimal("109.86")  # 10 of 31 days of 340.56
    entries += run_end_of_day(loan, date(2024, 3, 12))
    assert loan.dpd == 2
    # 2 days on 91835.27 at 6.675 %/360 = 34.06, plus compound on 109.86 = 0.04
    assert loan.penalty_receivable == Decimal("34.10")
    assert_books_match([loan], entries)


def test_a_repayment_beyond_everything_owed_is_refused() -> None:
    loan = term_loan()
    disburse(loan, START)
    # 100,000 principal + 2,426.80 scheduled interest is all the contract can still ask for
    with pytest.raises(RepaymentRejected, match="exceeds everything"):
        repay(loan, Decimal("102426.81"), FIRST_DUE)
    repay(loan, Decimal("102426.80"), FIRST_DUE)  # the whole contract, paid in advance: accepted
    assert loan.overpayment == Decimal("102426.80") - Decimal("8535.56")
