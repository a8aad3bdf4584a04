"""Benchmark models the chosen model is compared with (SR 11-7: outcomes analysis vs a challenger).

- the dataset's declared benchmarks (`datasets.Dataset.benchmarks`): raw logistic regressions on
  named columns — the SBA paper's ``RealEstate + Portion + Recession`` (Li, Mickel & Taylor
  2018; it uses Term-derived fields the leakage gate excludes, and the result says so), CUMCM's
  one-feature logistic on log monthly sales;
- the best single application-time characteristic: the kept candidate with the highest gate IV
  on the training part, as a one-feature logistic (raw for a complete numeric field, on WOE for a
  categorical one); under repeated cross-validation chosen inside each training fold by that
  fold's own gate (`pipeline._benchmark_specs`, `fold_gate.FoldGated`).

Each is fitted exactly as the chosen model is evaluated: on the training part and scored on the
validation part, or under the same repeated stratified folds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pandas

from creditfactory.scoring.training.calibration import (
    calibration_figures,
    calibration_over_repeats,
)
from creditfactory.scoring.training.logistic import RawLogistic
from creditfactory.scoring.training.metrics import roc_auc
from creditfactory.scoring.training.scorecard import WOEScorecard
from creditfactory.scoring.training.validation import repeated_cv


def single_feature(name: str, categorical: bool) -> Callable[[], Any]:
    """Factory of a one-feature WOE logistic on `name` (no IV floor)."""
    return lambda: WOEScorecard(categorical=[name] if categorical else [], min_iv=0.0)


def raw_logistic() -> RawLogistic:
    """Factory of an unpenalised raw logistic regression."""
    return RawLogistic()


def on_split(
    make: Callable[[], Any],
    features: list[str],
    train: pandas.DataFrame,
    valid: pandas.DataFrame,
    target: str,
) -> dict[str, Any]:
    """Fit on `train`, AUC and Brier on `valid`."""
    model = make().fit(train[features], train[target].to_numpy())
    p = model.predict_proba(valid[features])[:, 1]
    y = valid[target].to_numpy()
    return {"auc": roc_auc(y, p), "brier": float(numpy.mean((p - y) ** 2))}


def on_folds(
    make: Callable[[], Any],
    features: list[str],
    frame: pandas.DataFrame,
    target: str,
    n_repeats: int,
) -> dict[str, Any]:
    """Mean ± std AUC and mean Brier under `repeated_cv` (5 folds × `n_repeats`, seed 0: the
    chosen model's folds), the calibration of the first repeat's out-of-fold PDs and over the
    repeats (as the chosen model's), with the per-fold figures for a paired comparison (``cv``)."""
    y = frame[target].to_numpy()
    cv = repeated_cv(make, frame[features], y, n_repeats=n_repeats)
    per_fold = {"folds": cv["folds"], "brier": cv["brier"]}
    cal = calibration_figures(cv["oof_pd"], y)
    return {
        "auc": cv["mean"],
        "auc_std": cv["std"],
        "brier": cv["brier"]["mean"],
        "calibration": {k: cal[k] for k in ("slope", "intercept", "hosmer_lemeshow")},
        "calibration_repeats": calibration_over_repeats(cv["oof_pd_repeats"], y),
        "cv": per_fold,
    }
