"""Falling due, days past due, DPD buckets, the five-category grade, non-accrual and allowance.

DPD of an installment at the end of business date d = d − due_date when it is unpaid and
d > due_date (calendar days; Fineract's definition, `../shared/cases/delinquency_fineract.json`);
the loan's DPD is that of its oldest unpaid installment. The grade is the worst of the DPD floor
(`classification.DPD_FLOORS_2023`) and `grade_floor` (early warnings, manual downgrades). The loss
allowance follows the grade (`ALLOWANCE_RATES_2002`) on outstanding principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from creditfactory.ledger.accounts import A
from creditfactory.ledger.journal import JournalEntry, Posting
from creditfactory.servicing.classification import dpd_bucket
from creditfactory.servicing.events import (
    DPDBucketChanged,
    InstallmentFellDue,
    LoanGradeChanged,
    NonAccrualChanged,
)
from creditfactory.servicing.loan import ZERO, Loan

__all__ = [
    "DelinquencyRange",
    "age",
    "allowance_target",
    "days_past_due",
    "fall_due",
    "installment_days_past_due",
    "installment_delinquency",
    "move_accrual_basis",
    "release_allowance",
]

CENT = Decimal("0.01")


def fall_due(loan: Loan, d: date) -> None:
    """Mark installments due on or before `d` as fallen due (events `InstallmentFellDue`)."""
    for row in loan.installments:
        if not row.fell_due and row.due_date <= d:
            row.fell_due = True
            loan.events.append(
                InstallmentFellDue(
                    loan.loan_id, d, row.seq, str(row.principal_due), str(row.interest_due)
                )
            )


def days_past_due(loan: Loan, d: date) -> int:
    """DPD at the end of `d`: days since the oldest unpaid due date before `d`, else 0."""
    for row in loan.installments:
        if row.due_date < d and not row.settled:
            return (d - row.due_date).days
    return 0


def allowance_target(loan: Loan) -> Decimal:
    """Loss allowance the grade calls for: outstanding principal × rate[grade], 0.01 half-up."""
    rate = loan.product.allowance_rates[loan.grade]
    return (loan.principal_outstanding * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def move_accrual_basis(loan: Loan, d: date, non_accrual: bool) -> JournalEntry | None:
    """Enter or leave non-accrual: move unpaid interest and penalty between income and the
    off-balance memo accounts (表内 ↔ 表外)."""
    interest, penalty = loan.interest_receivable, loan.penalty_receivable
    memo = interest + penalty
    to_off: list[Posting] = [
        loan.dr(A.INTEREST_INCOME, interest),
        loan.cr(A.INTEREST_RECEIVABLE, interest),
        loan.dr(A.PENALTY_INCOME, penalty),
        loan.cr(A.PENALTY_RECEIVABLE, penalty),
        loan.dr(A.OFF_BALANCE_INTEREST, memo),
        loan.cr(A.OFF_BALANCE_INTEREST_CONTRA, memo),
    ]
    legs = to_off if non_accrual else [Posting(p.account, -p.amount, p.subledger) for p in to_off]
    loan.non_accrual = non_accrual
    loan.events.append(NonAccrualChanged(loan.loan_id, d, non_accrual))
    return loan.entry(d, "NonAccrualEntered" if non_accrual else "NonAccrualLeft", legs)


def _adjust_allowance(loan: Loan, d: date) -> JournalEntry | None:
    delta = allowance_target(loan) - loan.allowance
    if delta == 0:
        return None
    loan.allowance += delta
    legs = [loan.dr(A.CREDIT_IMPAIRMENT_LOSS, delta), loan.cr(A.LOAN_LOSS_ALLOWANCE, delta)]
    return loan.entry(d, "AllowanceAdjusted", legs)


def age(loan: Loan, d: date) -> list[JournalEntry]:
    """Update DPD, bucket, grade, accrual basis and allowance at the end of `d`."""
    dpd = days_past_due(loan, d)
    bucket = dpd_bucket(dpd)
    grade = loan.product.dpd_floors.floor(dpd).worst(loan.grade_floor)
    if bucket is not loan.bucket:
        loan.events.append(DPDBucketChanged(loan.loan_id, d, loan.bucket.value, bucket.value, dpd))
    if grade is not loan.grade:
        loan.events.append(LoanGradeChanged(loan.loan_id, d, loan.grade.value, grade.value, dpd))
    loan.dpd, loan.bucket, loan.grade = dpd, bucket, grade
    entries: list[JournalEntry | None] = []
    if not loan.non_accrual and dpd >= loan.product.non_accrual_dpd:
        entries.append(move_accrual_basis(loan, d, non_accrual=True))
    elif loan.non_accrual and dpd == 0:
        entries.append(move_accrual_basis(loan, d, non_accrual=False))
    entries.append(_adjust_allowance(loan, d))
    return [e for e in entries if e is not None]


def release_allowance(loan: Loan, d: date) -> JournalEntry | None:
    """Release the whole allowance (the loan closed)."""
    amount = loan.allowance
    loan.allowance = ZERO
    legs = [loan.dr(A.LOAN_LOSS_ALLOWANCE, amount), loan.cr(A.CREDIT_IMPAIRMENT_LOSS, amount)]
    return loan.entry(d, "AllowanceReleased", legs)


@dataclass(frozen=True, slots=True)
class DelinquencyRange:
    """A named DPD range [min_days, max_days] (max None = open), as Fineract configures them."""

    name: str
    min_days: int
    max_days: int | None

    def contains(self, dpd: int) -> bool:
        """True when `dpd` falls in this range."""
        return dpd >= self.min_days and (self.max_days is None or dpd <= self.max_days)


def installment_days_past_due(loan: Loan, d: date) -> dict[int, int]:
    """DPD per unpaid installment due before `d` (seq → days)."""
    return {
        row.seq: (d - row.due_date).days
        for row in loan.installments
        if row.due_date < d and not row.settled
    }


def installment_delinquency(
    loan: Loan, d: date, ranges: list[DelinquencyRange]
) -> dict[str, Decimal]:
    """Unpaid principal + interest per delinquency range at the end of `d` (installment level,
    Fineract's "installment level delinquency"); ranges with nothing in them are left out."""
    out: dict[str, Decimal] = {}
    by_seq = {row.seq: row for row in loan.installments}
    for seq, dpd in installment_days_past_due(loan, d).items():
        row = by_seq[seq]
        for band in ranges:
            if band.contains(dpd):
                out[band.name] = (
                    out.get(band.name, ZERO) + row.principal_unpaid + row.interest_unpaid
                )
    return out
