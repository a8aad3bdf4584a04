"""Ports the monitoring use cases need (Protocols only; adapters implement them).

- `AlertRepository`: alerts by id (`get` raises when absent, `find` answers None), the open alert
  of a borrower (or model subject), new workflow steps saved with it.
- `BookIndex`: which loans and facilities a borrower has, and their claims (for contagion).
- `FloorReleases`: warning floors a risk officer released, and the loans' latest warning level.
- `MonitoringUnitOfWork`: one transaction over servicing's loans and facilities, the alerts, the
  book index, the floor releases and the audit log — an alert step, its effect on servicing and
  its audit leaf commit together. `servicing(actor)` is a servicing `UnitOfWork` joined to that
  transaction, so servicing's own use cases (加速到期, grade floors) run inside it.
- `EventFeed`: a source of feed lines (file or an HTTP poller), paged by an opaque cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol

from creditfactory.audit.ports import AuditStore
from creditfactory.monitoring.alerts import Alert
from creditfactory.monitoring.classification import Claim
from creditfactory.monitoring.rules import WarningLevel
from creditfactory.servicing.ports import FacilityRepository, LoanRepository, UnitOfWork

__all__ = [
    "AlertRepository",
    "BookIndex",
    "EventFeed",
    "FeedPage",
    "FloorRelease",
    "FloorReleases",
    "MonitoringUnitOfWork",
]


class AlertRepository(Protocol):
    """Alerts; `save` enforces optimistic concurrency on `Alert.version` and stores new steps."""

    def add(self, alert: Alert) -> None: ...

    def get(self, alert_id: str) -> Alert: ...

    def find(self, alert_id: str) -> Alert | None: ...

    def save(self, alert: Alert) -> None: ...

    def open_for(self, borrower_id: str) -> Alert | None: ...


class BookIndex(Protocol):
    """Read-only questions about the book."""

    def facility_ids(self, borrower_id: str) -> Sequence[str]: ...

    def claims(self, borrower_id: str) -> Sequence[Claim]: ...


@dataclass(frozen=True)
class FloorRelease:
    """A warning floor released by a person: the loan's level then, floors before and after."""

    loan_id: str
    level: WarningLevel
    from_floor: str
    to_floor: str
    actor: str
    reason: str
    released_at: datetime


class FloorReleases(Protocol):
    """Released warning floors (append-only) and the loans' latest warning level."""

    def add(self, release: FloorRelease) -> None: ...

    def latest(self, loan_ids: Sequence[str]) -> dict[str, WarningLevel]: ...

    def warning_level(self, loan_id: str) -> WarningLevel: ...


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

    @property
    def releases(self) -> FloorReleases: ...

    def servicing(self, actor: str) -> UnitOfWork:
        """Servicing's unit of work on this transaction (its enter / commit are no-ops)."""
        ...

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
