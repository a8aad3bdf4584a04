"""Invariants of the servicing engine under generated histories (hypothesis).

After any sequence of disbursements, end-of-day runs, repayments and prepayments:
- every journal entry balances and the trial balance is zero;
- each loan's balances equal its ledger sub-accounts (the sub-ledger equals the GL);
- nothing is overpaid, principal never goes negative, scheduled principal sums to the loan;
- running end-of-day again for a closed date changes nothing.

An operation the engine refuses (a repayment above what is owed, keeping the installment of an
interest-only loan, …) is rolled back as the unit of work does: the loan as it was, no entries.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.servicing_fixtures import assert_books_match, term_loan

from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.eod import run_end_of_day
from creditfactory.servicing.errors import ServicingError
from creditfactory.servicing.loan import Loan, LoanStatus
from creditfactory.servicing.prepayment import PrepaymentKeep, payoff_quote, prepay
from creditfactory.servicing.repayment import disburse, recover, repay, write_off
from creditfactory.servicing.schedules import AmortizationMethod

START = date(2024, 1, 31)

actions = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=45),  # days to advance
        st.sampled_from(
            ["none", "repay", "prepay_term", "prepay_installment", "payoff", "write_off", "recover"]
        ),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000"), places=2),
    ),
    max_size=12,
)

loans = st.builds(
    term_loan,
    principal=st.sampled_from(["1000", "50000", "123456.78", "100000"]),
    rate=st.sampled_from(["0.0345", "0.0445", "0.12", "0.2399"]),
    term=st.integers(min_value=1, max_value=18),
    method=st.sampled_from(list(AmortizationMethod)),
)


def _apply(loan: Loan, day: date, action: str, amount: Decimal) -> list[JournalEntry]:
    if loan.status is LoanStatus.WRITTEN_OFF and action == "recover":
        return recover(loan, amount, day)
    if loan.status is not LoanStatus.ACTIVE or action in ("none", "recover"):
        return []
    if action == "write_off":
        return write_off(loan, day)
    if action == "repay":
        return repay(loan, amount, day)
    if action == "payoff":
        return prepay(loan, payoff_quote(loan, day).total, day)
    keep = PrepaymentKeep.TERM if action == "prepay_term" else PrepaymentKeep.INSTALLMENT
    return prepay(loan, amount, day, keep)


def _apply_or_roll_back(
    loan: Loan, day: date, action: str, amount: Decimal
) -> tuple[Loan, list[JournalEntry]]:
    before = copy.deepcopy(loan)
    try:
        return loan, _apply(loan, day, action, amount)
    except ServicingError:
        return before, []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loan=loans, steps=actions)
def test_books_balance_after_any_history(loan: Loan, steps: list[tuple[int, str, Decimal]]) -> None:
    assert sum(r.principal_due for r in loan.installments) == loan.principal
    entries = disburse(loan, START)
    day = START
    for advance, action, amount in steps:
        day += timedelta(days=advance)
        entries += run_end_of_day(loan, day - timedelta(days=1))
        loan, done = _apply_or_roll_back(loan, day, action, amount)
        entries += done
        entries += run_end_of_day(loan, day)
        for row in loan.installments:
            assert Decimal(0) <= row.principal_paid <= row.principal_due
            assert Decimal(0) <= row.interest_paid <= row.interest_due
        assert loan.principal_outstanding >= 0
        assert sum(r.principal_due for r in loan.installments) == loan.principal
    entries += run_end_of_day(loan, day)
    before = copy.deepcopy(loan)
    assert run_end_of_day(loan, day) == []
    assert loan == before
    assert_books_match([loan], entries)
    if loan.status is LoanStatus.CLOSED:
        assert loan.principal_outstanding == 0 and loan.allowance == 0
