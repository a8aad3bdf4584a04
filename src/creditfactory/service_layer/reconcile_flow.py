"""`servicing reconcile`: every loan of the book against its sub-ledger in the journal (对账).

Reads only (a read-only unit of work): loans in pages of `PAGE` by id, the journal's balances
by (account, subledger) once. A break is a loan account whose figure on the loan row differs
from the ledger, or a balance on a loan account whose sub-ledger is no loan (see
`servicing.reconcile`). Together with `audit verify` (which names a directly edited row) it
says whether the book and the ledger still agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditfactory.servicing.ports import UnitOfWork
from creditfactory.servicing.reconcile import Break, loan_breaks, orphan_breaks

__all__ = ["PAGE", "Reconciliation", "reconcile_book"]

PAGE = 500


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """`loans` compared; `breaks` in loan id, account order (empty: the book agrees)."""

    loans: int
    breaks: tuple[Break, ...]

    @property
    def ok(self) -> bool:
        """True when no break was found."""
        return not self.breaks


def reconcile_book(uow: UnitOfWork) -> Reconciliation:
    """Compare every loan with the ledger inside one (read) transaction of `uow`."""
    breaks: list[Break] = []
    seen: set[str] = set()
    with uow:
        ledger = uow.journal.balances()
        after = ""
        while ids := uow.loans.ids_after(after, PAGE):
            for loan in uow.loans.get_many(ids):
                breaks.extend(loan_breaks(loan, ledger))
            seen.update(ids)
            after = ids[-1]
    breaks.extend(orphan_breaks(ledger, seen))
    return Reconciliation(len(seen), tuple(breaks))
