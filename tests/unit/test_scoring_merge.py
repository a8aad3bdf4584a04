"""toad-style merges (scoring.training.merge) and their use as pipeline binning methods.

Reference values live in test_scoring_reference.py (toad's own test cases); here: invariants
of ChiMerge (hypothesis), the decision-tree merge against a hand-checked case, and the pipeline
wiring (special and missing bins, WOE, spec round trip, bad method names).
"""

from __future__ import annotations

import numpy
import pandas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring.runtime import score
from creditfactory.scoring.training import binning, merge
from creditfactory.scoring.training.pipeline import train
from creditfactory.scoring.training.scorecard import WOEScorecard


@st.composite
def _feature_target(draw: st.DrawFn) -> tuple[numpy.ndarray, numpy.ndarray]:
    n = draw(st.integers(min_value=1, max_value=80))
    # small integer ranges give repeated values (ties), floats give all-distinct values
    values = draw(
        st.one_of(
            st.lists(st.integers(-20, 20), min_size=n, max_size=n),
            st.lists(
                st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
                min_size=n,
                max_size=n,
            ),
        )
    )
    target = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    return numpy.asarray(values), numpy.asarray(target)


@settings(max_examples=150, deadline=None)
@given(_feature_target(), st.integers(min_value=1, max_value=12))
def test_chi_merge_bins_contiguous_cover_range_at_most_n_bins(
    data: tuple[numpy.ndarray, numpy.ndarray], n_bins: int
) -> None:
    x, y = data
    splits = merge.chi_merge(x, y, n_bins=n_bins)
    distinct = numpy.unique(x)
    assert len(splits) + 1 <= max(n_bins, 1)
    assert len(splits) + 1 <= len(distinct)
    # splits are distinct observed values above the minimum, strictly increasing
    assert numpy.all(numpy.diff(splits) > 0)
    assert set(splits.tolist()) <= set(distinct[1:].tolist())
    # (-inf, s1), [s1, s2), …, [sk, inf): every record in exactly one bin, no bin empty, so the
    # bins are contiguous runs of the sorted distinct values covering [min x, max x]
    counts = numpy.bincount(merge.bin_by_splits(x, splits), minlength=len(splits) + 1)
    assert len(counts) == len(splits) + 1
    assert counts.sum() == len(x)
    assert numpy.all(counts > 0)


@settings(max_examples=100, deadline=None)
@given(_feature_target(), st.floats(min_value=0.01, max_value=0.5))
def test_chi_merge_min_samples_stops_when_every_group_is_larger(
    data: tuple[numpy.ndarray, numpy.ndarray], share: float
) -> None:
    x, y = data
    splits = merge.chi_merge(x, y, min_samples=share)
    counts = numpy.bincount(merge.bin_by_splits(x, splits))
    assert len(splits) == 0 or counts.min() > share * len(x)


def test_chi_merge_hand_case() -> None:
    """Three values; (1,2) are identical in class mix (chi 0) and merge first.

    Groups 1: 2 good, 2: 2 good, 3: 2 bad. Pair (1,2): chi 0. Pair (2,3): observed
    [[2,0],[0,2]], expected 1 everywhere, chi = 4·1 = 4, ×4 records = 16 (toad's balance).
    After merging (1,2): [[4,0],[0,2]], expected [[8/3,4/3],[4/3,2/3]], chi = 6, ×6 = 36.
    """
    x = numpy.array([1, 1, 2, 2, 3, 3])
    y = numpy.array([0, 0, 0, 0, 1, 1])
    assert merge.chi_merge(x, y, n_bins=2).tolist() == [3]
    assert merge.chi_merge(x, y, min_threshold=35).tolist() == [3]
    assert merge.chi_merge(x, y, min_threshold=37).tolist() == []
    # ties: both pairs chi 0 when every group has the same mix → one merge pass empties all
    assert merge.chi_merge(x, numpy.zeros(6, dtype=int), n_bins=2).tolist() == []


