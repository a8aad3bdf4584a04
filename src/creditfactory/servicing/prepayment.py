"""Prepayment (提前还款), payoff quotes and acceleration (加速到期).

A prepayment on date d first pays everything due (as a repayment), then settles the current
period: the interest accrued from the period start to d is charged, and the rest reduces
principal. The current installment is replaced by a settlement installment due on d, and the
remaining balance is re-amortised over the remaining contract due dates:
- `PrepaymentKeep.TERM`: same due dates, lower installment (等额本息: new level payment);
- `PrepaymentKeep.INSTALLMENT`: same installment (or principal per period for 等额本金), fewer
  periods — the term shortens.
The first re-amortised period is broken: it runs from d to the next due date and is charged at
the daily rate (`schedules.reamortize`'s convention for odd days).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditfactory.ledger.accounts import A
from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.accrual import accrue_to
from creditfactory.servicing.allocation import allocate
from creditfactory.servicing.loan import ZERO, InstallmentState, Loan
from creditfactory.servicing.repayment import (
    apply_payment,
    check_payable,
    close_if_repaid,
    dues_on,
    payment_legs,
)
from creditfactory.servicing.schedules import AmortizationMethod, InterestBasis, reamortize

__all__ = [
    "PayoffQuote",
    "PrepaymentKeep",
    "accelerate",
    "amount_due",
    "payoff_quote",
    "prepay",
]


class PrepaymentKeep(str, Enum):
    """What a partial prepayment keeps: the term (lower installment) or the installment."""

    TERM = "term"
    INSTALLMENT = "installment"


@dataclass(frozen=True)
class PayoffQuote:
    """Amounts to close the loan on `as_of` (CNY, 0.01)."""

    as_of: date
    principal: Decimal
    interest: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        """Principal + interest + penalty."""
        return self.principal + self.interest + self.penalty


def amount_due(loan: Loan, as_of: date) -> Decimal:
    """What is due on or before `as_of` — unpaid principal and interest of fallen-due installments
    plus penalty and compound interest accrued to that date — without changing the loan."""
    probe = copy.deepcopy(loan)
    accrue_to(probe, as_of)
    return sum((due.amount for due in dues_on(probe, as_of)), ZERO)


def payoff_quote(loan: Loan, as_of: date) -> PayoffQuote:
    """What paying the loan off on `as_of` costs, without changing the loan."""
    probe = copy.deepcopy(loan)
    accrue_to(probe, as_of)
    interest = sum(
        (r.interest_accrued - r.interest_paid for r in probe.installments if not r.settled), ZERO
    )
    return PayoffQuote(as_of, probe.principal_outstanding, interest, probe.penalty_receivable)


def _reschedule(
    loan: Loan, d: date, current: InstallmentState, paid_principal: Decimal, keep: PrepaymentKeep
) -> None:
    future = [r for r in loan.installments if r.seq >= current.seq]
    past = [r for r in loan.installments if r.seq < current.seq]
    interest = current.interest_accrued
    settlement = InstallmentState(
        seq=current.seq,
        period_start=current.period_start,
        period_end=d,
        due_date=d,
        principal_due=paid_principal,
        interest_due=interest,
        principal_paid=paid_principal,
        interest_paid=interest,
        interest_accrued=interest,
        fell_due=True,
    )
    balance = sum((r.principal_unpaid for r in future), ZERO) - paid_principal
    rows: list[InstallmentState] = []
    if balance > 0:
        product = loan.product
        kept = current.principal_due if product.method == "equal_principal" else None
        schedule = reamortize(
            loan.money(balance),
            loan.annual_rate,
            d,
            [r.due_date for r in future],
            AmortizationMethod(product.method),
            keep=keep.value,
            current_installment=loan.money(kept or current.principal_due + current.interest_due),
            day_count=product.day_count,
            interest_basis=InterestBasis(product.interest_basis),
            rounding=product.rounding,
        )
        rows = [
            InstallmentState(
                seq=current.seq + i.seq,
                period_start=i.period_start,
                period_end=i.due_date,
                due_date=i.due_date,
                principal_due=i.principal_due.amount,
                interest_due=i.interest_due.amount,
            )
            for i in schedule.installments
        ]
    loan.installments = [*past, settlement, *rows]


def accelerate(loan: Loan, d: date) -> list[JournalEntry]:
    """加速到期: declare everything due on `d` (an early-warning or default action).

    The installments not yet due are replaced by one installment due on `d` carrying all their
    principal and the current period's interest accrued to `d`; contractual interest stops there,
    and penalty interest runs on the whole principal from the next day.
    returns the accrual entry (if any). raises RepaymentRejected unless the loan is active.
    """
    check_payable(loan, Decimal("0.01"), d)
    entries = accrue_to(loan, d)
    future = [r for r in loan.installments if r.due_date > d and not r.settled]
    if not future:
        return entries
    current = future[0]
    due_now = InstallmentState(
        seq=current.seq,
        period_start=current.period_start,
        period_end=d,
        due_date=d,
        principal_due=sum((r.principal_due for r in future), ZERO),
        interest_due=current.interest_accrued,
        principal_paid=sum((r.principal_paid for r in future), ZERO),
        interest_paid=current.interest_paid,
        interest_accrued=current.interest_accrued,
        fell_due=True,
    )
    loan.installments = [r for r in loan.installments if r.seq < current.seq] + [due_now]
    return entries


def prepay(
    loan: Loan, amount: Decimal, d: date, keep: PrepaymentKeep = PrepaymentKeep.TERM
) -> list[JournalEntry]:
    """Prepay `amount` on `d`; pays dues first, then interest to date, then principal.

    What cannot be used (less than the interest accrued to date, or more than the payoff) is held
    as an overpayment. returns the journal entries; closes the loan on full payoff.
    """
    check_payable(loan, amount, d)
    entries = accrue_to(loan, d)
    paid, left = allocate(amount, dues_on(loan, d), loan.product.allocation_order)
    totals = apply_payment(loan, paid)
    future = [r for r in loan.installments if r.due_date > d and not r.settled]
    if future and left >= future[0].interest_accrued - future[0].interest_paid:
        current = future[0]
        interest = current.interest_accrued - current.interest_paid
        principal = min(left - interest, loan.principal_outstanding)
        _reschedule(loan, d, current, principal, keep)
        totals["interest"] += interest
        totals["principal"] += principal
        left -= interest + principal
    loan.overpayment += left
    entry = loan.entry(d, "PrepaymentPosted", payment_legs(loan, A.SETTLEMENT, totals, left))
    return entries + ([entry] if entry else []) + close_if_repaid(loan, d)
