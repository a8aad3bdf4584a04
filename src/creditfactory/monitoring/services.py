"""Monitoring use cases: raise alerts from warnings, work them, apply grade floors.

Each takes a `MonitoringUnitOfWork` and a Clock, changes aggregates in one transaction, and appends
one audit leaf per step (actor, action, subject = alert or loan id, payload) in that transaction.

Effects on servicing go through servicing's own aggregates: `CreditFacility.freeze()` for
FREEZE_UNDRAWN_LIMIT; `Loan.grade_floor` for DOWNGRADE and for warning / contagion floors — the
next end-of-day applies the floor and posts the allowance change to the ledger. Monitoring only
raises floors; lowering one is a human re-grading decision outside this module. ACCELERATE,
REQUEST_INFORMATION and ADD_COLLATERAL are recorded on the alert for the officer's follow-up (no
servicing use case executes them yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from creditfactory.audit import AuditEntry
from creditfactory.audit import append as audit_append
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.ids import IdFactory
from creditfactory.monitoring.alerts import SLA_2025, Alert, AlertStep, DispositionAction, SLAPolicy
from creditfactory.monitoring.classification import target_floors
from creditfactory.monitoring.ports import MonitoringUnitOfWork
from creditfactory.monitoring.warning import WarningAssessment
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.facility import FacilityStatus

__all__ = [
    "AlertsRaised",
    "apply_grade_floors",
    "assign_alert",
    "dismiss_alert",
    "dispose_alert",
    "investigate_alert",
    "raise_alerts",
]


@dataclass(frozen=True)
class AlertsRaised:
    """What `raise_alerts` did."""

    opened: tuple[str, ...]
    escalated: tuple[str, ...]


def _audit(uow: MonitoringUnitOfWork, subject: str, steps: list[AlertStep]) -> None:
    entries = [
        AuditEntry(
            actor=s.actor,
            action=s.action,
            subject=subject,
            payload={"status": s.status.value, **s.detail},
            recorded_at=s.at,
        )
        for s in steps
    ]
    audit_append(uow.audit, entries)


def raise_alerts(
    uow: MonitoringUnitOfWork,
    clock: Clock,
    ids: IdFactory,
    assessments: Mapping[str, WarningAssessment],
    business_date: date,
    sla: SLAPolicy = SLA_2025,
) -> AlertsRaised:
    """Open an alert for each borrower at or above `sla.alert_from` without an open one; escalate
    the open one when the level got worse. One transaction."""
    opened: list[str] = []
    escalated: list[str] = []
    now = clock.now()
    with uow:
        for borrower_id, a in sorted(assessments.items()):
            if a.level.rank < sla.alert_from.rank:
                continue
            kinds = tuple(c.kind for c in a.contributors)
            alert = uow.alerts.open_for(borrower_id)
            if alert is None:
                alert = Alert.raise_for(
                    ids.new("alert"),
                    borrower_id,
                    a.level,
                    kinds,
                    now,
                    business_date.isoformat(),
                    sla,
                )
                uow.alerts.add(alert)
                opened.append(alert.alert_id)
            elif alert.escalate(a.level, kinds, now):
                uow.alerts.save(alert)
                escalated.append(alert.alert_id)
            else:
                continue
            _audit(uow, alert.alert_id, alert.steps)
            alert.steps.clear()
        uow.commit()
    return AlertsRaised(tuple(opened), tuple(escalated))


def _step(uow: MonitoringUnitOfWork, alert: Alert) -> None:
    uow.alerts.save(alert)
    _audit(uow, alert.alert_id, alert.steps)


def assign_alert(
    uow: MonitoringUnitOfWork, clock: Clock, alert_id: str, assignee: str, actor: str
) -> Alert:
    """Assign (or re-assign) an alert; raises InvalidAlertTransition."""
    with uow:
        alert = uow.alerts.get(alert_id)
        alert.assign(assignee, actor, clock.now())
        _step(uow, alert)
        uow.commit()
    return alert


def investigate_alert(uow: MonitoringUnitOfWork, clock: Clock, alert_id: str, actor: str) -> Alert:
    """Start the investigation; raises InvalidAlertTransition."""
    with uow:
        alert = uow.alerts.get(alert_id)
        alert.investigate(actor, clock.now())
        _step(uow, alert)
        uow.commit()
    return alert


def dismiss_alert(
    uow: MonitoringUnitOfWork, clock: Clock, alert_id: str, reason: str, actor: str
) -> Alert:
    """Dismiss with a reason; raises InvalidAlertTransition, DispositionIncomplete."""
    with uow:
        alert = uow.alerts.get(alert_id)
        alert.dismiss(reason, actor, clock.now())
        _step(uow, alert)
        uow.commit()
    return alert


def dispose_alert(
    uow: MonitoringUnitOfWork,
    clock: Clock,
    alert_id: str,
    actions: tuple[DispositionAction, ...],
    actor: str,
    note: str = "",
    downgrade_to: LoanGrade = LoanGrade.SPECIAL_MENTION,
) -> Alert:
    """Dispose with actions and carry out the ones servicing supports (freeze the borrower's
    active facilities; raise every loan's grade floor to `downgrade_to`), all in one transaction.
    raises InvalidAlertTransition, DispositionIncomplete, InvalidLoanTransition."""
    now = clock.now()
    with uow:
        alert = uow.alerts.get(alert_id)
        alert.dispose(actions, actor, now, note)
        _step(uow, alert)
        if DispositionAction.FREEZE_UNDRAWN_LIMIT in actions:
            _freeze(uow, alert.borrower_id, actor, now)
        if DispositionAction.DOWNGRADE in actions:
            floors = {c.loan_id: downgrade_to for c in uow.book.claims(alert.borrower_id)}
            _raise_floors(uow, floors, actor, now)
        uow.commit()
    return alert


def _freeze(uow: MonitoringUnitOfWork, borrower_id: str, actor: str, now: datetime) -> None:
    entries = []
    for facility_id in uow.book.facility_ids(borrower_id):
        facility = uow.facilities.get(facility_id)
        if facility.status is FacilityStatus.ACTIVE:
            facility.freeze()
            uow.facilities.save(facility)
            payload = {"borrower_id": borrower_id}
            entries.append(
                AuditEntry(actor, "monitoring.facility_frozen", facility_id, payload, now)
            )
    audit_append(uow.audit, entries)


def _raise_floors(
    uow: MonitoringUnitOfWork, floors: Mapping[str, LoanGrade], actor: str, now: datetime
) -> list[str]:
    """Raise each loan's grade_floor to its target when the target is worse; returns loan ids."""
    changed, entries = [], []
    loans = uow.loans.get_many(sorted(floors))
    for loan in loans:
        target = floors[loan.loan_id]
        if target.rank <= loan.grade_floor.rank:
            continue
        payload = {"from": loan.grade_floor.value, "to": target.value}
        loan.grade_floor = target
        uow.loans.save(loan)
        changed.append(loan.loan_id)
        entries.append(
            AuditEntry(actor, "monitoring.grade_floor_raised", loan.loan_id, payload, now)
        )
    audit_append(uow.audit, entries)
    return changed


def apply_grade_floors(
    uow: MonitoringUnitOfWork,
    clock: Clock,
    loan_assessments: Mapping[str, WarningAssessment],
    borrower_ids: list[str],
    actor: str = "system:monitoring",
) -> list[str]:
    """Warning floors and the debtor contagion rule for `borrower_ids`, in one transaction:
    raises `Loan.grade_floor` where the target is worse (end-of-day posts the effect). Returns the
    ids of the loans whose floor was raised."""
    with uow:
        floors: dict[str, LoanGrade] = {}
        for borrower_id in borrower_ids:
            claims = uow.book.claims(borrower_id)
            warning = {
                c.loan_id: loan_assessments[c.loan_id].grade_floor
                for c in claims
                if c.loan_id in loan_assessments
            }
            floors.update(target_floors(claims, warning))
        changed = _raise_floors(
            uow, {k: v for k, v in floors.items() if v is not LoanGrade.PASS}, actor, clock.now()
        )
        uow.commit()
    return changed
