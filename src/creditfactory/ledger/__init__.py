"""Ledger: chart of accounts, balanced immutable journal entries, balances and the trial balance.

Knows nothing of loans: servicing maps its events to entries; the ledger checks they balance.
"""

from creditfactory.ledger.accounts import CHART_V1, A, Account, AccountType, ChartOfAccounts
from creditfactory.ledger.errors import EmptyEntry, LedgerError, UnbalancedEntry, UnknownAccount
from creditfactory.ledger.journal import (
    JournalEntry,
    Posting,
    balances,
    reversal_of,
    trial_balance,
)

__all__ = [
    "CHART_V1",
    "A",
    "Account",
    "AccountType",
    "ChartOfAccounts",
    "EmptyEntry",
    "JournalEntry",
    "LedgerError",
    "Posting",
    "UnbalancedEntry",
    "UnknownAccount",
    "balances",
    "reversal_of",
    "trial_balance",
]
