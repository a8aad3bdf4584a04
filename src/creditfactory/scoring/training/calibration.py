"""Calibration of scores to a 12-month PD (Platt: logistic regression of default on score).

``pd_12m = 1 / (1 + exp(−(a + b·score)))``. The horizon is the sample's outcome window; when that
is not 12 months (SBA: life of loan), the PD is the sample's and docs/scoring.md says so.
"""

from __future__ import annotations

from typing import Any

import numpy
from sklearn.linear_model import LogisticRegression

from creditfactory.scoring.spec import Calibration, Scaling


def fit_platt(scores: Any, y: Any) -> Calibration:
    """Unpenalised logistic fit of `y` (1 = bad) on the score."""
    model = LogisticRegression(C=numpy.inf, solver="lbfgs", max_iter=1000, tol=1e-10)
    model.fit(numpy.asarray(scores, dtype=float).reshape(-1, 1), numpy.asarray(y))
    return Calibration(float(model.intercept_[0]), float(model.coef_[0][0]), "platt")


def identity_calibration(scaling: Scaling) -> Calibration:
    """The calibration that inverts the scaling (for models that already output log-odds)."""
    return Calibration(scaling.offset / scaling.factor, -1.0 / scaling.factor, "identity")


def calibration_table(pd_12m: Any, y: Any, n_bins: int = 10) -> list[dict[str, float]]:
    """Mean predicted PD vs observed default rate per PD quantile bin."""
    p = numpy.asarray(pd_12m, dtype=float)
    yy = numpy.asarray(y, dtype=float)
    order = numpy.argsort(p, kind="stable")
    rows = []
    for chunk in numpy.array_split(order, min(n_bins, len(p))):
        if len(chunk):
            rows.append(
                {
                    "pd_mean": float(p[chunk].mean()),
                    "observed": float(yy[chunk].mean()),
                    "n": len(chunk),
                }
            )
    return rows
