"""Repayment schedules as values: the terms a schedule is built from and the rows it holds.

A `RepaymentSchedule` is a tuple of `Installment`s (STYLE.md field terms) in one currency. Every
amount is rounded to the minor unit; the principal column sums to the loan amount exactly, and
the last installment absorbs the rounding residue (DESIGN.md §4). The engine that fills these
values lives in `amortization.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditfactory.kernel.calendar import BusinessCalendar, DateAdjustment
from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money, RoundingMode
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.due_dates import MONTHLY, RepaymentFrequency

__all__ = ["AmortizationMethod", "Installment", "RepaymentSchedule", "ScheduleTerms"]


class AmortizationMethod(str, Enum):
    """How principal and interest spread over the installments (还款方式, DOMAIN.md §3.5)."""

    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息: level payment (annuity, EMI)
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金: level principal, interest on the balance
    INTEREST_ONLY_BULLET = "interest_only_bullet"  # 先息后本: interest each period, principal last
    BULLET = "bullet"  # 到期一次还本付息: one payment of principal and interest at maturity
    FLAT_INTEREST = "flat_interest"  # 等本等息: level principal, interest on the original amount


@dataclass(frozen=True, slots=True)
class ScheduleTerms:
    """Everything a schedule depends on; no clock, no ids.

    principal: Money > 0, the amount disbursed on `start_date`.
    annual_rate: nominal annual rate as a fraction.
    term: number of periods of `frequency` (the installments, except BULLET which has one).
    first_due_date: seed of the due dates; default one period after `start_date`.
    day_count: None charges the per-period rate (annual × period's year share: 月利率 = 年利率 ÷
        12); a `DayCount` charges annual × year fraction of each accrual period (e.g. ACT_360).
    grace_on_principal: leading periods that pay interest only (EQUAL_* methods).
    rounding: rounding mode at the named rounding points (half-up by default).
    installment_multiple: level payments (and flat installments) rounded to a multiple of this,
        e.g. Decimal(1) for whole yuan; None rounds to the minor unit.
    adjust_emi: after a first pass, try the level payment one step towards the last
        installment's residue and keep it when the last installment comes out closer (Fineract
        progressive loans do this).
    calendar / date_adjustment: move due dates off non-business days; accrual keeps the
        unadjusted dates.
    due_dates: explicit unadjusted due dates; when given they replace `term`, `frequency` and
        `first_due_date` for date generation (irregular schedules).
    raises ValidationError(field, rule) on inconsistent terms.
    """

    principal: Money
    annual_rate: Rate
    method: AmortizationMethod
    term: int
    start_date: date
    frequency: RepaymentFrequency = MONTHLY
    first_due_date: date | None = None
    day_count: DayCount | None = None
    grace_on_principal: int = 0
    rounding: RoundingMode = RoundingMode.HALF_UP
    installment_multiple: Decimal | None = None
    adjust_emi: bool = False
    calendar: BusinessCalendar | None = None
    date_adjustment: DateAdjustment = DateAdjustment.NONE
    due_dates: tuple[date, ...] | None = None

    def __post_init__(self) -> None:
        if self.principal.amount <= 0:
            raise ValidationError("principal", "must be greater than 0")
        if self.principal.rounded() != self.principal:
            raise ValidationError("principal", "must be a whole number of minor units")
        if self.due_dates is not None and len(self.due_dates) != self.term:
            raise ValidationError("due_dates", f"must list exactly term={self.term} dates")
        if self.term < 1:
            raise ValidationError("term", "must be at least 1 period")
        if not 0 <= self.grace_on_principal < self.term:
            raise ValidationError("grace_on_principal", "must be >= 0 and less than the term")
        if self.installment_multiple is not None and self.installment_multiple <= 0:
            raise ValidationError("installment_multiple", "must be greater than 0")
        if self.date_adjustment is not DateAdjustment.NONE and self.calendar is None:
            raise ValidationError("date_adjustment", "needs a business calendar")

    @property
    def currency(self) -> str:
        """ISO 4217 code of every amount in the schedule."""
        return self.principal.currency


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of a `RepaymentSchedule`.

    seq: 1-based position. due_date: when it is payable (business-day adjusted).
    principal_due / interest_due / fee_due / penalty_due: Money rounded to the minor unit; fees
    and penalties are zero at origination (servicing adds them later).
    period_start / period_end: the unadjusted accrual period [start, end) the interest covers.
    balance_after: principal outstanding once this installment is paid.
    """

    seq: int
    due_date: date
    principal_due: Money
    interest_due: Money
    fee_due: Money
    penalty_due: Money
    period_start: date
    period_end: date
    balance_after: Money

    @property
    def total_due(self) -> Money:
        """Principal + interest + fee + penalty."""
        return self.principal_due + self.interest_due + self.fee_due + self.penalty_due


@dataclass(frozen=True, slots=True)
class RepaymentSchedule:
    """The installments built from `terms`, in due-date order.

    level_payment: the rounded EMI used by EQUAL_INSTALLMENT (None for other methods).
    """

    terms: ScheduleTerms
    installments: tuple[Installment, ...]
    level_payment: Money | None = None

    def _sum(self, field: str) -> Money:
        total = Money.zero(self.terms.currency)
        for row in self.installments:
            total = total + getattr(row, field)
        return total

    @property
    def total_principal(self) -> Money:
        """Sum of principal due; equals the loan amount."""
        return self._sum("principal_due")

    @property
    def total_interest(self) -> Money:
        """Sum of interest due."""
        return self._sum("interest_due")

    @property
    def total_due(self) -> Money:
        """Sum of everything due."""
        return self._sum("total_due")

    @property
    def maturity_date(self) -> date:
        """Due date of the last installment."""
        return self.installments[-1].due_date
