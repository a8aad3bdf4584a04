"""Ports the monitoring use cases need (Protocols only; adapters implement them).

- `AlertRepository`: alerts by id, the open alert of a borrower, new workflow steps saved with it.
- `BookIndex`: which loans and facilities a borrower has, and their claims (for contagion).
- `MonitoringUnitOfWork`: one transaction over servicing's loans and facilities, the alerts, the
  book index and the audit log — an alert step, its effect on servicing and its audit leaf
  commit together.
- `EventFeed`: a source of feed lines (file or an HTTP poller), paged by an opaque cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from creditfactory.audit.ports import AuditStore
from creditfactory.monitoring.alerts import Alert
from creditfactory.monitoring.classification import Claim
from creditfactory.servicing.ports import FacilityRepository, LoanRepository

__all__ = [
    "AlertRepository",
    "BookIndex",
    "EventFeed",
    "FeedPage",
    "MonitoringUnitOfWork",
]


class AlertRepository(Protocol):
    """Alerts; `save` enforces optimistic concurrency on `Alert.version` and stores new steps."""

    def add(self, alert: Alert) -> None: ...

    def get(self, alert_id: str) -> Alert: ...

    def save(self, alert: Alert) -> None: ...

    def open_for(self, borrower_id: str) -> Alert | None: ...


class BookIndex(Protocol):
    """Read-only questions about the book."""

    def facility_ids(self, borrower_id: str) -> Sequence[str]: ...

    def claims(self, borrower_id: str) -> Sequence[Claim]: ...


class MonitoringUnitOfWork(Protocol):
    """One transaction over loans, facilities, alerts, the book index and the audit log."""

    @property
    def loans(self) -> LoanRepository: ...

    @property
    def facilities(self) -> FacilityRepository: ...

    @property
    def alerts(self) -> AlertRepository: ...

    @property
    def book(self) -> BookIndex: ...

    @property
    def audit(self) -> AuditStore: ...

    def __enter__(self) -> MonitoringUnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


@dataclass(frozen=True)
class FeedPage:
    """Raw feed lines (JSON objects as text) and the cursor to ask for the next page."""

    lines: Sequence[str]
    next_cursor: str | None


class EventFeed(Protocol):
    """A pollable event source; `fetch(None)` starts from the beginning."""

    def fetch(self, cursor: str | None) -> FeedPage: ...
