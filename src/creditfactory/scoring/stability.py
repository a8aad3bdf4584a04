"""Population and characteristic stability: PSI and CSI with named thresholds.

``psi = Σ (actual_i − expected_i) · ln(actual_i / expected_i)`` over bin shares (Siddiqi 2006,
*Credit Risk Scorecards*, ch. 8; toad's ``PSI``). Bins from splits are ``(-inf, s1), [s1, s2), …,
[sk, inf)``. A share of zero is floored at `EMPTY_SHARE` so an empty bin gives a large but finite
term. Thresholds (Siddiqi's reading, the industry convention): below `PSI_WATCH` (0.1) stable,
0.1 to `PSI_ACT` (0.25) watch, above 0.25 act. CSI (特征稳定性指数) is the same sum over one
characteristic's bins.

Live monitoring compares decisions with the development sample the spec was fitted on: each bin's
``count`` (characteristics) and ``training["score_distribution"]`` (score deciles, recorded at
training by `with_development_scores`). `stability_against_development` gives a status per item:
``insufficient`` when fewer than `MIN_DECISIONS` decisions are available, ``no_reference`` when
the spec carries no development distribution for it.

The reference is the development rows the served path can produce: categories it never scores
(``left_out``, per characteristic: "no answer" codes intake refuses, e.g. SBA RevLineCr
``unrecorded``, and request-set values of a product not offered, RevLineCr ``Y``;
`origination.served_values`) are left out of a characteristic's development counts and the rest
renormalised — else every live population would read as drift (37 % of the SBA development rows
are ``unrecorded``: CSI 5.1, "act" every night). Each left-out bin is recorded as a
`ReferenceNote`. The score deciles are recorded at training over the development rows as the
served path can produce them (`pipeline.served_rows`: a no-answer as the worst real answer; the
rows outside the population served — SBA 504 loans and revolving lines — already dropped by the
dataset adapter), so a deployment reads no score drift on day one
(tests/examples/test_sba_servable_reference.py).

Why `MIN_DECISIONS` = 300: with no drift, ``PSI / (1/N + 1/M)`` is approximately χ² with B − 1
degrees of freedom (N current, M development rows, B bins; Yurdakul 2018, *Statistical properties
of the population stability index*, Western Michigan University). For ten bins, N = 300 and a
development sample of 1,000 rows its 95th percentile is (1/300 + 1/1000) · 16.92 ≈ 0.073, below
`PSI_WATCH`: at 300 decisions an undrifted population reads "stable" 19 times in 20, while at 100
decisions the same bound is 0.186 and noise alone would read "watch".
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from creditfactory.scoring.runtime import FeatureValue, category_key, find_bin, term_value
from creditfactory.scoring.spec import Characteristic, LinearTerm, ScorecardSpec

PSI_WATCH = 0.1
PSI_ACT = 0.25
EMPTY_SHARE = 1e-6
MIN_DECISIONS = 300  # fewest decisions a live PSI/CSI is read from (module docstring)
SCORE_DISTRIBUTION = "score_distribution"  # the key of `ScorecardSpec.training` it is kept under
TERM_DISTRIBUTION = "term_distribution"  # raw logistic terms' development deciles, the same way


class StabilityStatus(StrEnum):
    """Reading of a PSI/CSI value against `PSI_WATCH` and `PSI_ACT`, or why there is none."""

    STABLE = "stable"
    WATCH = "watch"
    ACT = "act"
    INSUFFICIENT = "insufficient"  # fewer decisions than the minimum: no value is read
    NO_REFERENCE = "no_reference"  # the spec carries no development distribution for it

    @property
    def rank(self) -> int:
        """Severity for `worst`: stable < no_reference < insufficient < watch < act."""
        return _RANK[self]


_RANK = {
    StabilityStatus.STABLE: 0,
    StabilityStatus.NO_REFERENCE: 1,
    StabilityStatus.INSUFFICIENT: 2,
    StabilityStatus.WATCH: 3,
    StabilityStatus.ACT: 4,
}


def worst(statuses: Iterable[StabilityStatus]) -> StabilityStatus:
    """The most severe status (`StabilityStatus.rank`); INSUFFICIENT when there is none."""
    return max(statuses, key=lambda s: s.rank, default=StabilityStatus.INSUFFICIENT)


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


def _bin_labels(characteristic: Characteristic) -> list[str]:
    return [b.label for b in characteristic.bins] + ["(unseen)"]


def bin_counts(characteristic: Characteristic, values: Iterable[FeatureValue]) -> list[int]:
    """Counts per bin of the characteristic in spec order, plus a last "(unseen)" count for
    values no bin takes (`runtime.find_bin` is None)."""
    index = {id(b): i for i, b in enumerate(characteristic.bins)}
    out = [0] * (len(characteristic.bins) + 1)
    for v in values:
        found = find_bin(characteristic, v)
        out[-1 if found is None else index[id(found)]] += 1
    return out


def _report_kept(ref: Sequence[int], cur: Sequence[int], labels: Sequence[str]) -> PSIReport:
    """PSI over the bins where either population has a count (both empty: no term)."""
    keep = [i for i in range(len(labels)) if ref[i] or cur[i]]
    return _report([ref[i] for i in keep], [cur[i] for i in keep], [labels[i] for i in keep])


def csi(
    characteristic: Characteristic,
    reference: Iterable[FeatureValue],
    current: Iterable[FeatureValue],
) -> PSIReport:
    """CSI of one scorecard characteristic: PSI over its own bins (unseen values pooled)."""
    ref, cur = bin_counts(characteristic, reference), bin_counts(characteristic, current)
    return _report_kept(ref, cur, _bin_labels(characteristic))


def _left_out(characteristic: Characteristic, left_out: Collection[str]) -> list[bool]:
    """Per bin: whether every category of it is in `left_out` (`category_key`s)."""
    return [
        bool(b.categories) and all(category_key(c) in left_out for c in b.categories)
        for b in characteristic.bins
    ]


def csi_against_development(
    characteristic: Characteristic,
    current: Iterable[FeatureValue],
    left_out: Collection[str] = (),
) -> PSIReport | None:
    """CSI of current values against the development sample the bins carry (`Bin.count`),
    without the bins whose categories are all in `left_out` (module docstring); None when the
    bins carry no counts. A value no development bin took ("(unseen)") meets a development share
    floored at `EMPTY_SHARE`, so new values push the CSI up sharply."""
    dropped = _left_out(characteristic, left_out)
    kept = [0 if out else b.count for b, out in zip(characteristic.bins, dropped, strict=True)]
    expected = [*kept, 0]
    if sum(expected) <= 0:
        return None
    return _report_kept(expected, bin_counts(characteristic, current), _bin_labels(characteristic))


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


def with_development_scores(
    spec: ScorecardSpec, scores: Sequence[float], n_bins: int = 10
) -> ScorecardSpec:
    """The spec with its development score distribution in ``training["score_distribution"]``:
    ``{"splits": inner decile edges (nearest rank), "counts": rows per bin, "rows": n}``.

    Called at training on the training rows (the sample the bins' counts describe), so live
    score PSI compares decisions with it. raises ValueError on no scores.
    """
    splits = quantile_splits(scores, n_bins)
    recorded = {"splits": splits, "counts": counts_by_splits(scores, splits), "rows": len(scores)}
    return replace(spec, training={**spec.training, SCORE_DISTRIBUTION: recorded})


def with_development_terms(
    spec: ScorecardSpec, rows: Sequence[Mapping[str, FeatureValue]], n_bins: int = 10
) -> ScorecardSpec:
    """The spec with each raw logistic term's development distribution in
    ``training["term_distribution"][feature]`` (deciles of the values the model reads,
    `runtime.term_value`, as `with_development_scores`), so live CSI has a reference for specs
    without bins; a spec without linear terms is returned unchanged."""
    if not spec.linear_terms:
        return spec
    recorded = {}
    for term in spec.linear_terms:
        values = [term_value(term, r.get(term.feature)) for r in rows]
        splits = quantile_splits(values, n_bins)
        recorded[term.feature] = {
            "splits": splits,
            "counts": counts_by_splits(values, splits),
            "rows": len(values),
        }
    return replace(spec, training={**spec.training, TERM_DISTRIBUTION: recorded})


def _recorded_bins(recorded: Any) -> tuple[list[float], list[int]] | None:
    if not isinstance(recorded, Mapping):
        return None
    splits = [float(x) for x in recorded.get("splits", [])]
    counts = [int(x) for x in recorded.get("counts", [])]
    if len(counts) != len(splits) + 1 or sum(counts) <= 0:
        return None
    return splits, counts


def term_csi_against_development(
    spec: ScorecardSpec, term: LinearTerm, current: Iterable[FeatureValue]
) -> PSIReport | None:
    """CSI of a raw logistic term's current values over its development deciles; None when the
    spec recorded none (`with_development_terms`)."""
    by_term: Any = spec.training.get(TERM_DISTRIBUTION)
    found = _recorded_bins(by_term.get(term.feature) if isinstance(by_term, Mapping) else None)
    if found is None:
        return None
    splits, expected = found
    values = [term_value(term, v) for v in current]
    return _report_kept(expected, counts_by_splits(values, splits), _split_labels(splits))


def development_score_bins(spec: ScorecardSpec) -> tuple[list[float], list[int]] | None:
    """(splits, counts) recorded by `with_development_scores`, or None for a spec without."""
    return _recorded_bins(spec.training.get(SCORE_DISTRIBUTION))


def score_psi_against_development(spec: ScorecardSpec, scores: Sequence[float]) -> PSIReport | None:
    """PSI of current scores over the development score bins; None without them."""
    found = development_score_bins(spec)
    if found is None:
        return None
    splits, expected = found
    return _report_kept(expected, counts_by_splits(scores, splits), _split_labels(splits))


@dataclass(frozen=True, slots=True)
class StabilityItem:
    """The score's PSI or one characteristic's CSI: `report` is None unless the status is a
    reading (stable / watch / act)."""

    name: str
    status: StabilityStatus
    report: PSIReport | None = None

    @property
    def value(self) -> float | None:
        """The PSI / CSI, or None."""
        return None if self.report is None else self.report.value


@dataclass(frozen=True, slots=True)
class ReferenceNote:
    """Development rows left out of a characteristic's reference (module docstring): the bins
    (labels), their development rows and the characteristic's development rows in all."""

    name: str
    left_out: tuple[str, ...]
    rows_left_out: int
    rows: int

    @property
    def share_left_out(self) -> float:
        """The share of the characteristic's development rows left out (0–1)."""
        return self.rows_left_out / self.rows if self.rows else 0.0


def reference_notes(
    spec: ScorecardSpec, left_out: Mapping[str, Collection[str]]
) -> tuple[ReferenceNote, ...]:
    """A `ReferenceNote` per characteristic of `spec` with a development bin `left_out` takes
    out (`left_out`: `category_key`s per feature)."""
    notes = []
    for c in spec.characteristics:
        dropped = _left_out(c, left_out.get(c.feature, ()))
        bins = [b for b, out in zip(c.bins, dropped, strict=True) if out and b.count]
        if bins:
            notes.append(ReferenceNote(c.feature, tuple(b.label for b in bins),
                                       sum(b.count for b in bins), sum(b.count for b in c.bins)))  # fmt: skip
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class SpecStability:
    """Stability of the decisions one spec made against its own development sample, with the
    development rows left out of the reference (`reference`, module docstring)."""

    decisions: int
    score: StabilityItem
    characteristics: tuple[StabilityItem, ...]
    reference: tuple[ReferenceNote, ...] = ()

    @property
    def status(self) -> StabilityStatus:
        """The worst status of the score and every characteristic."""
        return worst([self.score.status, *(c.status for c in self.characteristics)])


def _item(name: str, report: PSIReport | None) -> StabilityItem:
    if report is None:
        return StabilityItem(name, StabilityStatus.NO_REFERENCE)
    return StabilityItem(name, report.status, report)


def stability_against_development(
    spec: ScorecardSpec,
    scores: Sequence[float],
    rows: Sequence[Mapping[str, FeatureValue]],
    min_decisions: int = MIN_DECISIONS,
    left_out: Mapping[str, Collection[str]] | None = None,
) -> SpecStability:
    """Score PSI and CSI per characteristic of the decisions `spec` made (their `scores` and
    feature `rows`, same order) against its development sample without the categories
    `left_out` (per feature, `category_key`s: what the served path never scores; module
    docstring); every item INSUFFICIENT when there are fewer than `min_decisions`.
    Characteristics are the spec's binned ones and its raw logistic terms (none for tree specs)."""
    n, out = len(scores), left_out or {}
    notes = reference_notes(spec, out)
    if n < min_decisions:
        short = StabilityStatus.INSUFFICIENT
        names = [c.feature for c in spec.characteristics] + [t.feature for t in spec.linear_terms]
        return SpecStability(n, StabilityItem("score", short),
                             tuple(StabilityItem(f, short) for f in names), notes)  # fmt: skip
    binned = (
        _item(
            c.feature,
            csi_against_development(c, (r.get(c.feature) for r in rows), out.get(c.feature, ())),
        )
        for c in spec.characteristics
    )
    linear = (
        _item(t.feature, term_csi_against_development(spec, t, (r.get(t.feature) for r in rows)))
        for t in spec.linear_terms
    )
    return SpecStability(
        n, _item("score", score_psi_against_development(spec, scores)), (*binned, *linear), notes
    )
