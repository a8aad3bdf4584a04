"""End-of-day for one loan and one business date: accrue, fall due, apply overpayments, age,
classify, post.

Idempotent per date: the loan keeps `last_closed_date` (Fineract's COB keeps the last closed
business date per loan), so running a date again changes nothing, and a date after a gap closes
every missing day in order — the way a crashed run resumes.
"""

from __future__ import annotations

from datetime import date, timedelta

from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.accrual import accrue_to
from creditfactory.servicing.delinquency import age, fall_due
from creditfactory.servicing.loan import Loan, LoanStatus
from creditfactory.servicing.repayment import apply_overpayment

__all__ = ["close_day", "run_end_of_day"]


def close_day(loan: Loan, d: date) -> list[JournalEntry]:
    """Close exactly one business date `d` (the next one after `last_closed_date`)."""
    entries = accrue_to(loan, d)
    fall_due(loan, d)
    entries += apply_overpayment(loan, d)
    if loan.status is LoanStatus.ACTIVE:
        entries += age(loan, d)
    loan.last_closed_date = d
    return entries


def run_end_of_day(loan: Loan, business_date: date) -> list[JournalEntry]:
    """Close every business date of `loan` up to and including `business_date`.

    returns: the journal entries posted (empty when already closed or the loan is not active).
    """
    entries: list[JournalEntry] = []
    while loan.status is LoanStatus.ACTIVE and loan.last_closed_date is not None:
        next_date = loan.last_closed_date + timedelta(days=1)
        if next_date > business_date:
            break
        entries += close_day(loan, next_date)
    return entries
