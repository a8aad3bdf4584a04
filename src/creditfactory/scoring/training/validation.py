"""Repeated stratified cross-validation for small samples: mean and spread, never one split.

For each of ``n_repeats`` shuffles, ``n_splits`` stratified folds; the model is refit on each
training part and scored on the held-out part. Per fold: AUC of default and, when an ordinal
rating is given (A=1 … D=4), the Spearman correlation between predicted PD and the rating.
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
    """AUC (and rating Spearman) per fold, their mean and std, and pooled out-of-fold PDs."""
    y = numpy.asarray(y).astype(int)
    folds = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=random_state
    )
    aucs: list[float] = []
    rhos: list[float] = []
    oof = numpy.full(len(y), numpy.nan)
    for k, (train, test) in enumerate(folds.split(X, y)):
        model = make_model().fit(X.iloc[train], y[train])
        p = model.predict_proba(X.iloc[test])[:, 1]
        if k < n_splits:
            oof[test] = p  # first repeat: each row held out exactly once
        aucs.append(roc_auc(y[test], p))
        if rating is not None:
            rhos.append(spearman(numpy.asarray(rating)[test], p))
    out: dict[str, Any] = {
        "metric": "auc",
        "mean": float(numpy.mean(aucs)),
        "std": float(numpy.std(aucs, ddof=1)),
        "n_splits": n_splits,
        "n_repeats": n_repeats,
        "folds": aucs,
    }
    if rating is not None:
        out["spearman_rating"] = {
            "mean": float(numpy.mean(rhos)),
            "std": float(numpy.std(rhos, ddof=1)),
        }
    out["oof_pd"] = oof
    return out
