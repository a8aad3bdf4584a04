"""SQLAlchemy adapters for the monitoring ports: alerts, the book index, and a unit of work that
puts servicing's repositories, the alerts and the audit log on ONE connection and transaction.

`MonitoringSqlUnitOfWork(engine, clock)` wraps the servicing `SqlUnitOfWork` (same connection), so
an alert step, its effect on loans / facilities and its audit leaves commit together;
`servicing(actor)` hands servicing's use cases a unit of work on that same connection whose
enter / commit do nothing (the monitoring unit of work commits, or rolls back on an exception).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from creditfactory.adapters.storage.audit_store import SqlAuditStore
from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_alert_steps,
    monitoring_alerts,
    monitoring_floor_releases,
    monitoring_warnings,
)
from creditfactory.adapters.storage.repositories import ConcurrentUpdate
from creditfactory.adapters.storage.servicing_tables import facilities, installments, loans
from creditfactory.adapters.storage.unit_of_work import SqlAuditTrail, SqlUnitOfWork
from creditfactory.kernel.clock import Clock
from creditfactory.monitoring.alerts import SLA_2025, Alert, AlertStatus, DispositionAction
from creditfactory.monitoring.classification import Claim
from creditfactory.monitoring.ports import FloorRelease
from creditfactory.monitoring.rules import WarningLevel
from creditfactory.servicing.classification import LoanGrade

__all__ = [
    "AlertNotFound",
    "JoinedServicingUnitOfWork",
    "MonitoringSqlUnitOfWork",
    "SqlAlertRepository",
    "SqlBookIndex",
    "SqlFloorReleases",
]

_OPEN = [s.value for s in AlertStatus if not s.closed]


class AlertNotFound(LookupError):
    """No alert with that id."""


def _row(a: Alert) -> dict[str, Any]:
    return {
        "alert_id": a.alert_id,
        "borrower_id": a.borrower_id,
        "level": a.level.value,
        "status": a.status.value,
        "assignee": a.assignee,
        "opened_at": a.opened_at,
        "business_date_opened": a.business_date_opened,
        "contributors": ",".join(a.contributors),
        "due_at": a.due_at,
        "actions": ",".join(x.value for x in a.actions),
        "reason": a.reason,
        "closed_at": a.closed_at,
        "sla_version": a.sla.version,
    }


def _alert(r: Any) -> Alert:
    return Alert(
        alert_id=r.alert_id,
        borrower_id=r.borrower_id,
        level=WarningLevel(r.level),
        opened_at=r.opened_at,
        business_date_opened=r.business_date_opened,
        contributors=tuple(filter(None, r.contributors.split(","))),
        sla=SLA_2025,
        status=AlertStatus(r.status),
        assignee=r.assignee,
        due_at=r.due_at,
        actions=tuple(DispositionAction(x) for x in filter(None, r.actions.split(","))),
        reason=r.reason,
        closed_at=r.closed_at,
        version=r.version,
    )


class SqlAlertRepository:
    """`monitoring.ports.AlertRepository` on a connection; new steps are stored on add / save."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def _steps(self, alert: Alert) -> None:
        if not alert.steps:
            return
        query = select(monitoring_alert_steps.c.seq).where(
            monitoring_alert_steps.c.alert_id == alert.alert_id
        )
        start = max(self._db.execute(query).scalars(), default=0)
        rows = [
            {
                "alert_id": alert.alert_id,
                "seq": start + i,
                "action": s.action,
                "actor": s.actor,
                "at": s.at,
                "status": s.status.value,
                "detail": json.dumps(s.detail, ensure_ascii=False, sort_keys=True),
            }
            for i, s in enumerate(alert.steps, start=1)
        ]
        self._db.execute(insert(monitoring_alert_steps), rows)

    def add(self, alert: Alert) -> None:
        """Insert a new alert and its steps."""
        self._db.execute(insert(monitoring_alerts), [{**_row(alert), "version": alert.version}])
        self._steps(alert)

    def get(self, alert_id: str) -> Alert:
        """Load an alert (without its history); raises AlertNotFound."""
        found = self.find(alert_id)
        if found is None:
            raise AlertNotFound(f"alert_id: no alert {alert_id!r}")
        return found

    def find(self, alert_id: str) -> Alert | None:
        """Load an alert (without its history), or None."""
        row = self._db.execute(
            select(monitoring_alerts).where(monitoring_alerts.c.alert_id == alert_id)
        ).first()
        return None if row is None else _alert(row)

    def save(self, alert: Alert) -> None:
        """Write back if unchanged since loaded (optimistic); store the new steps."""
        t = monitoring_alerts.c
        result = self._db.execute(
            update(monitoring_alerts)
            .where(and_(t.alert_id == alert.alert_id, t.version == alert.version))
            .values(**_row(alert), version=alert.version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"alert {alert.alert_id} changed since version {alert.version}")
        alert.version += 1
        self._steps(alert)

    def open_for(self, borrower_id: str) -> Alert | None:
        """The borrower's alert that is not closed, if any."""
        t = monitoring_alerts.c
        row = self._db.execute(
            select(monitoring_alerts).where(t.borrower_id == borrower_id, t.status.in_(_OPEN))
        ).first()
        return None if row is None else _alert(row)

    def list(self, status: str | None = None) -> list[Alert]:
        """Alerts (optionally of one status), oldest first."""
        query = select(monitoring_alerts).order_by(
            monitoring_alerts.c.opened_at, monitoring_alerts.c.alert_id
        )
        if status is not None:
            query = query.where(monitoring_alerts.c.status == status)
        return [_alert(r) for r in self._db.execute(query)]


class SqlBookIndex:
    """`monitoring.ports.BookIndex`: a borrower's facilities and claims, from servicing's tables."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def facility_ids(self, borrower_id: str) -> Sequence[str]:
        """Facility ids of the borrower."""
        query = select(facilities.c.facility_id).where(facilities.c.borrower_id == borrower_id)
        return sorted(self._db.execute(query).scalars())

    def claims(self, borrower_id: str) -> Sequence[Claim]:
        """Active loans of the borrower as claims: grade and outstanding principal (principal −
        principal repaid − written off), yuan."""
        paid = (
            select(
                installments.c.loan_id, func.sum(installments.c.principal_paid_minor).label("paid")
            )
            .group_by(installments.c.loan_id)
            .subquery()
        )
        q = (
            select(
                loans.c.loan_id,
                loans.c.grade,
                loans.c.principal_minor,
                loans.c.written_off_minor,
                paid.c.paid,
            )
            .join(paid, paid.c.loan_id == loans.c.loan_id, isouter=True)
            .where(loans.c.borrower_id == borrower_id, loans.c.status == "active")
            .order_by(loans.c.loan_id)
        )
        return [
            Claim(
                r.loan_id,
                LoanGrade(r.grade),
                _yuan(r.principal_minor - (r.paid or 0) - r.written_off_minor),
            )
            for r in self._db.execute(q)
        ]


def _yuan(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


class SqlFloorReleases:
    """`monitoring.ports.FloorReleases` on a connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, release: FloorRelease) -> None:
        """Append one release."""
        self._db.execute(
            insert(monitoring_floor_releases),
            [{"loan_id": release.loan_id, "level": release.level.value,
              "from_floor": release.from_floor, "to_floor": release.to_floor,
              "actor": release.actor, "reason": release.reason,
              "released_at": release.released_at}],
        )  # fmt: skip

    def latest(self, loan_ids: Sequence[str]) -> dict[str, WarningLevel]:
        """The level recorded with each loan's latest release (loans never released absent)."""
        r = monitoring_floor_releases.c
        q = (
            select(r.loan_id, r.level)
            .where(r.loan_id.in_(list(loan_ids)))
            .order_by(r.loan_id, r.release_id)
        )
        return {loan_id: WarningLevel(level) for loan_id, level in self._db.execute(q)}

    def warning_level(self, loan_id: str) -> WarningLevel:
        """The loan's level at the latest monitoring run that warned it (green otherwise: runs
        store non-green warnings only, so a loan absent from the latest run is green)."""
        w = monitoring_warnings.c
        last = self._db.execute(select(func.max(w.business_date))).scalar()
        level = self._db.execute(
            select(w.level).where(
                w.business_date == last, w.subject_type == "loan", w.subject_id == loan_id
            )
        ).scalar()
        return WarningLevel(level) if level else WarningLevel.GREEN


