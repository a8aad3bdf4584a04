"""The leakage gate's pure-value and proxy rules (issue #12, validator finding: SBA's Portion 1.00
was a pocket of 252 loans with no default, all of them the excluded Term ≥ 240), monotone points
(`scorecard.WOEScorecard` with ascending/descending trends) and the bounded logistic behind them.

Each synthetic field below passes every other rule of the gate (IV, single-feature AUC, value
shape, derived R²), so only the rule under test can exclude it.
"""

from __future__ import annotations

import numpy
import pandas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from creditfactory.scoring.training.leakage import PROXY_AUC, PURE_SHARE, pure_value, run_gate
from creditfactory.scoring.training.logistic import bounded_logistic
from creditfactory.scoring.training.scorecard import WOEScorecard

N = 1000


def _pocket_frame(seed: int, pure_bads: bool = False) -> pandas.DataFrame:
    """1,000 rows, bad rate ~30 %; `size` is noise except one value (50.0) on 6 % of the rows,
    all goods (or all bads)."""
    rng = numpy.random.default_rng(seed)
    y = (rng.random(N) < 0.3).astype(int)
    size = rng.uniform(0, 100, N).round(1)
    size[size == 50.0] = 50.1  # only the pocket holds 50.0
    size[numpy.flatnonzero(y == int(pure_bads))[:60]] = 50.0
    return pandas.DataFrame({"size": size, "noise": rng.normal(size=N), "y": y})


@pytest.mark.parametrize("pure_bads", [False, True])
def test_pure_value_rule_excludes_an_outcome_free_pocket(pure_bads: bool) -> None:
    frame = _pocket_frame(1, pure_bads)
    gate = run_gate(frame, "y", ["size", "noise"], [], {}, {}, {})
    assert gate.kept == ["noise"]
    reasons = gate.reasons["size"]
    assert [r.code for r in reasons] == ["pure_value"]  # no other rule sees it
    assert reasons[0].params["value"] == "50.0" and reasons[0].params["rows"] == 60
    assert reasons[0].params["share"] == pytest.approx(0.06) and 0.06 >= PURE_SHARE
    which = "goods" if pure_bads else "bads"
    assert f"holds 6.0% of rows (≥ 5%) with no {which} (60 rows)" in gate.excluded["size"]
    assert "纯值" in reasons[0].zh
    allowed = run_gate(frame, "y", ["size", "noise"], [], {}, {}, {"size": "analyst: the reason"})
    assert allowed.kept == ["size", "noise"] and allowed.whitelisted == {
        "size": "analyst: the reason"
    }


def test_pure_value_hand_counted() -> None:
    x = pandas.Series(["a", "a", "b", "b", "b", "c", None])
    y = numpy.array([0, 1, 0, 0, 0, 1, 1])
    assert pure_value(x, y) == {"value": "b", "share": 3 / 7, "rows": 3, "bads": 0}
    assert pure_value(pandas.Series(["a", "a"]), numpy.array([0, 1])) is None


def _proxy_frame(seed: int) -> pandas.DataFrame:
    """`flag` an excluded post-application flag unrelated to the outcome; `size` separates it
    (10 apart, spread 3 → AUC ≈ 0.99) while the flag explains only ~74 % of its variance."""
    rng = numpy.random.default_rng(seed)
    flag = (rng.random(N) < 0.3).astype(int)
    return pandas.DataFrame({
        "flag": flag,
        "size": 10 * flag + rng.normal(scale=3, size=N),
        "noise": rng.normal(size=N),
        "y": (rng.random(N) < 0.3).astype(int),
    })  # fmt: skip


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000))
def test_proxy_rule_excludes_a_candidate_that_separates_an_excluded_flag(seed: int) -> None:
    frame = _proxy_frame(seed)
    declared = {"flag": ("post_application", "recorded after approval")}
    gate = run_gate(frame, "y", ["flag", "size", "noise"], [], declared, {}, {})
    assert gate.kept == ["noise"]
    assert [r.code for r in gate.reasons["size"]] == ["proxy"]
    assert gate.checks["size"]["derived_r2"] < 0.9  # rule 3 (regression) misses it
    assert gate.checks["size"]["proxy_auc"]["flag"] == "flag"
    assert gate.checks["size"]["proxy_auc"]["auc"] >= PROXY_AUC
    assert gate.checks["noise"]["proxy_auc"]["auc"] < 0.6
    allowed = run_gate(frame, "y", ["flag", "size", "noise"], [], declared, {}, {"size": "why"})
    assert allowed.kept == ["size", "noise"] and allowed.whitelisted == {"size": "why"}


def test_bounded_logistic_unbounded_matches_scikit_learn() -> None:
    rng = numpy.random.default_rng(3)
    x = rng.normal(size=(400, 4))
    y = (rng.random(400) < 1 / (1 + numpy.exp(-(x @ [1.0, -0.5, 0.2, 0.0] + 0.3)))).astype(int)
    ref = LogisticRegression(C=0.5, solver="lbfgs", tol=1e-12, max_iter=10_000).fit(x, y)
    coef, intercept = bounded_logistic(x, y, 0.5, [(None, None)] * 4)
    assert coef == pytest.approx(ref.coef_[0], abs=1e-5)
    assert intercept == pytest.approx(ref.intercept_[0], abs=1e-5)
    # a bound that binds: the second coefficient is held at 0
    held, _ = bounded_logistic(x, y, 0.5, [(None, None), (0.0, None), (None, None), (None, None)])
    assert held[1] == pytest.approx(0.0, abs=1e-9)


def _points(model: WOEScorecard, feature: str) -> list[float]:
    ch = next(c for c in model.characteristics() if c.feature == feature)
    return [b.points for b in ch.bins if b.kind == "normal"]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_a_monotone_trend_gives_monotone_points(seed: int) -> None:
    """Staff count lowers risk overall, but a pocket of mid-size firms is worse and collinear with
    a second field: free per-bin coefficients can jump there; with the trend the points never
    fall as the count rises."""
    rng = numpy.random.default_rng(seed)
    staff = rng.integers(1, 40, 1500).astype(float)
    other = ((staff > 10) & (staff < 20)).astype(float) + rng.normal(scale=0.3, size=1500)
    logit = -0.04 * staff + 1.2 * ((staff > 12) & (staff < 18)) - 0.8 * other
    y = (rng.random(1500) < 1 / (1 + numpy.exp(-logit))).astype(int)
    frame = pandas.DataFrame({"staff": staff, "other": other})
    model = WOEScorecard(
        encoding="bins", C=0.3, monotonic_trend="auto", trends={"staff": "descending"}
    ).fit(frame, y)
    pts = _points(model, "staff")
    assert len(pts) >= 2
    assert all(a <= b for a, b in zip(pts, pts[1:], strict=False)), pts
