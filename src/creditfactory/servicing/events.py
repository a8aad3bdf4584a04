"""Servicing events (past tense). Aggregates append them; the message bus routes them and writes
audit leaves. Amounts are decimal strings in the loan's currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "DPDBucketChanged",
    "Event",
    "InstallmentFellDue",
    "InterestAccrued",
    "LoanClosed",
    "LoanDisbursed",
    "LoanGradeChanged",
    "LoanWrittenOff",
    "NonAccrualChanged",
    "RepaymentPosted",
]


@dataclass(frozen=True)
class Event:
    """Base: every event names its loan and business date."""

    loan_id: str
    business_date: date


@dataclass(frozen=True)
class LoanDisbursed(Event):
    amount: str


@dataclass(frozen=True)
class InterestAccrued(Event):
    interest: str
    penalty: str
    compound: str
    off_balance: bool


@dataclass(frozen=True)
class InstallmentFellDue(Event):
    seq: int
    principal: str
    interest: str


@dataclass(frozen=True)
class RepaymentPosted(Event):
    amount: str
    penalty: str
    interest: str
    principal: str
    excess: str


@dataclass(frozen=True)
class DPDBucketChanged(Event):
    old: str
    new: str
    dpd: int


@dataclass(frozen=True)
class LoanGradeChanged(Event):
    old: str
    new: str
    dpd: int


@dataclass(frozen=True)
class NonAccrualChanged(Event):
    non_accrual: bool


@dataclass(frozen=True)
class LoanClosed(Event):
    pass


@dataclass(frozen=True)
class LoanWrittenOff(Event):
    principal: str
    interest: str
    penalty: str
