"""The ordinal model behind the served CUMCM spec (issue #12 item 3): its solver against a peer
library, the honesty of its fit (it reads the graded label of its training rows only), bounded
linear terms at runtime, the paired fold comparison and the served spec on the real data."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy
import pandas
import pytest
import statsmodels.api as sm
from tests.cli import run_cli
from tests.shared import shared_path

from creditfactory.adapters.cli import demo_cv
from creditfactory.scoring.errors import ModelSpecMismatch
from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import Calibration, LinearTerm, Scaling, ScorecardSpec, dump_spec
from creditfactory.scoring.spec import load_spec as load
from creditfactory.scoring.training.calibration import (
    calibration_figures,
    fit_graded_platt,
    fit_platt,
    laplace_rate,
)
from creditfactory.scoring.training.ordinal import OrdinalLogistic, all_threshold_fit
from creditfactory.scoring.training.validation import paired_folds


def _graded(n: int = 300, seed: int = 1) -> tuple[pandas.DataFrame, pandas.Series, numpy.ndarray]:
    rng = numpy.random.default_rng(seed)
    X = pandas.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)}
    )
    latent = 1.5 * X["a"] - 0.8 * X["b"] + rng.logistic(size=n)
    grades = pandas.Series(numpy.digitize(latent, [-1.5, 0.0, 1.5]), index=X.index)
    return X, grades, (grades == 3).to_numpy().astype(int)


def test_all_threshold_fit_equals_statsmodels_on_the_stacked_design() -> None:
    # the all-threshold loss is a binary logistic on the design stacked once per threshold with
    # one intercept per threshold; with (almost) no penalty statsmodels' MLE is the answer
    X, grades, _ = _graded()
    z = X.to_numpy()
    blocks = [numpy.hstack([z, numpy.eye(3)[[j] * len(z)]]) for j in range(3)]
    target = numpy.concatenate([(grades >= j + 1).to_numpy() for j in range(3)]).astype(float)
    peer = sm.Logit(target, numpy.vstack(blocks)).fit(disp=0)
    beta, thresholds = all_threshold_fit(z, grades.to_numpy(), C=1e9)
    assert beta == pytest.approx(peer.params[:3], abs=1e-6)
    assert thresholds == pytest.approx(peer.params[3:], abs=1e-6)
    assert beta[0] > 0 > beta[1]  # the generating signs: a raises the grade, b lowers it


def test_the_penalty_shrinks_beta() -> None:
    X, grades, _ = _graded()
    loose, _ = all_threshold_fit(X.to_numpy(), grades.to_numpy(), C=1e9)
    tight, _ = all_threshold_fit(X.to_numpy(), grades.to_numpy(), C=0.01)
    assert numpy.linalg.norm(tight) < 0.5 * numpy.linalg.norm(loose)


def test_fit_reads_the_graded_label_of_its_own_rows_only() -> None:
    # under cross-validation the test fold's ratings must not reach the fit: corrupting every
    # label outside the training rows changes nothing
    X, grades, y = _graded()
    rows = X.index[:200]
    corrupted = grades.copy()
    corrupted.loc[X.index[200:]] = 0
    kwargs = {"start": ["a"], "candidates": ["b", "c"]}
    honest = OrdinalLogistic(ordinal=grades, **kwargs).fit(X.loc[rows], y[:200])
    other = OrdinalLogistic(ordinal=corrupted, **kwargs).fit(X.loc[rows], y[:200])
    assert honest.features_ == other.features_
    assert honest.predict_proba(X.loc[X.index[200:]]) == pytest.approx(
        other.predict_proba(X.loc[X.index[200:]])
    )


def test_forward_selection_keeps_the_signal_and_logs_the_rest() -> None:
    X, grades, y = _graded()
    model = OrdinalLogistic(ordinal=grades, start=["a"], candidates=["c", "b"]).fit(X, y)
    assert model.features_ == ["a", "b"]  # c is noise
    assert set(model.dropped_) == {"c"}
    assert "forward selection" in model.dropped_["c"].en
    assert [s["features"] for s in model.selection_] == [["a"], ["a", "b"]]


def test_prediction_caps_at_the_training_range_and_scores_missing_at_the_worse_end() -> None:
    X, grades, y = _graded()
    model = OrdinalLogistic(ordinal=grades, start=["a"]).fit(X[["a"]], y)
    top = X["a"].max()
    p = model.predict_proba(pandas.DataFrame({"a": [top, top + 100.0, math.nan]}))[:, 1]
    assert p[1] == pytest.approx(p[0])  # no extrapolation beyond the training range
    assert p[2] == pytest.approx(p[0])  # a raises risk: missing counts as its highest value


def _worst_grade_defaults(n: int, rng: numpy.random.Generator) -> tuple[Any, Any, Any]:
    # the CUMCM shape: every firm of the worst grade defaults, others at 4 % whatever the index;
    # true PD = 0.04 + 0.96·σ(−2 + 2.5·η)
    eta = rng.normal(size=n)
    worst = rng.random(n) < 1 / (1 + numpy.exp(2.0 - 2.5 * eta))
    return eta, (worst | (rng.random(n) < 0.04)).astype(int), worst


def test_graded_calibration_recovers_the_generating_pd_where_platt_does_not() -> None:
    rng = numpy.random.default_rng(7)
    eta, y, worst = _worst_grade_defaults(2000, rng)
    graded, platt = fit_graded_platt(eta, y, worst), fit_platt(eta, y)
    truth = 0.04 + 0.96 / (1 + math.exp(2.0 + 2.5 * 2.0))  # a large firm, η = −2: 0.0409
    assert graded.pd(-2.0) == pytest.approx(truth, abs=0.01)
    assert platt.pd(-2.0) < truth / 4  # one logistic of default drives it towards 0
    held_eta, held_y, _ = _worst_grade_defaults(20000, rng)
    hl = {c.method: calibration_figures([c.pd(e) for e in held_eta], held_y)["hosmer_lemeshow"]
          for c in (graded, platt)}  # fmt: skip
    assert hl["graded_platt"]["p_value"] > 0.05
    assert hl["platt"]["p_value"] < 1e-6


def test_graded_calibration_hand_worked() -> None:
    # Laplace: (bads + 1) / (rows + 2); the logistic part is Platt on the worst-grade flag
    assert laplace_rate([0, 0, 0, 1]) == pytest.approx(2 / 6)
    scores = numpy.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 1.5, 3.5])
    worst = numpy.array([0, 0, 1, 0, 1, 1, 0, 1], dtype=bool)
    y = numpy.array([0, 0, 1, 1, 1, 1, 0, 1])
    got = fit_graded_platt(scores, y, worst)
    assert (got.floor, got.ceiling) == (pytest.approx(2 / 6), pytest.approx(5 / 6))
    peer = sm.Logit(worst.astype(float), sm.add_constant(scores)).fit(disp=0).params
    assert (got.intercept, got.slope) == (pytest.approx(peer[0], abs=1e-4),
                                          pytest.approx(peer[1], abs=1e-4))  # fmt: skip
    share = 1 / (1 + math.exp(-(got.intercept + got.slope * 2.5)))
    assert got.pd(2.5) == pytest.approx(2 / 6 + (5 / 6 - 2 / 6) * share)
    with pytest.raises(ValueError):
        fit_graded_platt(scores, 1 - y, worst)  # the worst grade defaulting less
    with pytest.raises(ValueError):
        fit_graded_platt(scores, y, numpy.ones(8, dtype=bool))


def test_a_bounded_calibration_round_trips_and_a_plain_one_keeps_its_form() -> None:
    bounded = Calibration(-2.0, 0.01, "graded_platt_oof", 0.04, 0.96)
    spec = ScorecardSpec(model_id="t", model_type="logistic", features=("x",),
                         scaling=Scaling(), calibration=bounded)  # fmt: skip
    assert load(dump_spec(spec)).calibration == bounded
    assert json.loads(dump_spec(BOUNDED))["calibration"] == {
        "intercept": 0.0,
        "slope": 0.0,
        "method": "platt",
    }
    text = dump_spec(spec).replace('"ceiling":0.96', '"ceiling":0.01')
    with pytest.raises(ModelSpecMismatch):
        load(text)


BOUNDED = ScorecardSpec(
    model_id="t", model_type="logistic", features=("x",), scaling=Scaling(rounding=False),
    calibration=Calibration(0.0, 0.0), intercept=-1.0,
    linear_terms=(LinearTerm("x", 2.0, 0.0, 1.0, bounded=True),),
)  # fmt: skip


def test_bounded_term_hand_worked() -> None:
    # log-odds = −1 + 2·x with x capped to [0, 1]; score = offset − factor·log-odds
    s = BOUNDED.scaling
    assert score(BOUNDED, {"x": 0.5}).score == pytest.approx(s.offset)  # log-odds 0
    assert score(BOUNDED, {"x": 5.0}).score == pytest.approx(s.offset - s.factor)  # x → 1
    assert score(BOUNDED, {"x": -3.0}).score == pytest.approx(s.offset + s.factor)  # x → 0
    assert score(BOUNDED, {"x": None}).score == pytest.approx(s.offset - s.factor)  # worse end
    assert load(dump_spec(BOUNDED)) == BOUNDED


def test_an_unbounded_term_keeps_its_earlier_form() -> None:
    # specs written before bounded terms existed keep their JSON and digest
    plain = LinearTerm("x", 2.0, 0.0, 1.0)
    spec = ScorecardSpec(
        model_id="t", model_type="logistic", features=("x",), scaling=Scaling(),
        calibration=Calibration(0.0, 0.0), linear_terms=(plain,),
    )  # fmt: skip
    assert json.loads(dump_spec(spec))["linear_terms"] == [
        {"feature": "x", "coefficient": 2.0, "lower": 0.0, "upper": 1.0}
    ]
    assert score(spec, {"x": 5.0}).score != score(BOUNDED, {"x": 5.0}).score


def test_paired_folds_hand_worked() -> None:
    model = {"folds": [0.8, 0.9, 0.7, 0.9], "brier": {"folds": [0.10, 0.08, 0.12, 0.09]}}
    bench = {"folds": [0.7, 0.9, 0.8, 0.8], "brier": {"folds": [0.11, 0.08, 0.10, 0.11]}}
    out = paired_folds(model, bench)
    assert out["auc_difference"]["mean"] == pytest.approx(0.025)  # (0.1 + 0 − 0.1 + 0.1) / 4
    assert out["auc_difference"]["std"] == pytest.approx(numpy.std([0.1, 0, -0.1, 0.1], ddof=1))
    assert (out["won"], out["tied"], out["lost"]) == (0.5, 0.25, 0.25)
    assert out["brier_difference"]["mean"] == pytest.approx(-0.0025)  # (−.01 + 0 + .02 − .02) / 4
    with pytest.raises(ValueError):
        paired_folds(model, {"folds": [0.5], "brier": {"folds": [0.1]}})


def test_cumcm_ordinal_spec_serves_the_training_figures() -> None:
    shared_path("data", "cumcm2020c_sme_invoices")
    from creditfactory.scoring.training.datasets import CUMCM_ORDINAL_FEATURES
    from creditfactory.scoring.training.pipeline import score_frame, train

    trained = train("cumcm-2020c", "ordinal", cv_repeats=1)
    spec, result = trained.spec, trained.result
    start, candidates = CUMCM_ORDINAL_FEATURES
    assert spec.features[0] == start[0] and set(spec.features) <= {*start, *candidates}
    assert "rating" not in spec.features and "rating" in result["excluded"]
    assert spec.model_type == "logistic" and all(t.bounded for t in spec.linear_terms)
    assert spec.pd_horizon.months == 12.0 and spec.labels[start[0]]["zh"]
    rows = trained.train
    served = score_frame(spec, rows)
    assert [s["score"] for s in served] == pytest.approx(list(trained.model.score_points(rows)))
    assert [s["pd_12m"] for s in served] == pytest.approx(
        list(trained.model.predict_proba(rows)[:, 1])
    )
    # out-of-fold calibration (issue #12 item 3), its method chosen by inner CV on the rows fitted
    # (all 123 for the served spec: graded Platt, inner Brier 0.0802 vs plain Platt 0.0816)
    choice = spec.training["calibration_choice"]
    assert spec.calibration.method == f"{choice['method']}_oof" == "graded_platt_oof"
    assert 0 < spec.calibration.floor < 0.1
    # each outer fold chose for itself: the first repeat's fold 0 took plain Platt (inner Brier
    # 0.0718 vs 0.0729), whose lowest decile predicts 0.09 % and sees 7.7 % — the price of not
    # choosing after seeing the outer folds (graded Platt fixed for all folds gave slope 0.97)
    calibration = result["validation"]["calibration"]
    assert result["cv"]["fold_choices"]["calibration"] == {"graded_platt": 4, "platt": 1}
    assert 0.7 <= calibration["slope"] <= 0.9
    assert result["cv"]["brier"]["mean"] <= 0.1 and result["cv"]["mean"] > 0.88
    assert result["benchmark"]["paired"]["folds"] == 5  # one repeat here; the model's own folds
    assert result["cv"]["n_repeats"] == 1
    # the 5 × 20 figures `make demo` prints are this model's (else: `make cumcm-cv`)
    cached = json.loads(demo_cv.CACHE.read_text(encoding="utf-8"))
    assert demo_cv.belongs_to(cached, result, spec.training["training_data_sha256"])


def test_demo_prints_cached_figures_only_for_their_model(tmp_path: Path) -> None:
    cache = tmp_path / "cv.json"
    result = {"characteristics": ["x"], "coefficients": {"const": 1.0, "x": -0.5}}
    cache.write_text(json.dumps({
        "command": "c", "protocol": "5-fold × 20",
        "model": {**result, "method": "ordinal", "training_data_sha256": "d", "auc": 0.9012,
                  "auc_std": 0.081, "brier": 0.0876, "calibration": {
                      "slope": 0.97, "intercept": -0.1, "hosmer_lemeshow_p": 0.44, "repeats": {
                          "repeats": 20, "slope": {"mean": 1.1, "std": 0.12}}}},
        "benchmark": {"name": "b", "auc": 0.887, "auc_std": 0.072, "brier": 0.0942,
                      "calibration": {"slope": 0.94, "intercept": 0.05, "hosmer_lemeshow_p": 0.2,
                                      "repeats": {"repeats": 20, "slope": {"mean": 1.0,
                                                                           "std": 0.1}}}},
        "paired": {"auc_difference": {"mean": 0.0142, "std": 0.04}, "won": 0.6, "tied": 0.1,
                   "lost": 0.3, "brier_difference": {"mean": -0.0066, "std": 0.02}, "folds": 100},
    }))  # fmt: skip
    shown = "\n".join(demo_cv.lines(result, "d", cache))
    assert "AUC 0.901 ± 0.081, Brier 0.0876" in shown and "AUC 0.887 ± 0.072" in shown
    assert "calibration slope 0.97 / intercept -0.10 / Hosmer–Lemeshow p 0.44" in shown
    assert "slope over 20 repeats 1.10 ± 0.12" in shown and "slope 0.94" in shown
    assert "AUC difference +0.014 ± 0.040; model won 60%, tied 10%, lost 30%" in shown
    refit = {**result, "coefficients": {"const": 1.0, "x": -0.6}}
    for stale in (demo_cv.lines(refit, "d", cache), demo_cv.lines(result, "other", cache)):
        assert stale[0].endswith("run `make cumcm-cv` to refresh them")
    assert "no cached figures" in demo_cv.lines(result, "d", tmp_path / "none.json")[0]


def test_a_declared_log_volatility_below_zero_is_a_value_not_an_error() -> None:
    # a CV below 1 has a negative log (typical: ln 0.5 = −0.69); only counts and amounts are ≥ 0
    from creditfactory.origination import InvalidField
    from creditfactory.origination.declared import check_declared, declared_schema

    spec = ScorecardSpec(
        model_id="t", model_type="logistic", features=("log_sales_volatility",),
        scaling=Scaling(), calibration=Calibration(0.0, 0.0),
        linear_terms=(LinearTerm("log_sales_volatility", 1.3, -1.3, 1.7, bounded=True),),
    )  # fmt: skip
    schema = declared_schema(spec, ())
    check_declared({"log_sales_volatility": -0.69}, schema, date(2020, 1, 1))
    with pytest.raises(InvalidField):
        check_declared({"log_sales_volatility": "-0.69"}, schema, date(2020, 1, 1))


def test_ordinal_on_a_dataset_without_grades_exits_2_naming_the_method(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    shared_path("data", "german_credit")
    args = ["model", "train", "--dataset", "german", "--method", "ordinal"]
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 2 and "method" in err and "graded label" in err


def test_live_csi_of_a_raw_logistic_term_against_its_development_deciles() -> None:
    # the served CUMCM spec has no bins: each term keeps its development deciles instead
    from creditfactory.scoring.stability import (
        StabilityStatus,
        stability_against_development,
        with_development_terms,
    )

    development = [{"x": i / 100} for i in range(100)]  # x uniform on [0, 1): ten deciles of 10
    spec = with_development_terms(BOUNDED, development)
    recorded = spec.training["term_distribution"]["x"]
    assert recorded["counts"] == [10] * 10 and recorded["rows"] == 100
    same = stability_against_development(spec, [500.0] * 300, development * 3, min_decisions=300)
    assert [(c.name, c.value) for c in same.characteristics] == [("x", pytest.approx(0.0))]
    # every applicant at x ≥ 0.9: shares 1e-6 in nine bins and 1 in the last (Siddiqi's sum)
    drifted = stability_against_development(spec, [500.0] * 300, [{"x": 0.95}] * 300)
    expected = 9 * (1e-6 - 0.1) * math.log(1e-6 / 0.1) + (1 - 0.1) * math.log(1 / 0.1)
    assert drifted.characteristics[0].value == pytest.approx(expected, rel=1e-4)
    assert drifted.characteristics[0].status is StabilityStatus.ACT
    # a missing value is read as the model reads it: the term's worse end (x = 1)
    missing = stability_against_development(spec, [500.0] * 300, [{"x": None}] * 300)
    assert missing.characteristics[0].value == pytest.approx(expected, rel=1e-4)
