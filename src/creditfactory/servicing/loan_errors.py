"""Loan-lifecycle errors (leaves of `ServicingError`).

```
ServicingError
├── InvalidLoanTransition     a status change the lifecycle table does not allow
├── LimitExceeded             a drawdown above the facility's available limit
├── RepaymentRejected         a repayment that is zero, negative or on a closed loan
└── BusinessDateOutOfOrder    an operation dated before the loan's last closed business date
```
"""

from __future__ import annotations

from creditfactory.servicing.errors import ServicingError

__all__ = ["BusinessDateOutOfOrder", "InvalidLoanTransition", "LimitExceeded", "RepaymentRejected"]


class InvalidLoanTransition(ServicingError):
    """The lifecycle table does not allow this status change."""


class LimitExceeded(ServicingError):
    """A drawdown would take the facility above its limit."""


class RepaymentRejected(ServicingError):
    """A repayment cannot be taken (non-positive amount, loan not active)."""


class BusinessDateOutOfOrder(ServicingError):
    """An operation is dated before what the loan has already closed."""
