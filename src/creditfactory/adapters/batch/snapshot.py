"""Flatten loans into the columnar `loan_state` rows that `eod_columnar` reads.

One row per loan holds its state at the end of the day before `business_date`: the installment
accruing on that day, what is overdue, the penalty carries in 1e-10 yuan, receivables, the oldest
unsettled due date, grade floor, allowance — amounts in fen (integers).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from creditfactory.servicing.accrual import days_in_year
from creditfactory.servicing.loan import Loan, LoanStatus

__all__ = ["needs_per_loan_engine", "state_row", "state_rows"]

_E8 = Decimal(10) ** 8
_E10 = Decimal(10) ** 10


def _fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def needs_per_loan_engine(loan: Loan, business_date: date) -> bool:
    """True for loans the columnar step leaves to `servicing.eod` (see eod_columnar)."""
    if loan.status is not LoanStatus.ACTIVE or loan.last_closed_date != business_date - timedelta(
        days=1
    ):
        return True
    accruing = [
        r
        for r in loan.installments
        if r.period_start < business_date and r.interest_accrued < r.interest_due
    ]
    if len(accruing) > 1:
        return True
    due_today = any(r.due_date == business_date and not r.settled for r in loan.installments)
    rate_e8 = loan.penalty_rate.value * _E8
    return (loan.overpayment > 0 and due_today) or rate_e8 != rate_e8.to_integral_value()


def state_row(loan: Loan, business_date: date) -> dict[str, Any]:
    """The `loan_state` row of `loan` for closing `business_date`."""
    cur = next(
        (
            r
            for r in loan.installments
            if r.period_start < business_date and r.interest_accrued < r.interest_due
        ),
        None,
    )
    overdue = [r for r in loan.installments if r.due_date < business_date]
    unsettled = [r.due_date for r in loan.installments if not r.settled]
    return {
        "loan_id": loan.loan_id,
        "pen_rate_e8": int(loan.penalty_rate.value * _E8),
        "year_days": days_in_year(loan.product.day_count),
        "compound": loan.product.compound_overdue_interest,
        "non_accrual_dpd": loan.product.non_accrual_dpd,
        "cur_start": cur.period_start if cur else None,
        "cur_end": min(cur.period_end, cur.due_date) if cur else None,
        "cur_interest_due": _fen(cur.interest_due) if cur else 0,
        "cur_accrued": _fen(cur.interest_accrued) if cur else 0,
        "overdue_principal": _fen(sum((r.principal_unpaid for r in overdue), Decimal(0))),
        "overdue_interest": _fen(sum((r.interest_unpaid for r in overdue), Decimal(0))),
        "penalty_carry_e10": int(loan.penalty_carry * _E10),
        "compound_carry_e10": int(loan.compound_carry * _E10),
        "penalty_posted": _fen(loan.penalty_posted),
        "compound_posted": _fen(loan.compound_posted),
        "interest_receivable": _fen(loan.interest_receivable),
        "penalty_receivable": _fen(loan.penalty_receivable),
        "oldest_unsettled_due": min(unsettled) if unsettled else None,
        "grade_floor_rank": loan.grade_floor.rank,
        "non_accrual": loan.non_accrual,
        "allowance": _fen(loan.allowance),
        "principal_outstanding": _fen(loan.principal_outstanding),
    }


def state_rows(loans: Iterable[Loan], business_date: date) -> list[dict[str, Any]]:
    """Rows for the loans the columnar step takes."""
    return [
        state_row(loan, business_date)
        for loan in loans
        if not needs_per_loan_engine(loan, business_date)
    ]
