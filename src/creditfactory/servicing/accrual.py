"""Daily accrual: contractual interest, penalty interest (罚息) and compound interest (复利).

Contractual interest of an installment is recognised evenly over its accrual period:
accrued(d) = round_half_up(interest_due × elapsed_days / period_days), so it reaches the scheduled
interest exactly on the period end (and at the due date at the latest). Penalty and compound
interest accrue per calendar day on the amounts overdue during that day (installments whose due
date is before the day) at annual_rate × (1 + markup) / days_in_year, each day's increment kept
unrounded at 1e-10 in a carry; what is posted is the rounded carry minus what was posted before,
so rounding never drifts (source: 银发〔2003〕251号 for the penalty and compounding rules;
DOMAIN.md §3.3–3.4 for ACT/360).

While a loan is non-accrual (DPD ≥ the product's threshold, normally 91) the same amounts are
recognised off balance sheet (表外应收利息) instead of as income.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from creditfactory.kernel.daycount import DayCount
from creditfactory.ledger.accounts import A
from creditfactory.ledger.journal import JournalEntry, Posting
from creditfactory.servicing.events import InterestAccrued
from creditfactory.servicing.loan import ZERO, InstallmentState, Loan

__all__ = ["CARRY_QUANTUM", "accrue_to", "daily_increment", "days_in_year", "interest_accrued_at"]

CARRY_QUANTUM = Decimal("1E-10")
CENT = Decimal("0.01")


def days_in_year(day_count: DayCount) -> int:
    """The daily-rate denominator: 365 for ACT_365F, 360 otherwise (日利率 = 年利率 ÷ 360)."""
    return 365 if day_count is DayCount.ACT_365F else 360


def daily_increment(balance: Decimal, annual_rate: Decimal, year_days: int) -> Decimal:
    """One day's interest on `balance`, unrounded but quantised half-up to 1e-10."""
    return (balance * annual_rate / year_days).quantize(CARRY_QUANTUM, rounding=ROUND_HALF_UP)


def interest_accrued_at(installment: InstallmentState, d: date) -> Decimal:
    """Contractual interest of `installment` recognised by the end of day `d` (0.01)."""
    if d >= installment.period_end or d >= installment.due_date:
        return installment.interest_due
    if d <= installment.period_start:
        return ZERO
    elapsed = (d - installment.period_start).days
    days = (installment.period_end - installment.period_start).days
    return (installment.interest_due * elapsed / days).quantize(CENT, rounding=ROUND_HALF_UP)


def _accrue_interest(loan: Loan, d: date) -> Decimal:
    total = ZERO
    for row in loan.installments:
        if row.interest_accrued >= row.interest_due or row.period_start >= d:
            continue
        target = interest_accrued_at(row, d)
        total += target - row.interest_accrued
        row.interest_accrued = target
    return total


def _overdue_on(loan: Loan, day: date) -> tuple[Decimal, Decimal]:
    """(principal, interest) overdue during `day`: unpaid on installments due before it."""
    principal = interest = ZERO
    for row in loan.installments:
        if row.due_date < day:
            principal += row.principal_unpaid
            interest += row.interest_unpaid
    return principal, interest


def _accrue_penalty(loan: Loan, start: date, end: date) -> tuple[Decimal, Decimal]:
    """Penalty and compound posted for days (start, end]; updates the carries."""
    rate = loan.penalty_rate.value
    year_days = days_in_year(loan.product.day_count)
    day = start + timedelta(days=1)
    while day <= end:
        principal, interest = _overdue_on(loan, day)
        loan.penalty_carry += daily_increment(principal, rate, year_days)
        if loan.product.compound_overdue_interest:
            loan.compound_carry += daily_increment(interest, rate, year_days)
        day += timedelta(days=1)
    penalty = loan.penalty_carry.quantize(CENT, rounding=ROUND_HALF_UP) - loan.penalty_posted
    compound = loan.compound_carry.quantize(CENT, rounding=ROUND_HALF_UP) - loan.compound_posted
    loan.penalty_posted += penalty
    loan.compound_posted += compound
    return penalty, compound


def accrual_postings(loan: Loan, interest: Decimal, penalty: Decimal) -> list[Posting]:
    """Legs recognising `interest` and `penalty` (+ compound) on or off balance sheet."""
    if loan.non_accrual:
        memo = interest + penalty
        return [loan.dr(A.OFF_BALANCE_INTEREST, memo), loan.cr(A.OFF_BALANCE_INTEREST_CONTRA, memo)]
    return [
        loan.dr(A.INTEREST_RECEIVABLE, interest),
        loan.cr(A.INTEREST_INCOME, interest),
        loan.dr(A.PENALTY_RECEIVABLE, penalty),
        loan.cr(A.PENALTY_INCOME, penalty),
    ]


def accrue_to(loan: Loan, d: date) -> list[JournalEntry]:
    """Bring every accrual of `loan` up to the end of day `d` (idempotent for the same `d`).

    returns: zero or one journal entry ("InterestAccrued").
    """
    start = loan.accrued_through or loan.disbursement_date
    if d <= start:
        return []
    interest = _accrue_interest(loan, d)
    penalty, compound = _accrue_penalty(loan, start, d)
    loan.accrued_through = d
    entry = loan.entry(d, "InterestAccrued", accrual_postings(loan, interest, penalty + compound))
    if entry is None:
        return []
    loan.events.append(
        InterestAccrued(
            loan.loan_id, d, str(interest), str(penalty), str(compound), loan.non_accrual
        )
    )
    return [entry]