def test_dt_merge_separates_a_clean_step() -> None:
    """Bad below 0.5, good above: one split at the midpoint of the gap (CART, Gini)."""
    x = numpy.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    y = numpy.array([1, 1, 1, 0, 0, 0])
    assert merge.dt_merge(x, y).tolist() == pytest.approx([0.5], abs=1e-7)


def test_missing_filled_before_merge() -> None:
    """toad fills missing values with -1 first: NaN counts as its own lowest value."""
    x = numpy.array([numpy.nan, numpy.nan, 1.0, 1.0, 2.0, 2.0])
    y = numpy.array([1, 1, 0, 0, 0, 0])
    assert merge.chi_merge(x, y, n_bins=2).tolist() == [1.0]
    assert merge.bin_by_splits(x, [1.0]).tolist() == [0, 0, 1, 1, 1, 1]


def test_toad_iv_empty_cell_counts_one() -> None:
    """Group a: 1 bad 1 good; group b: 0 bads → counted as 1 (toad's default=1)."""
    groups = numpy.array(["a", "a", "b", "b"])
    y = numpy.array([1, 0, 0, 0])
    b_bad, b_good = 1 / 1, 2 / 3
    a_bad, a_good = 1 / 1, 1 / 3
    expected = (a_bad - a_good) * numpy.log(a_bad / a_good) + (b_bad - b_good) * numpy.log(
        b_bad / b_good
    )
    assert merge.toad_iv(groups, y) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("method", ["dt", "chi"])
def test_fit_binning_merge_keeps_special_and_missing_apart(method: str) -> None:
    rng = numpy.random.default_rng(3)
    x = rng.normal(size=400)
    y = (rng.random(400) < 1 / (1 + numpy.exp(2 * x))).astype(int)
    x[:20] = -999.0
    x[20:30] = numpy.nan
    fitted = binning.fit_binning(x, y, "x", special_codes=[-999.0], method=method)
    normal = ~numpy.isnan(x) & (x != -999.0)
    expected = (merge.dt_merge if method == "dt" else merge.chi_merge)(
        x[normal], y[normal], None, 0.05
    )
    assert list(fitted.splits) == list(expected)
    table = binning.bin_table(fitted)
    k = len(fitted.splits)
    assert list(table["bin"][-2:]) == ["Special", "Missing"]
    assert (table["count"].iloc[k + 1], table["count"].iloc[k + 2]) == (20, 10)
    assert table["count"].sum() == 400
    idx = binning.bin_indices(fitted, x)
    assert set(idx[:20]) == {k + 1} and set(idx[20:30]) == {k + 2}
    assert binning.woe(fitted, x) == pytest.approx(table["woe"].to_numpy()[idx])


def test_fit_binning_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        binning.fit_binning([1.0, 2.0], [0, 1], "x", method="kmeans")


def test_train_rejects_unknown_binning_method() -> None:
    with pytest.raises(ValidationError) as info:
        train("german", binning_method="kmeans")
    assert info.value.field == "binning_method"


@pytest.mark.parametrize("method", ["dt", "chi"])
def test_scorecard_with_merge_binning_round_trips_to_spec(method: str) -> None:
    rng = numpy.random.default_rng(11)
    frame = pandas.DataFrame({"a": rng.normal(size=600), "b": rng.integers(0, 30, 600) * 1.0})
    logit = -1.0 + 1.2 * frame["a"] - 0.05 * frame["b"]
    y = (rng.random(600) < 1 / (1 + numpy.exp(-logit))).astype(int)
    frame.loc[:14, "a"] = numpy.nan
    model = WOEScorecard(binning_method=method, min_iv=0.0).fit(frame, y)
    assert all(isinstance(model.binnings_[f], binning.SplitBinning) for f in ("a", "b"))
    spec = model.to_spec(f"merge-{method}")
    rows = frame[list(spec.features)].astype(object).where(frame[list(spec.features)].notna())
    runtime = [
        score(spec, {k: (None if pandas.isna(v) else v) for k, v in r.items()}).score
        for r in rows.to_dict("records")
    ]
    assert runtime == pytest.approx(list(model.score_points(frame)), abs=1e-9)
