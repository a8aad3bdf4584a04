"""Population and characteristic stability: PSI and CSI with named thresholds.

``psi = Σ (actual_i − expected_i) · ln(actual_i / expected_i)`` over bin shares (toad, Siddiqi).
Bins from splits are ``(-inf, s1), [s1, s2), …, [sk, inf)``. A share of zero is floored at
`EMPTY_SHARE` so an empty bin gives a large but finite term. Thresholds (industry convention):
below `PSI_WATCH` stable, up to `PSI_ACT` watch, above act.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from creditfactory.scoring.runtime import FeatureValue, find_bin
from creditfactory.scoring.spec import Characteristic, ScorecardSpec

PSI_WATCH = 0.1
PSI_ACT = 0.25
EMPTY_SHARE = 1e-6


class StabilityStatus(StrEnum):
    """Reading of a PSI/CSI value against `PSI_WATCH` and `PSI_ACT`."""

    STABLE = "stable"
    WATCH = "watch"
    ACT = "act"


def stability_status(value: float) -> StabilityStatus:
    """< 0.1 stable, 0.1–0.25 watch, > 0.25 act."""
    if value < PSI_WATCH:
        return StabilityStatus.STABLE
    if value <= PSI_ACT:
        return StabilityStatus.WATCH
    return StabilityStatus.ACT


@dataclass(frozen=True, slots=True)
class PSIReport:
    """PSI (or CSI) value, its status and the per-bin shares and terms."""

    value: float
    status: StabilityStatus
    labels: tuple[str, ...]
    expected_shares: tuple[float, ...]
    actual_shares: tuple[float, ...]
    terms: tuple[float, ...]


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """PSI of two distributions given as bin counts or shares (same bins, same order)."""
    return _report(expected, actual, tuple(str(i) for i in range(len(expected)))).value


def _shares(counts: Sequence[float]) -> list[float]:
    total = float(sum(counts))
    if total <= 0:
        raise ValueError("a distribution needs a positive total")
    return [max(c / total, EMPTY_SHARE) for c in counts]


def _report(expected: Sequence[float], actual: Sequence[float], labels: Sequence[str]) -> PSIReport:
    if len(expected) != len(actual):
        raise ValueError("expected and actual need the same bins")
    e, a = _shares(expected), _shares(actual)
    terms = tuple((ai - ei) * math.log(ai / ei) for ei, ai in zip(e, a, strict=True))
    value = math.fsum(terms)
    return PSIReport(value, stability_status(value), tuple(labels), tuple(e), tuple(a), terms)


def counts_by_splits(values: Iterable[float], splits: Sequence[float]) -> list[int]:
    """Counts in ``(-inf, s1), [s1, s2), …, [sk, inf)`` for ascending `splits`."""
    counts = [0] * (len(splits) + 1)
    for x in values:
        counts[bisect.bisect_right(splits, x)] += 1
    return counts


def psi_report_by_splits(
    expected_values: Sequence[float], actual_values: Sequence[float], splits: Sequence[float]
) -> PSIReport:
    """PSI of two samples binned on `splits` (e.g. reference-score deciles)."""
    labels = _split_labels(splits)
    return _report(
        counts_by_splits(expected_values, splits), counts_by_splits(actual_values, splits), labels
    )


def _split_labels(splits: Sequence[float]) -> list[str]:
    edges = ["-inf", *(f"{s:g}" for s in splits), "inf"]
    return [f"[{lo}, {hi})" for lo, hi in zip(edges, edges[1:], strict=False)]


def quantile_splits(values: Sequence[float], n_bins: int = 10) -> list[float]:
    """Distinct inner quantile edges of `values` (nearest-rank), for score PSI bins."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("quantiles need values")
    edges = {ordered[min(len(ordered) - 1, (len(ordered) * k) // n_bins)] for k in range(1, n_bins)}
    return sorted(edges - {ordered[0]})


def csi(
    characteristic: Characteristic,
    reference: Iterable[FeatureValue],
    current: Iterable[FeatureValue],
) -> PSIReport:
    """CSI of one scorecard characteristic: PSI over its own bins (unseen values pooled)."""
    labels = [b.label for b in characteristic.bins] + ["(unseen)"]

    def counts(values: Iterable[FeatureValue]) -> list[int]:
        out = [0] * len(labels)
        index = {id(b): i for i, b in enumerate(characteristic.bins)}
        for v in values:
            found = find_bin(characteristic, v)
            out[len(labels) - 1 if found is None else index[id(found)]] += 1
        return out

    ref, cur = counts(reference), counts(current)
    keep = [i for i in range(len(labels)) if ref[i] or cur[i]]
    return _report([ref[i] for i in keep], [cur[i] for i in keep], [labels[i] for i in keep])


def csi_by_feature(
    spec: ScorecardSpec,
    reference_rows: Sequence[Mapping[str, FeatureValue]],
    current_rows: Sequence[Mapping[str, FeatureValue]],
) -> dict[str, PSIReport]:
    """CSI per characteristic of a scorecard spec, over two populations of feature rows."""
    return {
        ch.feature: csi(
            ch,
            (r.get(ch.feature) for r in reference_rows),
            (r.get(ch.feature) for r in current_rows),
        )
        for ch in spec.characteristics
    }
