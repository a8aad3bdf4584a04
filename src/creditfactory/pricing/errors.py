"""Errors of the pricing context.

```
CreditFactoryError
├── ValidationError                 bad input (PD outside [0, 1], negative EAD, date before the LPR series, …)
└── DomainError
    └── PricingError
        ├── GradeNotPriced          the PD lies above every band of the rate card
        ├── UnknownProduct          no product terms / LGD row for the code given
        └── ChurnTableInvalid       an acceptance curve that cannot be optimised (no rows, churn outside [0, 1])
```
Bad inputs at the edge raise the kernel's `ValidationError(field, rule)`; rules of pricing raise a
`PricingError` leaf. A rate above the all-in ceiling is not an error: the offer carries `refused=True`
and the reason, so the decision record keeps it.
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = [
    "ChurnTableInvalid",
    "GradeNotPriced",
    "PricingError",
    "UnknownProduct",
]


class PricingError(DomainError):
    """A pricing rule was broken."""


class GradeNotPriced(PricingError):
    """The PD lies above the highest band of the rate card: the grade is not lent to."""


class UnknownProduct(PricingError):
    """A product or collateral code has no row in the versioned data."""


class ChurnTableInvalid(PricingError):
    """An acceptance (churn) curve has no rows or values outside [0, 1]."""
