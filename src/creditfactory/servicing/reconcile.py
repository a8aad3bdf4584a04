"""Loan ↔ ledger reconciliation (对账): every loan's figures against its sub-ledger in the journal.

The loan rows and the journal are written together by the servicing use cases, so they can only
disagree when one was changed behind the application's back (a direct database edit) or a
use case has a defect. `loan_breaks` compares one loan's `Loan.subledger_balances()` (what the
ledger must hold, signed: debit > 0) with the journal's balances of its sub-ledger (subledger =
loan id); `orphan_breaks` names balances on the loan accounts whose sub-ledger is no loan.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from creditfactory.kernel.money import Money
from creditfactory.ledger.accounts import A
from creditfactory.servicing.loan import Loan

__all__ = ["LOAN_ACCOUNTS", "Break", "loan_breaks", "orphan_breaks"]

LOAN_ACCOUNTS = frozenset(
    {
        A.LOAN_PRINCIPAL,
        A.INTEREST_RECEIVABLE,
        A.PENALTY_RECEIVABLE,
        A.LOAN_LOSS_ALLOWANCE,
        A.BORROWER_OVERPAYMENT,
        A.OFF_BALANCE_INTEREST,
        A.OFF_BALANCE_INTEREST_CONTRA,
        A.WRITTEN_OFF_LOANS,
        A.WRITTEN_OFF_LOANS_CONTRA,
    }
)

Balances = Mapping[tuple[str, str], Money]


@dataclass(frozen=True, slots=True)
class Break:
    """A loan account whose loan figure (`loan`, None when no such loan) differs from the
    ledger's balance of the loan's sub-ledger (`ledger`)."""

    loan_id: str
    account: str
    loan: Money | None
    ledger: Money


def loan_breaks(loan: Loan, ledger: Balances) -> Iterator[Break]:
    """The accounts of `loan` whose ledger balance (by (account, subledger)) differs."""
    for account, expected in sorted(loan.subledger_balances().items()):
        got = ledger.get((account, loan.loan_id), Money.zero(loan.currency))
        if got != expected:
            yield Break(loan.loan_id, account, expected, got)


def orphan_breaks(ledger: Balances, loan_ids: Collection[str]) -> Iterator[Break]:
    """Non-zero balances on loan accounts whose sub-ledger names no loan in `loan_ids`."""
    for (account, subledger), amount in sorted(ledger.items()):
        if account in LOAN_ACCOUNTS and subledger not in loan_ids and not amount.is_zero():
            yield Break(subledger, account, None, amount)
