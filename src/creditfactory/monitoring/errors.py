"""The monitoring context's errors.

```
DomainError
└── MonitoringError
    ├── InvalidAlertTransition   an alert step the state machine does not allow (e.g. dispose an
    │                            open alert, reopen a dismissed one)
    ├── DispositionIncomplete    disposing without an action, dismissing without a reason
    ├── InvalidFloorRelease      a floor release that does not lower the floor, or gives no reason
    ├── MalformedEvent           a feed record breaks the event schema (field and rule named)
    └── UnknownSignalKind        a signal kind that the rule book does not define
```
Batch ingestion never raises these per line: it collects them as `FeedReject` values and reports
them all (STYLE.md habit 5).
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = [
    "DispositionIncomplete",
    "InvalidAlertTransition",
    "InvalidFloorRelease",
    "MalformedEvent",
    "MonitoringError",
    "UnknownSignalKind",
]


class MonitoringError(DomainError):
    """Root of the monitoring context's errors."""


class InvalidAlertTransition(MonitoringError):
    """The alert state machine refuses this step."""


class DispositionIncomplete(MonitoringError):
    """A disposal names no action, or a dismissal gives no reason."""


class InvalidFloorRelease(MonitoringError):
    """Releasing a floor must lower it and give a reason."""


class MalformedEvent(MonitoringError):
    """A feed record breaks the event schema; `field` and `rule` say how."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class UnknownSignalKind(MonitoringError):
    """The rule book has no rule for this signal kind."""
