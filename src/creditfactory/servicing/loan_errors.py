"""Loan-lifecycle errors (leaves of `ServicingError`).

```
ServicingError
├── InvalidLoanTransition     a status change the lifecycle table does not allow
├── LimitExceeded             a drawdown above the facility's available limit
├── RepaymentRejected         a repayment that is zero, negative or on a closed loan
├── WriteOffNotEligible       a write-off of a loan that is not non-performing (不良)
└── BusinessDateOutOfOrder    an operation dated before the loan's last closed business date
```
"""

from __future__ import annotations

from creditfactory.servicing.errors import ServicingError

__all__ = [
    "BusinessDateOutOfOrder",
    "InvalidLoanTransition",
    "LimitExceeded",
    "RepaymentRejected",
    "WriteOffNotEligible",
]


class InvalidLoanTransition(ServicingError):
    """The lifecycle table does not allow this status change."""


class LimitExceeded(ServicingError):
    """A drawdown would take the facility above its limit."""


class RepaymentRejected(ServicingError):
    """A repayment cannot be taken (non-positive amount, loan not active)."""


class WriteOffNotEligible(ServicingError):
    """核销 is for non-performing loans only (次级, 可疑 or 损失; `repayment.write_off`)."""


class BusinessDateOutOfOrder(ServicingError):
    """An operation is dated before what the loan has already closed."""
