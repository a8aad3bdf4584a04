"""Builders shared by the servicing tests: a booked term loan, a ledger check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.ledger.journal import JournalEntry, balances
from creditfactory.servicing.loan import InstallmentState, Loan
from creditfactory.servicing.products import SME_TERM_LOAN, LoanProduct
from creditfactory.servicing.schedules import AmortizationMethod, ScheduleTerms, build_schedule


def term_loan(
    principal: str = "100000",
    rate: str = "0.0445",
    term: int = 12,
    start: date = date(2024, 1, 31),
    method: AmortizationMethod = AmortizationMethod.EQUAL_INSTALLMENT,
    product: LoanProduct = SME_TERM_LOAN,
    loan_id: str = "loan_1",
) -> Loan:
    """An approved loan with its contract schedule (monthly basis).

    The product carries the schedule's method: servicing reschedules by `product.method`, so a
    loan built with another method than its product's would be inconsistent.
    """
    product = replace(product, method=method.value)
    terms = ScheduleTerms(
        principal=Money.of(principal),
        annual_rate=Rate.of(rate),
        term=term,
        method=method,
        disbursement_date=start,
    )
    return Loan.from_schedule(loan_id, "borrower_1", product, build_schedule(terms), Rate.of(rate))


def manual_loan(principal: str, rate: str, start: date, rows: list[tuple[date, str, str]]) -> Loan:
    """A loan with explicit installments (due date, principal, interest)."""
    states = []
    previous = start
    for seq, (due, p, i) in enumerate(rows, start=1):
        states.append(InstallmentState(seq, previous, due, due, Decimal(p), Decimal(i)))
        previous = due
    return Loan(
        loan_id="loan_m",
        borrower_id="borrower_m",
        product=SME_TERM_LOAN,
        principal=Decimal(principal),
        annual_rate=Rate.of(rate),
        disbursement_date=start,
        installments=states,
    )


def assert_books_match(loans: Iterable[Loan], entries: list[JournalEntry]) -> None:
    """Trial balance is zero and every loan's sub-ledger equals its balances."""
    by_account = balances(entries)
    assert sum((m.amount for m in by_account.values()), Decimal(0)) == 0
    by_loan = balances(entries, by_subledger=True)
    for loan in loans:
        for account, expected in loan.subledger_balances().items():
            got = by_loan.get((account, loan.loan_id), Money.zero(loan.currency))
            assert got == expected, (loan.loan_id, account, got, expected)
