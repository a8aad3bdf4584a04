"""Internal signals from the bank's own book: DPD, roll to a worse bucket, repeated late payment,
utilisation spikes (DOMAIN.md §5.2 "overdue or extension", bank warning lists).

A `LoanObservation` is what one monitoring run sees of a loan: today's DPD and bucket, the bucket
at the previous run, the dates on which the loan went from current to overdue (late episodes), and
its facility's utilisation now and at the previous run (Decimal fractions, None without a facility).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from creditfactory.monitoring.warning import SignalHit
from creditfactory.servicing.classification import DPDBucket, dpd_bucket

__all__ = [
    "LoanObservation",
    "bucket_rolled",
    "dpd_kind",
    "internal_hits",
    "repeated_late",
    "utilisation_spike",
]

_BUCKETS: Final = list(DPDBucket)
REPEATED_LATE_EPISODES: Final = 3
REPEATED_LATE_WINDOW_DAYS: Final = 365
SPIKE_POINTS: Final = Decimal("0.30")
SPIKE_LEVEL: Final = Decimal("0.90")


@dataclass(frozen=True)
class LoanObservation:
    """One loan as a monitoring run sees it on `as_of`."""

    loan_id: str
    borrower_id: str
    as_of: date
    dpd: int
    previous_bucket: DPDBucket = DPDBucket.CURRENT
    late_episodes: tuple[date, ...] = field(default_factory=tuple)
    utilisation: Decimal | None = None
    previous_utilisation: Decimal | None = None


def dpd_kind(dpd: int) -> str | None:
    """STATE signal for the current DPD: 1–30, 31–90, > 90 (the 次级 floor edge)."""
    if dpd > 90:
        return "internal_dpd_over_90"
    if dpd > 30:
        return "internal_dpd_31_90"
    if dpd > 0:
        return "internal_dpd_1_30"
    return None


def bucket_rolled(previous: DPDBucket, current: DPDBucket) -> bool:
    """True when an already overdue loan moved to a worse bucket than at the previous run (going
    from current to overdue is the DPD signal itself, not a roll)."""
    return previous is not DPDBucket.CURRENT and _BUCKETS.index(current) > _BUCKETS.index(previous)


def repeated_late(episodes: tuple[date, ...], as_of: date) -> bool:
    """≥ 3 late episodes (current → overdue) within the 365 days up to `as_of`."""
    since = as_of - timedelta(days=REPEATED_LATE_WINDOW_DAYS)
    return sum(1 for d in episodes if since < d <= as_of) >= REPEATED_LATE_EPISODES


def utilisation_spike(previous: Decimal | None, current: Decimal | None) -> bool:
    """Utilisation up by ≥ 30 points since the previous run and now ≥ 90 %."""
    if previous is None or current is None:
        return False
    return current - previous >= SPIKE_POINTS and current >= SPIKE_LEVEL


def internal_hits(obs: LoanObservation) -> list[SignalHit]:
    """The internal signals of one loan on `obs.as_of`."""
    kinds = [dpd_kind(obs.dpd)]
    if bucket_rolled(obs.previous_bucket, dpd_bucket(obs.dpd)):
        kinds.append("internal_bucket_roll")
    if obs.as_of in obs.late_episodes and repeated_late(obs.late_episodes, obs.as_of):
        kinds.append("internal_repeated_late")
    if utilisation_spike(obs.previous_utilisation, obs.utilisation):
        kinds.append("internal_utilisation_spike")
    return [
        SignalHit(obs.borrower_id, kind, obs.as_of, obs.loan_id, obs.loan_id)
        for kind in kinds
        if kind is not None
    ]
