"""The Loan aggregate: lifecycle, installments and their payment state, accrual carries, DPD, grade.

Invariants (tested as properties):
- amounts held are Decimal rounded to 0.01 except the accrual carries (`*_carry`, kept at 1e-10);
- principal paid never exceeds principal due on any installment, nor interest paid interest due;
- the ledger balance of each loan account equals the matching figure here (`subledger_balances`).

The day-by-day work (accrual, falling due, ageing) lives in `accrual.py` and `delinquency.py`;
money movements in `repayment.py`; the journal mapping in `accounting.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.ledger.accounts import A
from creditfactory.ledger.journal import JournalEntry, Posting
from creditfactory.servicing.classification import DPDBucket, LoanGrade
from creditfactory.servicing.events import Event
from creditfactory.servicing.loan_errors import InvalidLoanTransition
from creditfactory.servicing.products import LoanProduct
from creditfactory.servicing.schedules import RepaymentSchedule

__all__ = ["InstallmentState", "Loan", "LoanStatus", "ZERO"]

ZERO = Decimal("0.00")


class LoanStatus(str, Enum):
    """Lifecycle states (approved → active → closed / written off; approved → cancelled)."""

    APPROVED = "approved"
    ACTIVE = "active"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"
    CANCELLED = "cancelled"


_TRANSITIONS: dict[LoanStatus, frozenset[LoanStatus]] = {
    LoanStatus.APPROVED: frozenset({LoanStatus.ACTIVE, LoanStatus.CANCELLED}),
    LoanStatus.ACTIVE: frozenset({LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF}),
    LoanStatus.CLOSED: frozenset(),
    LoanStatus.WRITTEN_OFF: frozenset(),
    LoanStatus.CANCELLED: frozenset(),
}


@dataclass
class InstallmentState:
    """One installment and what has happened to it.

    period_start / period_end: the accrual period [start, end); due_date may be adjusted later.
    interest_accrued: contractual interest recognised so far (0.01), reaches interest_due at
    period_end.
    """

    seq: int
    period_start: date
    period_end: date
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    interest_accrued: Decimal = ZERO
    fell_due: bool = False

    @property
    def principal_unpaid(self) -> Decimal:
        """Principal still owed on this installment."""
        return self.principal_due - self.principal_paid

    @property
    def interest_unpaid(self) -> Decimal:
        """Interest still owed on this installment (due, not only accrued)."""
        return self.interest_due - self.interest_paid

    @property
    def settled(self) -> bool:
        """True when principal and interest are fully paid."""
        return self.principal_unpaid == 0 and self.interest_unpaid == 0


@dataclass
class Loan:
    """A term loan under one product version.

    principal: the amount disbursed (CNY, 0.01). annual_rate: contract rate (fraction).
    Penalty (罚息) and compound (复利) interest accrue on overdue principal and overdue interest
    at annual_rate × (1 + product.penalty_markup), with unrounded carries at 1e-10.
    """

    loan_id: str
    borrower_id: str
    product: LoanProduct
    principal: Decimal
    annual_rate: Rate
    disbursement_date: date
    installments: list[InstallmentState]
    currency: str = "CNY"
    facility_id: str | None = None
    status: LoanStatus = LoanStatus.APPROVED
    last_closed_date: date | None = None
    accrued_through: date | None = None
    penalty_carry: Decimal = Decimal(0)
    compound_carry: Decimal = Decimal(0)
    penalty_posted: Decimal = ZERO
    compound_posted: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    non_accrual: bool = False
    dpd: int = 0
    bucket: DPDBucket = DPDBucket.CURRENT
    grade: LoanGrade = LoanGrade.PASS
    grade_floor: LoanGrade = LoanGrade.PASS
    allowance: Decimal = ZERO
    overpayment: Decimal = ZERO
    written_off: Decimal = ZERO
    recovered: Decimal = ZERO
    entry_seq: int = 0
    version: int = 0
    events: list[Event] = field(default_factory=list)

    @classmethod
    def from_schedule(
        cls,
        loan_id: str,
        borrower_id: str,
        product: LoanProduct,
        schedule: RepaymentSchedule,
        annual_rate: Rate,
        facility_id: str | None = None,
    ) -> Loan:
        """Book an approved loan from its contract schedule (not yet disbursed); interest of an
        installment accrues over [period_start, due_date)."""
        rows = [
            InstallmentState(
                seq=i.seq,
                period_start=i.period_start,
                period_end=i.due_date,
                due_date=i.due_date,
                principal_due=i.principal_due.amount,
                interest_due=i.interest_due.amount,
            )
            for i in schedule.installments
        ]
        return cls(
            loan_id=loan_id,
            borrower_id=borrower_id,
            product=product,
            principal=schedule.total_principal.amount,
            annual_rate=annual_rate,
            disbursement_date=schedule.installments[0].period_start,
            installments=rows,
            currency=schedule.currency,
            facility_id=facility_id,
        )

    # --- lifecycle -------------------------------------------------------------------------
    def transition(self, new: LoanStatus) -> None:
        """Move to `new` status; raises InvalidLoanTransition when the table forbids it."""
        if new not in _TRANSITIONS[self.status]:
            raise InvalidLoanTransition(
                f"loan {self.loan_id}: {self.status.value} → {new.value} is not allowed"
            )
        self.status = new

    # --- balances ----------------------------------------------------------------------------
    @property
    def principal_outstanding(self) -> Decimal:
        """Principal disbursed and neither repaid nor written off."""
        if self.status in (LoanStatus.APPROVED, LoanStatus.CANCELLED):
            return ZERO
        paid = sum((i.principal_paid for i in self.installments), ZERO)
        return self.principal - paid - self.written_off

    @property
    def interest_receivable(self) -> Decimal:
        """Contractual interest recognised and unpaid (on or off balance sheet)."""
        if self.status is LoanStatus.WRITTEN_OFF:
            return ZERO
        return sum((i.interest_accrued - i.interest_paid for i in self.installments), ZERO)

    @property
    def penalty_receivable(self) -> Decimal:
        """Penalty plus compound interest recognised and unpaid."""
        if self.status is LoanStatus.WRITTEN_OFF:
            return ZERO
        return self.penalty_posted + self.compound_posted - self.penalty_paid

    @property
    def penalty_rate(self) -> Rate:
        """Overdue rate: contract rate × (1 + markup)."""
        return self.annual_rate.times(1 + self.product.penalty_markup)

    def subledger_balances(self) -> dict[str, Money]:
        """What the ledger must hold for this loan, by account (signed: debit > 0)."""
        on = not self.non_accrual
        interest_on = self.interest_receivable if on else ZERO
        penalty_on = self.penalty_receivable if on else ZERO
        off = self.off_balance_interest
        memo = self.written_off - self.recovered_against_memo
        amounts = {
            A.LOAN_PRINCIPAL: self.principal_outstanding,
            A.INTEREST_RECEIVABLE: interest_on,
            A.PENALTY_RECEIVABLE: penalty_on,
            A.LOAN_LOSS_ALLOWANCE: -self.allowance,
            A.BORROWER_OVERPAYMENT: -self.overpayment,
            A.OFF_BALANCE_INTEREST: off,
            A.OFF_BALANCE_INTEREST_CONTRA: -off,
            A.WRITTEN_OFF_LOANS: memo,
            A.WRITTEN_OFF_LOANS_CONTRA: -memo,
        }
        return {k: Money(v, self.currency) for k, v in amounts.items()}

    @property
    def off_balance_interest(self) -> Decimal:
        """表外应收利息: interest and penalty recognised off balance sheet while non-accrual."""
        if not self.non_accrual:
            return ZERO
        return self.interest_receivable + self.penalty_receivable

    @property
    def recovered_against_memo(self) -> Decimal:
        """Recoveries applied against the written-off memo balance (capped at it)."""
        return min(self.recovered, self.written_off)

    # --- journal ----------------------------------------------------------------------------
    def money(self, amount: Decimal) -> Money:
        """`amount` as Money in the loan's currency."""
        return Money(amount, self.currency)

    def entry(
        self, business_date: date, event: str, postings: list[Posting]
    ) -> JournalEntry | None:
        """A balanced journal entry with a deterministic id, or None when every leg is zero."""
        legs = [p for p in postings if not p.amount.is_zero()]
        if not legs:
            return None
        self.entry_seq += 1
        entry_id = f"je_{self.loan_id}_{self.entry_seq:06d}"
        return JournalEntry.build(entry_id, business_date, event, self.loan_id, legs)

    def dr(self, account: str, amount: Decimal) -> Posting:
        """Debit leg tagged with this loan."""
        return Posting.debit(account, self.money(amount), self.loan_id)

    def cr(self, account: str, amount: Decimal) -> Posting:
        """Credit leg tagged with this loan."""
        return Posting.credit(account, self.money(amount), self.loan_id)
