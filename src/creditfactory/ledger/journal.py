"""Journal entries: immutable, balanced, corrected only by reversal.

A `JournalEntry` holds postings (account code, signed amount — debit positive, credit negative —,
and the sub-ledger key, e.g. a loan id). Building one checks that postings are non-zero, name
accounts of the chart, carry amounts rounded to the minor unit, and sum to zero per currency
(`UnbalancedEntry`). Source: double-entry bookkeeping; beancount's `Posting`, hordak's
balanced-leg trigger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.ledger.accounts import CHART_V1, ChartOfAccounts
from creditfactory.ledger.errors import EmptyEntry, UnbalancedEntry, UnknownAccount

__all__ = ["JournalEntry", "Posting", "balances", "reversal_of", "trial_balance"]


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg: `amount` signed (debit > 0, credit < 0), rounded to the minor unit."""

    account: str
    amount: Money
    subledger: str = ""

    @classmethod
    def debit(cls, account: str, amount: Money, subledger: str = "") -> Posting:
        """A debit leg of `amount` (must be positive)."""
        return cls(account, amount, subledger)

    @classmethod
    def credit(cls, account: str, amount: Money, subledger: str = "") -> Posting:
        """A credit leg of `amount` (given positive, stored negative)."""
        return cls(account, -amount, subledger)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings for one event.

    entry_id: unique id; business_date: the value date; event: what happened (e.g.
    "LoanDisbursed"); reference: the subject (loan id); postings: ≥ 2 legs.
    raises EmptyEntry, UnknownAccount, UnbalancedEntry.
    """

    entry_id: str
    business_date: date
    event: str
    reference: str
    postings: tuple[Posting, ...]
    reverses: str | None = None

    @classmethod
    def build(
        cls,
        entry_id: str,
        business_date: date,
        event: str,
        reference: str,
        postings: Iterable[Posting],
        chart: ChartOfAccounts = CHART_V1,
        reverses: str | None = None,
    ) -> JournalEntry:
        """Validate and build an entry; zero legs are dropped before the checks."""
        legs = tuple(p for p in postings if not p.amount.is_zero())
        if not legs:
            raise EmptyEntry(f"{event} {reference}: no non-zero postings")
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for leg in legs:
            if leg.account not in chart:
                raise UnknownAccount(f"{leg.account} is not in chart {chart.version}")
            if leg.amount.rounded() != leg.amount:
                raise UnbalancedEntry(
                    f"{leg.account}: {leg.amount} is not rounded to the minor unit"
                )
            totals[leg.amount.currency] += leg.amount.amount
        unbalanced = {c: t for c, t in totals.items() if t != 0}
        if unbalanced:
            raise UnbalancedEntry(f"{event} {reference}: postings sum to {unbalanced}")
        return cls(entry_id, business_date, event, reference, legs, reverses)


def reversal_of(entry: JournalEntry, entry_id: str, business_date: date) -> JournalEntry:
    """The entry that cancels `entry`: the same legs with opposite signs."""
    legs = tuple(Posting(p.account, -p.amount, p.subledger) for p in entry.postings)
    return JournalEntry.build(
        entry_id,
        business_date,
        f"Reversal:{entry.event}",
        entry.reference,
        legs,
        reverses=entry.entry_id,
    )


def balances(
    entries: Iterable[JournalEntry], by_subledger: bool = False
) -> dict[tuple[str, str], Money]:
    """Signed balances keyed by (account, subledger) — subledger "" unless `by_subledger`."""
    out: dict[tuple[str, str], Money] = {}
    for entry in entries:
        for leg in entry.postings:
            key = (leg.account, leg.subledger if by_subledger else "")
            out[key] = out[key] + leg.amount if key in out else leg.amount
    return out


def trial_balance(entries: Iterable[JournalEntry]) -> Mapping[str, Money]:
    """Signed balance per account; their sum is zero per currency for a sound book."""
    return {account: amount for (account, _), amount in balances(entries).items()}
