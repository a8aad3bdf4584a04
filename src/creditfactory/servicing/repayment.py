"""Money movements on a loan: disbursement, repayment, overpayment, closing, write-off, recovery.

Every function brings accruals up to its date first, changes the loan, and returns the balanced
journal entries it caused. A repayment pays what is due on or before its date in the product's
allocation order (default 罚息/复利 → 利息 → 本金, oldest installment first); what is left is
held as an overpayment (溢缴款, a liability) and applied when the next installment falls due.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from creditfactory.ledger.accounts import A
from creditfactory.ledger.journal import JournalEntry, Posting
from creditfactory.servicing.accrual import accrue_to
from creditfactory.servicing.allocation import Due, allocate
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.delinquency import release_allowance
from creditfactory.servicing.events import (
    LoanClosed,
    LoanDisbursed,
    LoanWrittenOff,
    RepaymentPosted,
)
from creditfactory.servicing.loan import ZERO, Loan, LoanStatus
from creditfactory.servicing.loan_errors import (
    BusinessDateOutOfOrder,
    RepaymentRejected,
    WriteOffNotEligible,
)

__all__ = [
    "apply_overpayment",
    "apply_payment",
    "check_payable",
    "check_write_off",
    "close_if_repaid",
    "disburse",
    "dues_on",
    "payment_legs",
    "recover",
    "remaining_contract",
    "repay",
    "write_off",
]


def disburse(loan: Loan, d: date) -> list[JournalEntry]:
    """Pay out the principal on the disbursement date (approved → active).

    raises InvalidLoanTransition unless approved; BusinessDateOutOfOrder if `d` differs from the
    contract's disbursement date.
    """
    if d != loan.disbursement_date:
        raise BusinessDateOutOfOrder(
            f"loan {loan.loan_id}: disbursement dated {d}, contract says {loan.disbursement_date}"
        )
    loan.transition(LoanStatus.ACTIVE)
    loan.accrued_through = d
    loan.last_closed_date = d - timedelta(days=1)
    loan.events.append(LoanDisbursed(loan.loan_id, d, str(loan.principal)))
    legs = [loan.dr(A.LOAN_PRINCIPAL, loan.principal), loan.cr(A.SETTLEMENT, loan.principal)]
    entry = loan.entry(d, "LoanDisbursed", legs)
    return [entry] if entry else []


def dues_on(loan: Loan, d: date) -> list[Due]:
    dues = [Due("loan", "penalty", loan.penalty_receivable)]
    for row in loan.installments:
        if row.due_date <= d and not row.settled:
            dues.append(Due(str(row.seq), "interest", row.interest_unpaid))
            dues.append(Due(str(row.seq), "principal", row.principal_unpaid))
    return [due for due in dues if due.amount > 0]


def apply_payment(loan: Loan, paid: list[Due]) -> dict[str, Decimal]:
    by_seq = {str(row.seq): row for row in loan.installments}
    totals = {"penalty": ZERO, "interest": ZERO, "principal": ZERO}
    for part in paid:
        totals[part.component] += part.amount
        if part.component == "penalty":
            loan.penalty_paid += part.amount
        elif part.component == "interest":
            by_seq[part.key].interest_paid += part.amount
        else:
            by_seq[part.key].principal_paid += part.amount
    return totals


def payment_legs(
    loan: Loan, source: str, totals: dict[str, Decimal], excess: Decimal
) -> list[Posting]:
    received = sum(totals.values(), ZERO) + excess
    legs = [loan.dr(source, received), loan.cr(A.LOAN_PRINCIPAL, totals["principal"])]
    if loan.non_accrual:  # cash basis: recognise income now and clear the memo
        memo = totals["interest"] + totals["penalty"]
        legs += [
            loan.cr(A.INTEREST_INCOME, totals["interest"]),
            loan.cr(A.PENALTY_INCOME, totals["penalty"]),
            loan.dr(A.OFF_BALANCE_INTEREST_CONTRA, memo),
            loan.cr(A.OFF_BALANCE_INTEREST, memo),
        ]
    else:
        legs += [
            loan.cr(A.INTEREST_RECEIVABLE, totals["interest"]),
            loan.cr(A.PENALTY_RECEIVABLE, totals["penalty"]),
        ]
    legs.append(loan.cr(A.BORROWER_OVERPAYMENT, excess))
    return legs


def check_payable(loan: Loan, amount: Decimal, d: date) -> None:
    if loan.status is not LoanStatus.ACTIVE:
        raise RepaymentRejected(f"loan {loan.loan_id} is {loan.status.value}, not active")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RepaymentRejected(f"amount: must be positive whole cents, got {amount}")
    if loan.accrued_through is not None and d < loan.accrued_through:
        raise BusinessDateOutOfOrder(
            f"loan {loan.loan_id}: repayment dated {d} is before {loan.accrued_through}"
        )


def repay(loan: Loan, amount: Decimal, d: date) -> list[JournalEntry]:
    """Post a repayment of `amount` (CNY, 0.01) received on `d`.

    returns: the accrual entry (if any) and the repayment entry; closes the loan when nothing
    is owed any more. raises RepaymentRejected, BusinessDateOutOfOrder.
    """
    check_payable(loan, amount, d)
    entries = accrue_to(loan, d)
    ceiling = remaining_contract(loan) - loan.overpayment
    if amount > ceiling:
        raise RepaymentRejected(
            f"amount: {amount} exceeds everything the loan can still owe ({ceiling}); "
            "use a prepayment to close it"
        )
    paid, excess = allocate(amount, dues_on(loan, d), loan.product.allocation_order)
    totals = apply_payment(loan, paid)
    loan.overpayment += excess
    entry = loan.entry(d, "RepaymentPosted", payment_legs(loan, A.SETTLEMENT, totals, excess))
    loan.events.append(
        RepaymentPosted(
            loan.loan_id,
            d,
            str(amount),
            str(totals["penalty"]),
            str(totals["interest"]),
            str(totals["principal"]),
            str(excess),
        )
    )
    entries += [entry] if entry else []
    return entries + close_if_repaid(loan, d)


def remaining_contract(loan: Loan) -> Decimal:
    """Everything the contract can still ask for: unpaid principal and scheduled interest of every
    installment plus penalty accrued — the most a repayment may bring in (more can never be used)."""
    unpaid = sum((r.principal_unpaid + r.interest_unpaid for r in loan.installments), ZERO)
    return unpaid + loan.penalty_receivable


def apply_overpayment(loan: Loan, d: date) -> list[JournalEntry]:
    """Use a held overpayment against what is due on `d` (called when installments fall due)."""
    if loan.overpayment <= 0:
        return []
    paid, left = allocate(loan.overpayment, dues_on(loan, d), loan.product.allocation_order)
    if not paid:
        return []
    totals = apply_payment(loan, paid)
    loan.overpayment = left
    legs = payment_legs(loan, A.BORROWER_OVERPAYMENT, totals, ZERO)
    entry = loan.entry(d, "OverpaymentApplied", legs)
    return ([entry] if entry else []) + close_if_repaid(loan, d)


def close_if_repaid(loan: Loan, d: date) -> list[JournalEntry]:
    """Close the loan when principal, interest and penalty are all paid; refund any overpayment
    and release the allowance."""
    owed = loan.principal_outstanding + loan.penalty_receivable
    if owed > 0 or not all(row.settled for row in loan.installments):
        return []
    entries = [release_allowance(loan, d)]
    if loan.overpayment > 0:
        refund = loan.overpayment
        loan.overpayment = ZERO
        legs = [loan.dr(A.BORROWER_OVERPAYMENT, refund), loan.cr(A.SETTLEMENT, refund)]
        entries.append(loan.entry(d, "OverpaymentRefunded", legs))
    loan.transition(LoanStatus.CLOSED)
    loan.events.append(LoanClosed(loan.loan_id, d))
    return [e for e in entries if e is not None]


def check_write_off(loan: Loan, d: date) -> None:
    """Whether `loan` may be written off on `d` (rules in `write_off`). raises
    WriteOffNotEligible, BusinessDateOutOfOrder."""
    if loan.status is not LoanStatus.ACTIVE:
        raise WriteOffNotEligible(f"loan_id: {loan.loan_id} is {loan.status.value}, not active")
    if loan.grade.rank < LoanGrade.SUBSTANDARD.rank:
        raise WriteOffNotEligible(
            f"loan_id: {loan.loan_id} is {loan.grade.value} at {loan.dpd} DPD; only a "
            "non-performing loan (SUBSTANDARD, DOUBTFUL or LOSS, 次级/可疑/损失) is written off"
        )
    if loan.accrued_through is not None and d < loan.accrued_through:
        raise BusinessDateOutOfOrder(
            f"business_date: write-off dated {d} is before {loan.accrued_through}"
        )


def write_off(loan: Loan, d: date) -> list[JournalEntry]:
    """核销: charge principal and on-balance receivables against the allowance (topping it up
    first), keep the written-off principal in a memo account, drop off-balance interest.

    Eligible: a non-performing (不良) loan, graded 次级, 可疑 or 损失 — DOMAIN.md §1 (不良 =
    次级 + 可疑 + 损失; > 90 DPD is at least 次级) and §2.4 ("write off small-business NPLs
    first"); a performing loan (正常 / 关注, e.g. disbursed today at 0 DPD) is refused.
    raises WriteOffNotEligible (also for a loan not active), BusinessDateOutOfOrder (dated
    before the loan's accruals)."""
    check_write_off(loan, d)
    entries = accrue_to(loan, d)
    principal = loan.principal_outstanding
    on_interest = ZERO if loan.non_accrual else loan.interest_receivable
    on_penalty = ZERO if loan.non_accrual else loan.penalty_receivable
    off = loan.off_balance_interest
    loss = principal + on_interest + on_penalty
    top_up = max(ZERO, loss - loan.allowance)
    legs = [
        loan.dr(A.CREDIT_IMPAIRMENT_LOSS, top_up),
        loan.cr(A.LOAN_LOSS_ALLOWANCE, top_up),
        loan.dr(A.LOAN_LOSS_ALLOWANCE, loss),
        loan.cr(A.LOAN_PRINCIPAL, principal),
        loan.cr(A.INTEREST_RECEIVABLE, on_interest),
        loan.cr(A.PENALTY_RECEIVABLE, on_penalty),
        loan.dr(A.OFF_BALANCE_INTEREST_CONTRA, off),
        loan.cr(A.OFF_BALANCE_INTEREST, off),
        loan.dr(A.WRITTEN_OFF_LOANS, principal),
        loan.cr(A.WRITTEN_OFF_LOANS_CONTRA, principal),
    ]
    surplus = loan.allowance + top_up - loss
    legs += [loan.dr(A.LOAN_LOSS_ALLOWANCE, surplus), loan.cr(A.CREDIT_IMPAIRMENT_LOSS, surplus)]
    loan.transition(LoanStatus.WRITTEN_OFF)
    loan.written_off = principal
    loan.allowance = ZERO
    loan.non_accrual = False
    loan.events.append(
        LoanWrittenOff(loan.loan_id, d, str(principal), str(on_interest), str(on_penalty))
    )
    entry = loan.entry(d, "LoanWrittenOff", legs)
    return entries + ([entry] if entry else [])


def recover(loan: Loan, amount: Decimal, d: date) -> list[JournalEntry]:
    """Cash recovered on a written-off loan: income (reversal of impairment) and the memo
    balance reduced by up to what remains written off."""
    if loan.status is not LoanStatus.WRITTEN_OFF:
        raise RepaymentRejected(f"loan {loan.loan_id} is not written off")
    if amount <= 0:
        raise RepaymentRejected(f"amount: must be positive, got {amount}")
    memo = min(amount, loan.written_off - loan.recovered_against_memo)
    loan.recovered += amount
    legs = [
        loan.dr(A.SETTLEMENT, amount),
        loan.cr(A.CREDIT_IMPAIRMENT_LOSS, amount),
        loan.dr(A.WRITTEN_OFF_LOANS_CONTRA, memo),
        loan.cr(A.WRITTEN_OFF_LOANS, memo),
    ]
    entry = loan.entry(d, "WrittenOffLoanRecovered", legs)
    return [entry] if entry else []
