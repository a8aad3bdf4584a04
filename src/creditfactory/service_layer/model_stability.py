"""Live model stability: score PSI and CSI per characteristic of the stored decisions of a window
ending on a business date, against each spec's development sample, and the alert it raises.

`check_model_stability` reads the automatic decisions made in the `window_days` Chinese calendar
days up to and including the business date (decided_at in [start 00:00 CST, end + 1 day 00:00
CST)), groups them by the spec digest each record names, loads that spec and compares its
decisions with its own development distribution (`scoring.stability.stability_against_development`:
the bins' counts, the training score deciles). The served spec is the one of the window's latest
decision; other specs that decided inside the window (one replaced during it, or another
product's model) are reported beside it, latest first. The overall
status is the worst of every status (stable < no_reference < insufficient < watch < act).

`raise_stability_alerts` raises one model-level monitoring alert per spec whose status is watch
(orange) or act (red), idempotent per (business date, spec digest)
(`monitoring.services.raise_model_alert`), with the figures in its audit leaf.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from hashlib import sha256
from typing import Any, Protocol

from creditfactory.kernel.clock import CHINA_STANDARD_TIME, Clock
from creditfactory.kernel.errors import ValidationError
from creditfactory.monitoring.alerts import model_subject
from creditfactory.monitoring.ports import MonitoringUnitOfWork
from creditfactory.monitoring.rules import WarningLevel
from creditfactory.monitoring.services import ModelAlert, raise_model_alert
from creditfactory.origination.served_values import never_served
from creditfactory.scoring import load_spec
from creditfactory.scoring.errors import ScoringError
from creditfactory.scoring.runtime import FeatureValue
from creditfactory.scoring.spec import ScorecardSpec
from creditfactory.scoring.stability import (
    MIN_DECISIONS,
    PSI_ACT,
    PSI_WATCH,
    SpecStability,
    StabilityItem,
    StabilityStatus,
    stability_against_development,
    worst,
)

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "MAX_WINDOW_DAYS",
    "DecisionHistory",
    "ModelStability",
    "ScoredDecision",
    "SpecWindow",
    "check_model_stability",
    "raise_stability_alerts",
    "stability_window",
]

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 366
ALERT_LEVEL = {StabilityStatus.ACT: WarningLevel.RED, StabilityStatus.WATCH: WarningLevel.ORANGE}


@dataclass(frozen=True, slots=True)
class ScoredDecision:
    """One automatic decision: the spec it was scored with, when, its score and its features."""

    spec_digest: str
    decided_at: datetime
    score: float
    features: Mapping[str, FeatureValue]


class DecisionHistory(Protocol):
    """Stored decisions and specs (adapters.storage.stability_store)."""

    def scored_between(self, start: datetime, end: datetime) -> Iterator[ScoredDecision]:
        """Automatic decisions with start ≤ decided_at < end, oldest first."""
        ...

    def spec_text(self, spec_digest: str) -> str | None:
        """The stored spec JSON of a digest, or None."""
        ...


def stability_window(business_date: date, window_days: int) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the `window_days` China days ending on `business_date`.
    raises ValidationError naming ``window_days`` outside 1..MAX_WINDOW_DAYS."""
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ValidationError("window_days", f"must be between 1 and {MAX_WINDOW_DAYS}")
    first = business_date - timedelta(days=window_days - 1)
    start = datetime.combine(first, time(), CHINA_STANDARD_TIME)
    end = datetime.combine(business_date + timedelta(days=1), time(), CHINA_STANDARD_TIME)
    return start, end


