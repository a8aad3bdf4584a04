"""Errors of the servicing context.

```
DomainError
└── ServicingError
    └── ScheduleDoesNotAmortize    the rounded installments do not pay the principal down to zero
                                   exactly at the last installment
```
Bad input (a non-positive principal, a first due date before the start) is a kernel
`ValidationError(field, rule)`, raised where the terms are built.
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = ["ScheduleDoesNotAmortize", "ServicingError"]


class ServicingError(DomainError):
    """A loan-servicing rule was broken."""


class ScheduleDoesNotAmortize(ServicingError):
    """The installments would overpay before the end or leave principal after it.

    Happens when an installment multiple is too coarse for the loan (the rounded level payment
    retires the balance early) or when a period's interest exceeds the level payment.
    """
