"""Validation figures against peer computations (scikit-learn, statsmodels) and hand-worked cases:
calibration, bootstrap AUC interval, the value-shape test, the PD horizon and spec schema /1."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy
import pandas
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score

from creditfactory.scoring.spec import (
    SCHEMA_V1,
    Calibration,
    PDHorizon,
    Scaling,
    ScorecardSpec,
    canonical_json,
    dump_spec,
    load_spec,
    spec_digest,
    spec_to_dict,
)
from creditfactory.scoring.training.calibration import calibration_figures
from creditfactory.scoring.training.leakage import run_gate, shape_gap
from creditfactory.scoring.training.validation import bootstrap_auc_ci


def _sample(n: int, seed: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.default_rng(seed)
    z = rng.normal(size=n)
    p = 1 / (1 + numpy.exp(-(-1.0 + 1.5 * z)))
    y = (rng.random(n) < 1 / (1 + numpy.exp(-(-0.7 + 1.0 * z)))).astype(int)
    return p, y


def test_calibration_figures_match_sklearn_and_statsmodels() -> None:
    p, y = _sample(800, 1)
    got = calibration_figures(p, y)
    assert got["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    logit = numpy.log(p / (1 - p))
    peer = sm.Logit(y, sm.add_constant(logit)).fit(disp=0)
    assert got["slope"] == pytest.approx(peer.params[1], rel=1e-6)
    level = sm.Logit(y, numpy.ones(len(y)), offset=logit).fit(disp=0)
    assert got["intercept"] == pytest.approx(level.params[0], rel=1e-6)
    # hand-computed Hosmer–Lemeshow over PD deciles
    order = numpy.argsort(p, kind="stable")
    chi2 = 0.0
    for g in numpy.array_split(order, 10):
        e, o, n = p[g].sum(), y[g].sum(), len(g)
        chi2 += (o - e) ** 2 / (e * (1 - e / n))
    assert got["hosmer_lemeshow"]["chi2"] == pytest.approx(chi2, rel=1e-9)
    assert got["hosmer_lemeshow"]["p_value"] == pytest.approx(stats.chi2.sf(chi2, 8), rel=1e-9)
    assert sum(r["n"] for r in got["reliability"]) == 800


def test_perfectly_calibrated_pds_have_slope_near_one() -> None:
    rng = numpy.random.default_rng(3)
    p = rng.uniform(0.02, 0.6, 20000)
    y = (rng.random(20000) < p).astype(int)
    got = calibration_figures(p, y)
    assert got["slope"] == pytest.approx(1.0, abs=0.08)
    assert got["intercept"] == pytest.approx(0.0, abs=0.05)


def test_bootstrap_interval_covers_the_population_auc() -> None:
    # binormal: risk ~ N(0,1) for goods, N(d,1) for bads → AUC = Φ(d/√2) (Hanley & McNeil 1982)
    d = 1.0
    truth = stats.norm.cdf(d / math.sqrt(2))
    rng = numpy.random.default_rng(7)
    covered = 0
    for k in range(40):
        y = (rng.random(300) < 0.3).astype(int)
        risk = rng.normal(size=300) + d * y
        low, high = bootstrap_auc_ci(y, risk, n_boot=200, random_state=k)
        assert low < roc_auc_score(y, risk) < high
        covered += low <= truth <= high
    assert covered >= 34  # 95 % nominal; 34/40 is its binomial 1 % lower tail


def test_shape_gap_hand_worked() -> None:
    # goods all on the 12-month grid, bads never: gap 1 on grid 12
    goods = [12, 24, 36, 48, 60, 72, 84, 96, 108, 120, 180, 240] * 2
    bads = [13, 25, 37, 49, 61, 73, 85, 97, 109, 121, 181, 241]
    x = pandas.Series(goods + bads, dtype=float)
    y = numpy.array([0] * len(goods) + [1] * len(bads))
    assert shape_gap(x, y) == (1.0, 12.0)
    # too few distinct values: no shape to judge
    assert shape_gap(pandas.Series([0.0, 1.0] * 20), numpy.array([0, 1] * 20)) == (0.0, None)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_gate_flags_an_outcome_copy_and_its_derivation(seed: int) -> None:
    rng = numpy.random.default_rng(seed)
    y = (rng.random(400) < 0.3).astype(int)
    frame = pandas.DataFrame({
        "noise": rng.normal(size=400),
        "echo": y + rng.normal(scale=0.1, size=400),  # the outcome, barely disguised
        "y": y,
    })  # fmt: skip
    frame["echo_x30"] = frame["echo"] * 30  # a derivation of it
    gate = run_gate(frame, "y", ["noise", "echo", "echo_x30"], [], {}, {}, {})
    assert "echo" in gate.excluded and "echo_x30" in gate.excluded
    assert gate.kept == ["noise"]


def test_pd_horizon_conversion_hand_worked() -> None:
    life = PDHorizon("life_of_loan", 12.0, 84.0, "")
    # over the reference loan life (84 months), constant hazard: 1 − 0.7^(1/7) = 0.049677…
    assert life.to_12m(0.3) == pytest.approx(1 - 0.7 ** (12 / 84), rel=1e-12)
    assert life.to_12m(0.3) == pytest.approx(0.0496772, rel=1e-6)
    assert life.window_months == 84.0
    assert PDHorizon().to_12m(0.3) == 0.3  # a 12-month model is not converted
    assert PDHorizon("months", 24.0).to_12m(0.19) == pytest.approx(0.1, rel=1e-3)


def test_schema_v1_specs_still_load_and_keep_their_digest() -> None:
    spec = ScorecardSpec("m", "logistic", ("x",), Scaling(), Calibration(0.0, -0.05),
                         actionable={"x": True})  # fmt: skip
    old = replace(spec, schema=SCHEMA_V1, actionable={})
    data = spec_to_dict(old)
    assert "actionable" not in data and "pd_horizon" not in data
    text = canonical_json({**data, "sha256": spec_digest(old)})
    loaded = load_spec(text)
    assert loaded.schema == SCHEMA_V1 and spec_digest(loaded) == spec_digest(old)
    assert not loaded.is_actionable("x") and loaded.pd_horizon == PDHorizon()
    assert load_spec(dump_spec(spec)).is_actionable("x")
