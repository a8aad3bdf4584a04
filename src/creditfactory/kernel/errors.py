"""The error tree shared by every context.

```
CreditFactoryError
├── ValidationError            bad input at an edge (names the field and the rule)
└── DomainError
    ├── MoneyError
    │   ├── CurrencyMismatch
    │   └── LossyMoneyOperation
    ├── CalendarError
    └── (one per context: ServicingError, LedgerError, PricingError, ScoringError, AuditError, …)
```
Contexts subclass `DomainError` in their own `errors.py`; adapters map the tree to exit codes and
HTTP statuses in one place each.
"""

from __future__ import annotations


class CreditFactoryError(Exception):
    """Root of every error creditfactory raises on purpose."""


class ValidationError(CreditFactoryError):
    """Input broke a rule; `field` names the input, `rule` says what was expected.

    The message reads "<field>: <rule>" so an edge can print it as one line.
    """

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class DomainError(CreditFactoryError):
    """A lending rule was broken inside the domain."""


class MoneyError(DomainError):
    """Money arithmetic was asked to do something it must not."""


class CurrencyMismatch(MoneyError):
    """Two amounts of different currencies were combined."""


class LossyMoneyOperation(MoneyError):
    """A float came near an amount (hordak's LossyCalculationError)."""


class CalendarError(DomainError):
    """A date lies outside the calendar data or an adjustment is unknown."""