@dataclass(frozen=True)
class SpecWindow:
    """The decisions one spec made in the window and their stability; `spec` None when the
    digest is not stored (then nothing can be compared: no_reference)."""

    spec_digest: str
    spec: ScorecardSpec | None
    first_at: datetime
    last_at: datetime
    stability: SpecStability

    @property
    def status(self) -> StabilityStatus:
        """The worst status of its items."""
        return self.stability.status

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: digest, model, counts, score PSI and CSIs with zh/en labels and bins."""
        s = self.stability
        return {
            "spec_digest": self.spec_digest,
            "model_id": None if self.spec is None else self.spec.model_id,
            "decisions": s.decisions,
            "first_decided_at": self.first_at.isoformat(),
            "last_decided_at": self.last_at.isoformat(),
            "score_psi": s.score.value,
            "score_status": s.score.status.value,
            "score_bins": _bins(s.score),
            "characteristics": [] if self.spec is None else [
                _characteristic(self.spec, c) for c in s.characteristics
            ],
            "reference": _reference(s),
            "status": self.status.value,
        }  # fmt: skip


SCORE_REFERENCE_NOTE = (
    "score deciles: a spec trained from 2026-12-08 on recorded them over the development rows as "
    "the served path declares them (a no-answer as the worst real answer); an earlier spec over "
    "every development row, the rows left out above included, read as drift until retrained / "
    "评分分位数：2026-12-08 起训练的模型按在用流程的申报方式记录（未作答按最差真实回答），"
    "更早的模型含上述剔除的开发样本行"
)


def _reference(s: SpecStability) -> list[dict[str, Any]]:
    """The development rows left out of the reference (`scoring.stability.ReferenceNote`) and,
    when any are, what that means for the score PSI."""
    notes: list[dict[str, Any]] = [
        {"name": n.name, "left_out": list(n.left_out), "rows_left_out": n.rows_left_out,
         "development_rows": n.rows, "share_left_out": round(n.share_left_out, 4),
         "why": "the served path never scores these values (intake refuses them) / 在用流程不产生该取值"}
        for n in s.reference
    ]  # fmt: skip
    if notes:
        notes.append({"name": "score", "note": SCORE_REFERENCE_NOTE})
    return notes


def _characteristic(spec: ScorecardSpec, item: StabilityItem) -> dict[str, Any]:
    return {"name": item.name, "label_zh": spec.label(item.name, "zh"),
            "label_en": spec.label(item.name, "en"), "csi": item.value,
            "status": item.status.value, "bins": _bins(item)}  # fmt: skip


def _bins(item: StabilityItem) -> list[dict[str, Any]]:
    r = item.report
    if r is None:
        return []
    rows = zip(r.labels, r.expected_shares, r.actual_shares, r.terms, strict=True)
    return [{"bin": b, "development": e, "current": a, "term": t} for b, e, a, t in rows]


@dataclass(frozen=True)
class ModelStability:
    """The check of one business date: the served spec's window first, then the other specs'."""

    business_date: date
    window_days: int
    min_decisions: int
    windows: tuple[SpecWindow, ...]
    alerts: tuple[ModelAlert, ...] = field(default=())

    @property
    def status(self) -> StabilityStatus:
        """The worst status of every spec's window; insufficient when there was no decision."""
        return worst(w.status for w in self.windows)

    @property
    def acts(self) -> bool:
        """True when any status is act (the CLI exits 3)."""
        return self.status is StabilityStatus.ACT

    def as_dict(self) -> dict[str, Any]:
        """The contract ``{"score_psi", "characteristics": [{"name", "csi", "status"}],
        "status"}`` for the served spec, with the window, counts, thresholds, other specs and
        the alerts raised."""
        served = self.windows[0].as_dict() if self.windows else _empty()
        first = self.business_date - timedelta(days=self.window_days - 1)
        return {
            "business_date": self.business_date.isoformat(),
            "window": {"days": self.window_days, "from": first.isoformat(),
                       "to": self.business_date.isoformat(), "timezone": "Asia/Shanghai"},
            "min_decisions": self.min_decisions,
            "thresholds": {"watch_from": PSI_WATCH, "act_above": PSI_ACT},
            **served,
            "status": self.status.value,
            "served_status": served["status"],
            "other_specs": [w.as_dict() for w in self.windows[1:]],
            "alerts": [{"alert_id": a.alert_id, "outcome": a.outcome, "level": a.level.value}
                       for a in self.alerts],
        }  # fmt: skip


