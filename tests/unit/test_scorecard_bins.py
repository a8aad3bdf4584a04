"""`WOEScorecard(encoding="bins")`: one L2 coefficient per bin, missing values never learned.

Hand-worked reference: with one characteristic and (almost) no penalty the fit is saturated, so
each bin's PD is its observed bad rate and the points between two bins differ by
``factor · (ln odds_good(B) − ln odds_good(A))`` with ``factor = 20 / ln 2`` (PDO 20).
"""

from __future__ import annotations

import math

import numpy
import pandas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import dump_spec, load_spec
from creditfactory.scoring.training.scorecard import WOEScorecard


def _rows(groups: dict[object, tuple[int, int]]) -> tuple[pandas.DataFrame, numpy.ndarray]:
    """(bads, goods) per value of one column ``x``."""
    values, target = [], []
    for value, (bads, goods) in groups.items():
        values += [value] * (bads + goods)
        target += [1] * bads + [0] * goods
    return pandas.DataFrame({"x": values}), numpy.asarray(target)


def _points(model: WOEScorecard) -> dict[str, float]:
    (ch,) = model.characteristics()
    return {b.label: b.points for b in ch.bins}


def test_saturated_fit_gives_the_hand_worked_points_gap() -> None:
    # A: 30 bad / 70 good; B: 10 bad / 90 good → 28.8539 · (ln 9 − ln 7/3) = 38.95 points
    x, y = _rows({"A": (30, 70), "B": (10, 90)})
    model = WOEScorecard(categorical=["x"], encoding="bins", C=1e8, rounding=False, min_iv=0.0)
    points = _points(model.fit(x, y))
    assert points["B"] - points["A"] == pytest.approx(38.95, abs=0.01)
    assert 20 / math.log(2) * (math.log(9) - math.log(70 / 30)) == pytest.approx(38.95, abs=0.01)
    pd_a, pd_b = model.predict_proba(pandas.DataFrame({"x": ["A", "B"]}))[:, 1]
    assert model.calibration_.method == "platt"  # in-sample Platt: the saturated rates come back
    assert (pd_a, pd_b) == pytest.approx((0.3, 0.1), abs=0.01)


def test_a_missing_value_scores_the_average_contribution_not_its_own_rate() -> None:
    # the missing group is almost all good (an unrecorded old vintage): WOE coding rewards it,
    # bin coding scores it as the count-weighted mean of the known bins
    x, y = _rows({1.0: (40, 60), 5.0: (10, 90), numpy.nan: (2, 98)})
    woe = _points(WOEScorecard(rounding=False, min_iv=0.0, min_bin_size=0.2).fit(x, y))
    bins_model = WOEScorecard(encoding="bins", C=1.0, rounding=False, min_iv=0.0,
                              min_bin_size=0.2).fit(x, y)  # fmt: skip
    (ch,) = bins_model.characteristics()
    known = [b for b in ch.bins if b.kind == "normal"]
    mean = sum(b.points * b.count for b in known) / sum(b.count for b in known)
    missing = next(b for b in ch.bins if b.kind == "missing")
    assert missing.count == 100 and missing.points == pytest.approx(mean, abs=1e-9)
    assert ch.unknown_points == pytest.approx(mean, abs=1e-9)
    assert woe["Missing"] > max(woe[b.label] for b in known)  # the old coding: the best bin


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**16), st.floats(0.05, 10.0))
def test_runtime_score_equals_training_score(seed: int, c: float) -> None:
    rng = numpy.random.default_rng(seed)
    n = 400
    frame = pandas.DataFrame({
        "amount": rng.lognormal(10, 1, n), "staff": rng.integers(0, 30, n).astype(float),
        "kind": rng.choice(["a", "b", "c"], n),
    })  # fmt: skip
    frame.loc[rng.random(n) < 0.1, "staff"] = numpy.nan
    logit = -1 + 0.5 * (frame["kind"] == "a") - 0.3 * numpy.log(frame["amount"] / 2e4)
    y = (rng.random(n) < 1 / (1 + numpy.exp(-logit))).astype(int)
    if y.min() == y.max():
        return
    model = WOEScorecard(categorical=["kind"], encoding="bins", C=c, min_iv=0.0).fit(frame, y)
    spec = load_spec(dump_spec(model.to_spec("bins-test")))
    rows = frame[list(spec.features)].astype(object).where(frame[list(spec.features)].notna())
    runtime = [score(spec, r).score for r in rows.to_dict("records")]
    assert runtime == pytest.approx(list(model.score_points(frame)), abs=1e-9)


def test_unknown_encoding_is_refused() -> None:
    x, y = _rows({"A": (3, 7), "B": (1, 9)})
    with pytest.raises(ValueError, match="encoding"):
        WOEScorecard(categorical=["x"], encoding="dummy").fit(x, y)
