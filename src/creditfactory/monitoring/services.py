"""Monitoring use cases: raise alerts from warnings (and a model-level alert from a stability
check, `raise_model_alert`), work them, apply grade floors.

Each takes a `MonitoringUnitOfWork` and a Clock, changes aggregates in one transaction, and appends
one audit leaf per step (actor, action, subject = alert or loan id, payload) in that transaction.

Effects on servicing go through servicing, inside the same transaction (`uow.servicing(actor)`,
a servicing unit of work joined to it): FREEZE_UNDRAWN_LIMIT → `CreditFacility.freeze()` on every
active facility; ACCELERATE → `servicing.services.accelerate_loan` (加速到期) on every active loan;
DOWNGRADE and warning / contagion floors → `servicing.services.set_grade_floor` — the next
end-of-day re-grades the loan and posts the allowance change. REQUEST_INFORMATION and
ADD_COLLATERAL stay recorded tasks on the alert (no servicing use case; the officer follows up).

Automatic runs only *raise* floors. A risk officer releases one with `release_grade_floor`
(audited, reason required); afterwards the run does not raise the warning floor of that loan
again until its warning level is worse than when it was released (the contagion floor is a
regulatory rule and is never suppressed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from creditfactory.audit import AuditEntry
from creditfactory.audit import append as audit_append
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.ids import IdFactory
from creditfactory.monitoring.alerts import SLA_2025, Alert, AlertStep, DispositionAction, SLAPolicy
from creditfactory.monitoring.classification import contagion_floors
from creditfactory.monitoring.errors import InvalidFloorRelease
from creditfactory.monitoring.ports import FloorRelease, MonitoringUnitOfWork
from creditfactory.monitoring.rules import WarningLevel
from creditfactory.monitoring.warning import WarningAssessment
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.facility import FacilityStatus
from creditfactory.servicing.services import accelerate_loan, set_grade_floor

__all__ = [
    "AlertsRaised",
    "ModelAlert",
    "apply_grade_floors",
    "assign_alert",
    "dismiss_alert",
    "dispose_alert",
    "investigate_alert",
    "raise_alerts",
    "raise_model_alert",
    "release_grade_floor",
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


@dataclass(frozen=True)
class ModelAlert:
    """What `raise_model_alert` did: "opened", "escalated" or "unchanged", and the alert."""

    outcome: str
    alert_id: str
    level: WarningLevel


def raise_model_alert(
    uow: MonitoringUnitOfWork,
    clock: Clock,
    alert_id: str,
    subject: str,
    level: WarningLevel,
    contributors: tuple[str, ...],
    business_date: date,
    evidence: Mapping[str, Any],
) -> ModelAlert:
    """Raise a model-level alert (subject `alerts.model_subject`) once per `alert_id`, which the
    caller derives from (business date, spec digest): the subject's open alert is escalated
    when `level` is worse and otherwise left as it is; with none open, a new one is opened
    unless `alert_id` exists already (closed the same day: re-running the date adds nothing).
    `evidence` (JSON-able figures) goes into the step's audit leaf. One transaction."""
    now = clock.now()
    with uow:
        alert = uow.alerts.open_for(subject)
        if alert is not None:
            if not alert.escalate(level, contributors, now, evidence):
                return ModelAlert("unchanged", alert.alert_id, alert.level)
            uow.alerts.save(alert)
            outcome = "escalated"
        else:
            earlier = uow.alerts.find(alert_id)
            if earlier is not None:
                return ModelAlert("unchanged", earlier.alert_id, earlier.level)
            alert = Alert.raise_for(alert_id, subject, level, contributors, now,
                                    business_date.isoformat(), evidence=evidence)  # fmt: skip
            uow.alerts.add(alert)
            outcome = "opened"
        _audit(uow, alert.alert_id, alert.steps)
        uow.commit()
    return ModelAlert(outcome, alert.alert_id, alert.level)


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
    business_date: date | None = None,
) -> Alert:
    """Dispose with actions and carry out the ones servicing supports, all in one transaction:
    freeze the borrower's active facilities; accelerate every active loan on `business_date`
    (default: the clock's UTC date); raise every active loan's grade floor to `downgrade_to`.
    raises InvalidAlertTransition, DispositionIncomplete, servicing errors (nothing is kept)."""
    now = clock.now()
    with uow:
        alert = uow.alerts.get(alert_id)
        alert.dispose(actions, actor, now, note)
        _step(uow, alert)
        reason = f"alert {alert_id}" + (f": {note}" if note else "")
        if DispositionAction.FREEZE_UNDRAWN_LIMIT in actions:
            _freeze(uow, alert.borrower_id, actor, now)
        claims = uow.book.claims(alert.borrower_id)
        if DispositionAction.ACCELERATE in actions:
            on = business_date or now.astimezone(UTC).date()
            for c in claims:
                accelerate_loan(uow.servicing(actor), clock, c.loan_id, on, reason)
        if DispositionAction.DOWNGRADE in actions:
            floors = {c.loan_id: downgrade_to for c in claims}
            _raise_floors(uow, clock, floors, actor, reason)
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
    uow: MonitoringUnitOfWork,
    clock: Clock,
    floors: Mapping[str, LoanGrade],
    actor: str,
    reason: str,
) -> list[str]:
    """Raise each loan's grade_floor to its target (through servicing's `set_grade_floor`) when
    the target is worse; returns the loan ids changed."""
    changed, entries = [], []
    for loan in uow.loans.get_many(sorted(floors)):
        target = floors[loan.loan_id]
        if target.rank <= loan.grade_floor.rank:
            continue
        payload = {"from": loan.grade_floor.value, "to": target.value, "reason": reason}
        set_grade_floor(uow.servicing(actor), clock, loan.loan_id, target, reason)
        changed.append(loan.loan_id)
        entries.append(
            AuditEntry(actor, "monitoring.grade_floor_raised", loan.loan_id, payload, clock.now())
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
    raises `Loan.grade_floor` where the target is worse (end-of-day posts the effect). A warning
    floor a person released is not raised again while the loan's level is no worse than at the
    release. Returns the ids of the loans whose floor was raised."""
    with uow:
        floors: dict[str, LoanGrade] = {}
        for borrower_id in borrower_ids:
            claims = uow.book.claims(borrower_id)
            floors.update(contagion_floors(claims))
            warned = [c.loan_id for c in claims if c.loan_id in loan_assessments]
            released = uow.releases.latest(warned) if warned else {}
            for loan_id in warned:
                a = loan_assessments[loan_id]
                at_release = released.get(loan_id)
                if at_release is None or a.level.rank > at_release.rank:
                    floors[loan_id] = floors[loan_id].worst(a.grade_floor)
        targets = {k: v for k, v in floors.items() if v is not LoanGrade.PASS}
        changed = _raise_floors(uow, clock, targets, actor, "monitoring warning / contagion")
        uow.commit()
    return changed


def release_grade_floor(
    uow: MonitoringUnitOfWork,
    clock: Clock,
    loan_id: str,
    actor: str,
    reason: str,
    to: LoanGrade = LoanGrade.PASS,
) -> FloorRelease:
    """A risk officer lowers (releases) a loan's grade floor to `to`, through servicing's
    `set_grade_floor`, recording who, why and the loan's warning level then (audited, one
    transaction). raises InvalidFloorRelease (no reason; `to` not below the current floor),
    LoanNotFound."""
    if not reason.strip():
        raise InvalidFloorRelease(f"loan {loan_id}: releasing a floor needs a reason")
    now = clock.now()
    with uow:
        loan = uow.loans.get(loan_id)
        if to.rank >= loan.grade_floor.rank:
            raise InvalidFloorRelease(
                f"loan {loan_id}: floor {loan.grade_floor.value} is not above {to.value}"
            )
        release = FloorRelease(
            loan_id,
            uow.releases.warning_level(loan_id),
            loan.grade_floor.value,
            to.value,
            actor,
            reason.strip(),
            now,
        )
        set_grade_floor(uow.servicing(actor), clock, loan_id, to, reason.strip())
        uow.releases.add(release)
        payload = {"from": release.from_floor, "to": release.to_floor,
                   "level": release.level.value, "reason": release.reason}  # fmt: skip
        audit_append(
            uow.audit,
            [AuditEntry(actor, "monitoring.grade_floor_released", loan_id, payload, now)],
        )
        uow.commit()
    return release
