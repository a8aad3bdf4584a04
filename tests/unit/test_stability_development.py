"""Live stability against the development sample (`scoring.stability`): CSI over a spec's bin
counts on a hand-worked example and against numpy from the published formula, the development
score distribution kept in the spec, the statuses, and why `MIN_DECISIONS` is 300."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2

from creditfactory.scoring.spec import Bin, Characteristic, dump_spec, load_spec
from creditfactory.scoring.stability import (
    EMPTY_SHARE,
    MIN_DECISIONS,
    PSI_WATCH,
    StabilityStatus,
    csi_against_development,
    development_score_bins,
    score_psi_against_development,
    stability_against_development,
    with_development_scores,
    worst,
)

SPEC_PATH = Path(__file__).resolve().parents[1] / "e2e" / "sba_spec.json"


def _numeric(counts: list[int], edges: list[float]) -> Characteristic:
    """A numeric characteristic with bins [-inf, e1), [e1, e2), …, [ek, inf) and these counts."""
    bounds = [None, *edges, None]
    bins = tuple(
        Bin(f"b{i}", 0.0, 0.0, lower=lo, upper=hi, count=n)
        for i, (lo, hi, n) in enumerate(zip(bounds, bounds[1:], counts, strict=False))
    )
    return Characteristic("x", "numerical", 1.0, bins)


def test_csi_against_bin_counts_hand_worked() -> None:
    """Development 50/30/20 %, current 20/30/50 %:
    (0.2 − 0.5)·ln(0.2/0.5) + 0 + (0.5 − 0.2)·ln(0.5/0.2) = 0.6·ln 2.5 = 0.549774 → act."""
    ch = _numeric([500, 300, 200], [10.0, 20.0])
    current = [5.0] * 20 + [15.0] * 30 + [25.0] * 50
    report = csi_against_development(ch, current)
    assert report is not None
    assert report.value == pytest.approx(0.549774, abs=1e-6)
    assert report.status is StabilityStatus.ACT
    assert report.expected_shares == pytest.approx((0.5, 0.3, 0.2))
    assert report.labels == ("b0", "b1", "b2")  # empty "(unseen)" bin dropped


def test_csi_matches_numpy_from_the_formula() -> None:
    """Σ (a − e)·ln(a / e) over shares (Siddiqi 2006, ch. 8), computed with numpy."""
    rng = numpy.random.default_rng(12)
    dev = rng.integers(20, 400, size=6)
    ch = _numeric([int(c) for c in dev], [1.0, 2.0, 3.0, 4.0, 5.0])
    values = rng.normal(3.5, 1.5, size=700)
    cur = numpy.bincount(numpy.clip(numpy.floor(values).astype(int), 0, 5), minlength=6)
    expected, actual = dev / dev.sum(), cur / cur.sum()
    peer = float(numpy.sum((actual - expected) * numpy.log(actual / expected)))
    report = csi_against_development(ch, [float(v) for v in values])
    assert report is not None and report.value == pytest.approx(peer, rel=1e-12)


def test_values_no_development_bin_took_count_against_an_empty_share() -> None:
    ch = replace(_numeric([60, 40], [1.0]), dtype="numerical")
    ch = replace(ch, bins=(*ch.bins, Bin("Missing", 0.0, 0.0, kind="missing", count=0)))
    report = csi_against_development(ch, [0.0] * 55 + [2.0] * 40 + [None] * 5)
    assert report is not None and report.labels == ("b0", "b1", "Missing")
    term = (0.05 - EMPTY_SHARE) * math.log(0.05 / EMPTY_SHARE)
    assert report.terms[2] == pytest.approx(term)
    assert csi_against_development(_numeric([0, 0], [1.0]), [0.0]) is None  # no counts kept


def test_development_score_distribution_is_kept_in_the_spec() -> None:
    """Additive: an older spec loads and has none; a spec with one keeps it through its digest."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    old = load_spec(text)
    bare = replace(
        old, training={k: v for k, v in old.training.items() if k != "score_distribution"}
    )
    assert development_score_bins(bare) is None
    assert score_psi_against_development(bare, [500.0] * 400) is None
    scores = [float(400 + i % 250) for i in range(1000)]
    spec = load_spec(dump_spec(with_development_scores(bare, scores)))
    found = development_score_bins(spec)
    assert found is not None
    splits, counts = found
    assert sum(counts) == 1000 and len(counts) == len(splits) + 1 == 10
    assert all(c == 100 for c in counts)  # 250 distinct scores, 4 each: exact deciles
    report = score_psi_against_development(spec, scores)
    assert report is not None and report.value == pytest.approx(0.0)
    assert json.loads(dump_spec(spec))["training"]["score_distribution"]["rows"] == 1000


