"""Ledger errors.

```
DomainError
└── LedgerError
    ├── UnbalancedEntry        debits ≠ credits (per currency) in one journal entry
    ├── UnknownAccount         a posting names an account not in the chart
    └── EmptyEntry             an entry with no postings, or a zero posting
```
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError


class LedgerError(DomainError):
    """A bookkeeping rule was broken."""


class UnbalancedEntry(LedgerError):
    """Debits and credits of one journal entry differ."""


class UnknownAccount(LedgerError):
    """A posting names an account that is not in the chart of accounts."""


class EmptyEntry(LedgerError):
    """A journal entry has no postings, or a posting of zero."""
