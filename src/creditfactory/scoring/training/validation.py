"""Repeated stratified cross-validation for small samples: mean and spread, never one split.

For each of ``n_repeats`` shuffles, ``n_splits`` stratified folds; the model is refit on each
training part and scored on the held-out part. Per fold: AUC of default and, when an ordinal
rating is given (A=1 … D=4), the Spearman correlation between predicted PD and the rating; and
when the fitted model records what it chose on its training part (``record_``, as
`fold_gate.FoldGated`: the gate's exclusions, characteristics, calibration method), that record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pandas
from sklearn.model_selection import RepeatedStratifiedKFold

from creditfactory.scoring.training.metrics import roc_auc, spearman


def repeated_cv(
    make_model: Callable[[], Any],
    X: pandas.DataFrame,
    y: Any,
    n_splits: int = 5,
    n_repeats: int = 5,
    random_state: int = 0,
    rating: Any = None,
) -> dict[str, Any]:
    """AUC (and rating Spearman) per fold, their mean and std, the Brier score's mean and std,
    the first repeat's out-of-fold PDs (``oof_pd``) and every repeat's (``oof_pd_repeats``,
    shape (n_repeats, n)); ``fold_records`` (one per fold, in fold order) when the fitted models
    carry a ``record_``."""
    y = numpy.asarray(y).astype(int)
    folds = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=random_state
    )
    aucs: list[float] = []
    rhos: list[float] = []
    briers: list[float] = []
    records: list[dict[str, Any]] = []
    oof = numpy.full((n_repeats, len(y)), numpy.nan)
    for k, (train, test) in enumerate(folds.split(X, y)):
        model = make_model().fit(X.iloc[train], y[train])
        p = model.predict_proba(X.iloc[test])[:, 1]
        oof[k // n_splits, test] = p  # within a repeat each row is held out exactly once
        aucs.append(roc_auc(y[test], p))
        briers.append(float(numpy.mean((p - y[test]) ** 2)))
        if hasattr(model, "record_"):
            records.append({"repeat": k // n_splits, "fold": k % n_splits, **model.record_})
        if rating is not None:
            rhos.append(spearman(numpy.asarray(rating)[test], p))
    out: dict[str, Any] = {
        "metric": "auc",
        "mean": float(numpy.mean(aucs)),
        "std": float(numpy.std(aucs, ddof=1)),
        "n_splits": n_splits,
        "n_repeats": n_repeats,
        "folds": aucs,
        "brier": {
            "mean": float(numpy.mean(briers)),
            "std": float(numpy.std(briers, ddof=1)),
            "folds": briers,
        },
    }
    if rating is not None:
        out["spearman_rating"] = {
            "mean": float(numpy.mean(rhos)),
            "std": float(numpy.std(rhos, ddof=1)),
        }
    if records:
        out["fold_records"] = records
    out["oof_pd"] = oof[0]
    out["oof_pd_repeats"] = oof
    return out


def paired_folds(model: dict[str, Any], benchmark: dict[str, Any]) -> dict[str, Any]:
    """Paired comparison of two `repeated_cv` results on the same folds: per-fold AUC difference
    (model − benchmark), its mean and sd, the share of folds the model won, tied and lost, and
    the mean Brier difference (negative = the model's PDs are closer to the outcomes).

    Raises:
        ValueError: the two ran on different numbers of folds.
    """
    a, b = numpy.asarray(model["folds"]), numpy.asarray(benchmark["folds"])
    if a.shape != b.shape:
        raise ValueError("paired comparison needs the same folds")
    diff = a - b
    brier = numpy.asarray(model["brier"]["folds"]) - numpy.asarray(benchmark["brier"]["folds"])
    return {
        "auc_difference": {"mean": float(diff.mean()), "std": float(diff.std(ddof=1))},
        "won": float(numpy.mean(diff > 0)),
        "tied": float(numpy.mean(diff == 0)),
        "lost": float(numpy.mean(diff < 0)),
        "brier_difference": {"mean": float(brier.mean()), "std": float(brier.std(ddof=1))},
        "folds": len(diff),
    }


def bootstrap_auc_ci(
    y: Any, risk: Any, n_boot: int = 1000, level: float = 0.95, random_state: int = 0
) -> list[float]:
    """Percentile bootstrap interval ``[low, high]`` of the AUC (`bootstrap_ci`)."""
    return bootstrap_ci(y, risk, roc_auc, n_boot, level, random_state)


def bootstrap_brier_ci(
    y: Any, pd_values: Any, n_boot: int = 1000, level: float = 0.95, random_state: int = 0
) -> list[float]:
    """Percentile bootstrap interval ``[low, high]`` of the Brier score, mean (pd − y)²."""
    return bootstrap_ci(y, pd_values, _brier, n_boot, level, random_state)


def bootstrap_ci(
    y: Any,
    risk: Any,
    metric: Callable[[Any, Any], float],
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> list[float]:
    """Percentile bootstrap interval ``[low, high]`` of ``metric(y, risk)`` (Efron & Tibshirani
    1993, §13).

    Rows are resampled with replacement `n_boot` times; resamples holding one class only are
    skipped.
    """
    yy = numpy.asarray(y).astype(int)
    rr = numpy.asarray(risk, dtype=float)
    rng = numpy.random.default_rng(random_state)
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(yy), len(yy))
        if yy[idx].min() != yy[idx].max():
            values.append(metric(yy[idx], rr[idx]))
    tail = (1.0 - level) / 2.0 * 100.0
    return [float(numpy.percentile(values, tail)), float(numpy.percentile(values, 100.0 - tail))]


def _brier(y: Any, pd_values: Any) -> float:
    return float(numpy.mean((numpy.asarray(pd_values) - numpy.asarray(y)) ** 2))
