"""Alerts that people work: open → assigned → investigating → disposed | dismissed.

```
OPEN ──assign──▶ ASSIGNED ──investigate──▶ INVESTIGATING ──dispose(actions)──▶ DISPOSED
                  ▲    │ (re-assign)                       └──dismiss(reason)──▶ DISMISSED
                  └────┘
```
An alert is raised for a borrower whose warning reaches `SLAPolicy.alert_from` (orange); while it
is not closed a worse level escalates it (`escalate`) instead of opening another. SLA timers: each
stage has a due time from the level's policy (red: assign within 1 day, decide within 5; orange: 3
and 10); `breached(now)` says whether the current stage is late. Times are tz-aware UTC and come
from the caller's Clock. Every step appends an `AlertStep` (the audit payload) to `steps`.

A model-level alert (live score PSI / CSI drift of a served scorecard) uses the same workflow;
its subject, kept where a borrower's id goes, is `model_subject(spec_digest)` ("model:" + the
first 32 hex of the spec digest): "act" opens it red, "watch" orange. Disposal actions that act
on a borrower's loans find none for it; an officer records what was done (e.g. a recalibration
request) in the note or dismisses it with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Final

from creditfactory.monitoring.errors import DispositionIncomplete, InvalidAlertTransition
from creditfactory.monitoring.rules import WarningLevel

__all__ = [
    "SLA_2025",
    "Alert",
    "AlertStatus",
    "AlertStep",
    "DispositionAction",
    "SLAPolicy",
    "model_subject",
]

MODEL_SUBJECT_PREFIX: Final = "model:"


def model_subject(spec_digest: str) -> str:
    """The alert subject of a served model: "model:" + the first 32 hex of its spec digest."""
    return MODEL_SUBJECT_PREFIX + spec_digest[:32]


class AlertStatus(str, Enum):
    """Where an alert is in its workflow."""

    OPEN = "open"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    DISPOSED = "disposed"
    DISMISSED = "dismissed"

    @property
    def closed(self) -> bool:
        """DISPOSED or DISMISSED."""
        return self in (AlertStatus.DISPOSED, AlertStatus.DISMISSED)


class DispositionAction(str, Enum):
    """What the officer decided (services carry out the ones servicing can execute)."""

    FREEZE_UNDRAWN_LIMIT = "freeze_undrawn_limit"  # 冻结额度
    REQUEST_INFORMATION = "request_information"
    ADD_COLLATERAL = "add_collateral"
    ACCELERATE = "accelerate"  # 提前收回
    DOWNGRADE = "downgrade"  # set a grade floor


_NEXT: Final = {
    AlertStatus.OPEN: frozenset({AlertStatus.ASSIGNED}),
    AlertStatus.ASSIGNED: frozenset({AlertStatus.ASSIGNED, AlertStatus.INVESTIGATING}),
    AlertStatus.INVESTIGATING: frozenset({AlertStatus.DISPOSED, AlertStatus.DISMISSED}),
    AlertStatus.DISPOSED: frozenset(),
    AlertStatus.DISMISSED: frozenset(),
}


@dataclass(frozen=True)
class SLAPolicy:
    """Versioned SLA: hours to assign and hours to decide, per level; which level opens alerts."""

    version: str
    alert_from: WarningLevel
    assign_hours: dict[WarningLevel, int]
    decide_hours: dict[WarningLevel, int]


SLA_2025: Final = SLAPolicy(
    version="sla-2025.1",
    alert_from=WarningLevel.ORANGE,
    assign_hours={WarningLevel.ORANGE: 72, WarningLevel.RED: 24},
    decide_hours={WarningLevel.ORANGE: 240, WarningLevel.RED: 120},
)


@dataclass(frozen=True)
class AlertStep:
    """One workflow step, as recorded on the audit log."""

    action: str
    actor: str
    at: datetime
    status: AlertStatus
    detail: dict[str, Any]


@dataclass
class Alert:
    """An early-warning alert on one borrower (aggregate; `version` for optimistic locking)."""

    alert_id: str
    borrower_id: str
    level: WarningLevel
    opened_at: datetime
    business_date_opened: str
    contributors: tuple[str, ...]
    sla: SLAPolicy = SLA_2025
    status: AlertStatus = AlertStatus.OPEN
    assignee: str | None = None
    due_at: datetime | None = None
    actions: tuple[DispositionAction, ...] = ()
    reason: str | None = None
    closed_at: datetime | None = None
    version: int = 0
    steps: list[AlertStep] = field(default_factory=list)

    @classmethod
    def raise_for(
        cls,
        alert_id: str,
        borrower_id: str,
        level: WarningLevel,
        contributors: tuple[str, ...],
        at: datetime,
        business_date: str,
        sla: SLAPolicy = SLA_2025,
        evidence: Mapping[str, Any] | None = None,
    ) -> Alert:
        """Open an alert (EarlyWarningRaised); due to be assigned within the level's SLA.
        `evidence` (JSON-able) joins the opening step's audit payload."""
        alert = cls(alert_id, borrower_id, level, at, business_date, contributors, sla)
        alert.due_at = at + timedelta(hours=sla.assign_hours[level])
        detail = {"level": level.value, **(evidence or {})}
        alert._record("monitoring.alert_opened", "system:monitoring", at, detail)
        return alert

    def _record(self, action: str, actor: str, at: datetime, detail: dict[str, Any]) -> None:
        self.steps.append(AlertStep(action, actor, at, self.status, detail))

    def _move(self, to: AlertStatus) -> None:
        if to not in _NEXT[self.status]:
            raise InvalidAlertTransition(
                f"alert {self.alert_id}: {self.status.value} → {to.value} is not allowed"
            )
        self.status = to

    def assign(self, assignee: str, actor: str, at: datetime) -> None:
        """Give the alert to an officer (or to another one)."""
        self._move(AlertStatus.ASSIGNED)
        self.assignee = assignee
        self.due_at = at + timedelta(hours=self.sla.decide_hours[self.level])
        self._record("monitoring.alert_assigned", actor, at, {"assignee": assignee})

    def investigate(self, actor: str, at: datetime) -> None:
        """The assignee starts work (the decision clock keeps running)."""
        self._move(AlertStatus.INVESTIGATING)
        self._record("monitoring.alert_investigating", actor, at, {})

    def dispose(
        self, actions: tuple[DispositionAction, ...], actor: str, at: datetime, note: str = ""
    ) -> None:
        """Close with at least one action; raises DispositionIncomplete without one."""
        if not actions:
            raise DispositionIncomplete(
                f"alert {self.alert_id}: disposal needs at least one action"
            )
        self._move(AlertStatus.DISPOSED)
        self.actions, self.closed_at, self.due_at = actions, at, None
        detail = {"actions": [a.value for a in actions], "note": note}
        self._record("monitoring.alert_disposed", actor, at, detail)

    def dismiss(self, reason: str, actor: str, at: datetime) -> None:
        """Close without action; the reason is required (it is the evidence of the judgement)."""
        if not reason.strip():
            raise DispositionIncomplete(f"alert {self.alert_id}: dismissal needs a reason")
        self._move(AlertStatus.DISMISSED)
        self.reason, self.closed_at, self.due_at = reason.strip(), at, None
        self._record("monitoring.alert_dismissed", actor, at, {"reason": self.reason})

    def escalate(
        self,
        level: WarningLevel,
        contributors: tuple[str, ...],
        at: datetime,
        evidence: Mapping[str, Any] | None = None,
    ) -> bool:
        """A worse level while open: raise the level, keep the earlier due time if sooner.
        Returns True when the level changed; `evidence` joins the step's audit payload."""
        if self.status.closed or level.rank <= self.level.rank:
            return False
        self.level, self.contributors = level, contributors
        hours = self.sla.assign_hours if self.status is AlertStatus.OPEN else self.sla.decide_hours
        tighter = at + timedelta(hours=hours[level])
        self.due_at = tighter if self.due_at is None else min(self.due_at, tighter)
        detail = {"level": level.value, **(evidence or {})}
        self._record("monitoring.alert_escalated", "system:monitoring", at, detail)
        return True

    def breached(self, now: datetime) -> bool:
        """True when the current stage is past its SLA due time."""
        return self.due_at is not None and now > self.due_at

    def age_days(self, now: datetime) -> int:
        """Whole days since the alert opened (until it closed)."""
        end = self.closed_at or now
        return (end - self.opened_at).days