def test_statuses_below_the_minimum_and_without_a_reference() -> None:
    spec = load_spec(SPEC_PATH.read_text(encoding="utf-8"))
    bare = replace(spec, training={})
    rows = [{c.feature: None for c in spec.characteristics}] * MIN_DECISIONS
    few = stability_against_development(bare, [500.0] * 10, rows[:10])
    assert few.decisions == 10 and few.status is StabilityStatus.INSUFFICIENT
    assert {c.status for c in few.characteristics} == {StabilityStatus.INSUFFICIENT}
    assert few.score.value is None
    enough = stability_against_development(bare, [500.0] * MIN_DECISIONS, rows)
    assert enough.score.status is StabilityStatus.NO_REFERENCE
    # every value missing where development had none: each characteristic acts
    assert {c.status for c in enough.characteristics} == {StabilityStatus.ACT}
    assert enough.status is StabilityStatus.ACT


def test_worst_orders_readings_above_gaps() -> None:
    s = StabilityStatus
    assert worst([s.STABLE, s.NO_REFERENCE]) is s.NO_REFERENCE
    assert worst([s.INSUFFICIENT, s.WATCH, s.STABLE]) is s.WATCH
    assert worst([s.ACT, s.WATCH, s.INSUFFICIENT]) is s.ACT
    assert worst([]) is s.INSUFFICIENT


def test_min_decisions_keeps_noise_below_watch() -> None:
    """Yurdakul (2018): with no drift PSI/(1/N + 1/M) ~ χ²(B − 1). At N = MIN_DECISIONS the 95th
    percentile stays below PSI_WATCH for ten bins and a 1,000-row development sample; at 100
    decisions it would not. Then by simulation on the current spec's characteristics: samples of
    MIN_DECISIONS drawn from each development distribution read "watch" or worse at most about
    one time in twenty."""
    bound = chi2.ppf(0.95, 9)
    assert (1 / MIN_DECISIONS + 1 / 1000) * bound < PSI_WATCH
    assert (1 / 100 + 1 / 1000) * bound > PSI_WATCH
    spec = load_spec(SPEC_PATH.read_text(encoding="utf-8"))
    rng = numpy.random.default_rng(2026)
    for ch in spec.characteristics:
        counts = numpy.array([b.count for b in ch.bins], dtype=float)
        kept = counts > 0
        shares = counts[kept] / counts.sum()
        draws = rng.multinomial(MIN_DECISIONS, shares, size=2000) / MIN_DECISIONS
        floored = numpy.maximum(draws, EMPTY_SHARE)
        csi = numpy.sum((floored - shares) * numpy.log(floored / shares), axis=1)
        assert numpy.mean(csi >= PSI_WATCH) <= 0.06, ch.feature


@given(
    st.lists(st.integers(1, 200), min_size=2, max_size=8).flatmap(
        lambda dev: st.tuples(
            st.just(dev), st.lists(st.integers(0, 200), min_size=len(dev), max_size=len(dev))
        )
    ),
    st.integers(1, 3),
)
def test_csi_is_nonnegative_zero_on_the_development_shares_and_scale_free(
    counts: tuple[list[int], list[int]], scale: int
) -> None:
    """Invariants of Σ (a − e)·ln(a / e): never negative, 0 when the current population has the
    development shares, unchanged when either population is scaled."""
    dev, cur = counts
    edges = [float(i) for i in range(1, len(dev))]
    ch = _numeric(dev, edges)
    same = [float(i) for i, n in enumerate(dev) for _ in range(n * scale)]
    report = csi_against_development(ch, same)
    assert report is not None and report.value == pytest.approx(0.0, abs=1e-12)
    if sum(cur) == 0:
        return
    values = [float(i) for i, n in enumerate(cur) for _ in range(n)]
    base = csi_against_development(ch, values)
    scaled = csi_against_development(_numeric([d * scale for d in dev], edges), values)
    assert base is not None and scaled is not None
    assert base.value >= 0 and scaled.value == pytest.approx(base.value, rel=1e-9, abs=1e-12)
