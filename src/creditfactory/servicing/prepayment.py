"""Prepayment (提前还款) and payoff quotes.

A prepayment on date d first pays everything due (as a repayment), then settles the current
period: the interest accrued from the period start to d is charged, and the rest reduces
principal. The current installment is replaced by a settlement installment due on d, and the
remaining balance is re-amortised over the remaining contract due dates:
- `PrepaymentKeep.TERM`: same due dates, lower installment (等额本息: new level payment);
- `PrepaymentKeep.INSTALLMENT`: same installment (or principal per period for 等额本金), fewer
  periods — the term shortens.
The first re-amortised period is broken: it runs from d to the next due date, and on the monthly
basis its interest is the monthly rate pro-rated by days (daily basis: actual days / 360).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from creditfactory.ledger.accounts import A
from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.accrual import accrue_to, days_in_year
from creditfactory.servicing.allocation import allocate
from creditfactory.servicing.amortization import level_payment
from creditfactory.servicing.loan import ZERO, InstallmentState, Loan
from creditfactory.servicing.repayment import (
    apply_payment,
    check_payable,
    close_if_repaid,
    dues_on,
    payment_legs,
)
from creditfactory.servicing.schedule import AmortizationMethod

__all__ = ["PayoffQuote", "PrepaymentKeep", "payoff_quote", "prepay"]

CENT = Decimal("0.01")


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


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def payoff_quote(loan: Loan, as_of: date) -> PayoffQuote:
    """What paying the loan off on `as_of` costs, without changing the loan."""
    probe = copy.deepcopy(loan)
    accrue_to(probe, as_of)
    interest = sum(
        (r.interest_accrued - r.interest_paid for r in probe.installments if not r.settled), ZERO
    )
    return PayoffQuote(as_of, probe.principal_outstanding, interest, probe.penalty_receivable)


def _factors(loan: Loan, d: date, current: InstallmentState, ends: list[date]) -> list[Decimal]:
    annual = loan.annual_rate.value
    starts = [d, *ends[:-1]]
    if loan.product.interest_basis == "daily":
        year = days_in_year(loan.product.day_count)
        return [annual * (b - a).days / year for a, b in zip(starts, ends, strict=True)]
    monthly = annual / 12
    full = (current.period_end - current.period_start).days
    return [monthly * (ends[0] - d).days / full] + [monthly] * (len(ends) - 1)


def _rows_fixed_payment(
    balance: Decimal, factors: list[Decimal], payment: Decimal
) -> list[tuple[Decimal, Decimal]]:
    rows: list[tuple[Decimal, Decimal]] = []
    for k, factor in enumerate(factors):
        interest = _round(balance * factor)
        principal = (
            balance if k == len(factors) - 1 else min(balance, max(ZERO, payment - interest))
        )
        rows.append((principal, interest))
        balance -= principal
        if balance == 0:
            break
    return rows


def _rows_fixed_principal(
    balance: Decimal, factors: list[Decimal], per_period: Decimal
) -> list[tuple[Decimal, Decimal]]:
    rows: list[tuple[Decimal, Decimal]] = []
    for k, factor in enumerate(factors):
        interest = _round(balance * factor)
        principal = balance if k == len(factors) - 1 else min(balance, per_period)
        rows.append((principal, interest))
        balance -= principal
        if balance == 0:
            break
    return rows


def _remaining_rows(
    loan: Loan,
    balance: Decimal,
    factors: list[Decimal],
    keep: PrepaymentKeep,
    current: InstallmentState,
) -> list[tuple[Decimal, Decimal]]:
    method = AmortizationMethod(loan.product.method)
    n = len(factors)
    if method is AmortizationMethod.EQUAL_INSTALLMENT:
        keep_payment = current.principal_due + current.interest_due
        payment = (
            keep_payment
            if keep is PrepaymentKeep.INSTALLMENT
            else _round(level_payment(balance, factors))
        )
        return _rows_fixed_payment(balance, factors, payment)
    if method is AmortizationMethod.EQUAL_PRINCIPAL:
        per = current.principal_due if keep is PrepaymentKeep.INSTALLMENT else _round(balance / n)
        return _rows_fixed_principal(balance, factors, per)
    if method is AmortizationMethod.BULLET:
        return [(balance, _round(balance * sum(factors, Decimal(0))))]
    return _rows_fixed_principal(balance, factors, ZERO)  # interest only: principal at the end


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
        ends = [r.period_end for r in future]
        dues = {r.period_end: r.due_date for r in future}
        amounts = _remaining_rows(loan, balance, _factors(loan, d, current, ends), keep, current)
        for k, (principal, row_interest) in enumerate(amounts):
            start = d if k == 0 else ends[k - 1]
            rows.append(
                InstallmentState(
                    current.seq + 1 + k, start, ends[k], dues[ends[k]], principal, row_interest
                )
            )
    loan.installments = [*past, settlement, *rows]


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