def _empty() -> dict[str, Any]:
    return {"spec_digest": None, "model_id": None, "decisions": 0, "score_psi": None,
            "score_status": StabilityStatus.INSUFFICIENT.value, "score_bins": [],
            "characteristics": [], "reference": [],
            "status": StabilityStatus.INSUFFICIENT.value}  # fmt: skip


@dataclass
class _Group:
    first_at: datetime
    last_at: datetime
    scores: list[float] = field(default_factory=list)
    rows: list[Mapping[str, FeatureValue]] = field(default_factory=list)


def _spec(history: DecisionHistory, digest: str) -> ScorecardSpec | None:
    text = history.spec_text(digest)
    if text is None:
        return None
    try:
        return load_spec(text)
    except (ScoringError, KeyError, TypeError, ValueError) as exc:  # bad JSON or shape
        raise ValidationError("spec_digest", f"{digest[:12]}: the stored spec fails to load "
                              f"({exc})") from None  # fmt: skip


def _window(history: DecisionHistory, digest: str, g: _Group, minimum: int) -> SpecWindow:
    spec = _spec(history, digest)
    if spec is None:
        status = StabilityStatus.NO_REFERENCE if len(g.scores) >= minimum else (
            StabilityStatus.INSUFFICIENT)  # fmt: skip
        stability = SpecStability(len(g.scores), StabilityItem("score", status), ())
    else:
        stability = stability_against_development(
            spec, g.scores, g.rows, minimum, never_served(spec)
        )
    return SpecWindow(digest, spec, g.first_at, g.last_at, stability)


def check_model_stability(
    history: DecisionHistory,
    business_date: date,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_decisions: int = MIN_DECISIONS,
) -> ModelStability:
    """Score PSI and CSIs of the window's decisions per spec (module docstring). raises
    ValidationError naming ``window_days`` or ``spec_digest`` (a stored spec that fails to
    load)."""
    start, end = stability_window(business_date, window_days)
    groups: dict[str, _Group] = {}
    for d in history.scored_between(start, end):
        g = groups.setdefault(d.spec_digest, _Group(d.decided_at, d.decided_at))
        g.last_at = d.decided_at
        g.scores.append(d.score)
        g.rows.append(d.features)
    order = sorted(groups, key=lambda k: groups[k].last_at, reverse=True)  # served first
    windows = tuple(_window(history, k, groups[k], min_decisions) for k in order)
    return ModelStability(business_date, window_days, min_decisions, windows)


def _figure(value: float | None) -> str | None:
    """A PSI / CSI as decimal text for an audit payload (canonical JSON carries no floats)."""
    return None if value is None else f"{value:.6f}"


def _evidence(check: ModelStability, w: SpecWindow) -> dict[str, Any]:
    s = w.stability
    return {
        "business_date": check.business_date.isoformat(),
        "window_days": check.window_days,
        "spec_digest": w.spec_digest,
        "decisions": s.decisions,
        "status": w.status.value,
        "score_psi": _figure(s.score.value),
        "csi": {c.name: _figure(c.value) for c in s.characteristics},
    }


def _drifted(w: SpecWindow) -> tuple[str, ...]:
    items = [w.stability.score, *w.stability.characteristics]
    return tuple(f"{i.name}:{i.status.value}" for i in items if i.status in ALERT_LEVEL)


def raise_stability_alerts(
    make_uow: Callable[[], MonitoringUnitOfWork], clock: Clock, check: ModelStability
) -> ModelStability:
    """Raise a model alert for each spec window at watch or act (module docstring); returns the
    check with the alerts. `make_uow()` gives a new `MonitoringUnitOfWork` per alert."""
    raised: list[ModelAlert] = []
    for w in check.windows:
        level = ALERT_LEVEL.get(w.status)
        if level is None:
            continue
        key = sha256(f"{check.business_date.isoformat()}|{w.spec_digest}".encode()).hexdigest()
        raised.append(raise_model_alert(
            make_uow(), clock, "alert_model_" + key[:24], model_subject(w.spec_digest), level,
            _drifted(w), check.business_date, _evidence(check, w),
        ))  # fmt: skip
    return ModelStability(check.business_date, check.window_days, check.min_decisions,
                          check.windows, tuple(raised))  # fmt: skip