class JoinedServicingUnitOfWork:
    """`servicing.ports.UnitOfWork` joined to a monitoring transaction: the same connection and
    repositories, audit leaves signed by `actor`; entering, commit and rollback do nothing — the
    owning unit of work commits, or rolls everything back when an exception leaves its block."""

    def __init__(self, inner: SqlUnitOfWork, actor: str, clock: Clock) -> None:
        self.loans = inner.loans
        self.facilities = inner.facilities
        self.journal = inner.journal
        self.idempotency = inner.idempotency
        self.audit = SqlAuditTrail(inner.connection, actor, clock)

    def __enter__(self) -> JoinedServicingUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        """Nothing: the monitoring unit of work commits."""

    def rollback(self) -> None:
        """Nothing: an exception leaving the monitoring block rolls the whole transaction back."""


class MonitoringSqlUnitOfWork:
    """`monitoring.ports.MonitoringUnitOfWork`: servicing repositories + alerts + book + audit."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._inner = SqlUnitOfWork(engine, clock)
        self._clock = clock

    def __enter__(self) -> MonitoringSqlUnitOfWork:
        inner = self._inner.__enter__()
        self.connection = inner.connection
        self.loans = inner.loans
        self.facilities = inner.facilities
        self.alerts = SqlAlertRepository(inner.connection)
        self.book = SqlBookIndex(inner.connection)
        self.audit = SqlAuditStore(inner.connection)
        self.releases = SqlFloorReleases(inner.connection)
        return self

    def servicing(self, actor: str) -> JoinedServicingUnitOfWork:
        """Servicing's unit of work on this transaction, signing audit leaves as `actor`."""
        return JoinedServicingUnitOfWork(self._inner, actor, self._clock)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        """Commit the one transaction."""
        self._inner.commit()
