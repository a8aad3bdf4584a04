"""Calibration of scores to a PD (Platt: logistic regression of default on score).

``pd = 1 / (1 + exp(−(a + b·score)))`` over the sample's outcome window; when that is not 12
months (SBA: life of loan) the spec's `PDHorizon` converts it. A served scorecard is calibrated
out of fold (`out_of_fold_platt`): Platt fitted in sample on a scorecard's own training scores
inherits the binning's overfit (SBA with Bank: validation slope 0.654, approving deciles' PDs
5–10× too low).

Where a graded label carries the default (CUMCM: all 24 firms rated D defaulted, 3 of 96 rated
A–C did), `fit_graded_platt` calibrates the index to the worst grade and bounds the PD by the
default rates outside and inside it: one logistic of default on the index (Platt) must fit both
the steep D boundary and the scattered defaults of better-rated firms, and pushes large firms'
PDs towards 0 (CUMCM out of fold: slope 0.61, the lowest decile predicted 0.08 % and saw 7.7 %).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy
import pandas
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from creditfactory.scoring.spec import Calibration, Scaling


def fit_platt(scores: Any, y: Any) -> Calibration:
    """Unpenalised logistic fit of `y` (1 = bad) on the score."""
    model = LogisticRegression(C=numpy.inf, solver="lbfgs", max_iter=1000, tol=1e-10)
    model.fit(numpy.asarray(scores, dtype=float).reshape(-1, 1), numpy.asarray(y))
    return Calibration(float(model.intercept_[0]), float(model.coef_[0][0]), "platt")


def laplace_rate(y: Any) -> float:
    """Default rate ``(bads + 1) / (rows + 2)`` (Laplace's rule of succession): never 0 or 1 on
    a small group (CUMCM: 0 of 21 D firms repaid is not a PD of 1)."""
    yy = numpy.asarray(y, dtype=float)
    return float((yy.sum() + 1.0) / (len(yy) + 2.0))


def fit_graded_platt(scores: Any, y: Any, worst: Any) -> Calibration:
    """Calibration of an index of a graded label to default (method ``graded_platt``):
    ``pd = floor + (ceiling − floor)·σ(a + b·score)``.

    Args:
        scores: out-of-fold index (or score) of each training row, shape (n,).
        y: default flag (1 = bad), shape (n,).
        worst: whether each row holds the worst grade (CUMCM: rating D), shape (n,).

    Returns:
        σ(a + b·score) is Platt's chance of the worst grade (`fit_platt` on `worst`); ``floor``
        and ``ceiling`` are the `laplace_rate` of default outside and inside the worst grade, so
        ``pd = P(worst)·ceiling + (1 − P(worst))·floor``.

    Raises:
        ValueError: the rows hold only the worst grade or none of it, or defaults are not more
            frequent inside it than outside.
    """
    yy, top = numpy.asarray(y, dtype=float), numpy.asarray(worst, dtype=bool)
    if top.all() or not top.any():
        raise ValueError("graded calibration needs rows inside and outside the worst grade")
    floor, ceiling = laplace_rate(yy[~top]), laplace_rate(yy[top])
    if floor >= ceiling:
        raise ValueError("graded calibration: the worst grade must default more than the rest")
    grade = fit_platt(scores, top.astype(int))
    return Calibration(grade.intercept, grade.slope, "graded_platt", floor, ceiling)


def out_of_fold_platt(
    make: Callable[[], Any], X: pandas.DataFrame, y: numpy.ndarray, folds: int = 5, seed: int = 0
) -> Calibration:
    """Platt fit on out-of-fold scores of the training rows (method ``platt_oof``).

    Each of `folds` stratified folds is scored by a model ``make().fit`` on the other folds
    (binning, selection and points refitted; every fold model uses the same points scaling, so
    scores are comparable), then `fit_platt` maps those held-out scores to outcomes. `make()`
    must return an estimator with ``fit`` and ``score_points`` (a `WOEScorecard`).
    """
    scores = numpy.empty(len(y), dtype=float)
    split = StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y)
    for fit_rows, held_out in split:
        fold_model = make().fit(X.iloc[fit_rows], y[fit_rows])
        scores[held_out] = fold_model.score_points(X.iloc[held_out])
    fitted = fit_platt(scores, y)
    return Calibration(fitted.intercept, fitted.slope, "platt_oof")


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


def calibration_figures(pd_values: Any, y: Any, n_bins: int = 10) -> dict[str, Any]:
    """Out-of-sample calibration of PDs against outcomes (y = 1 bad).

    - ``brier``: mean (pd − y)² (scikit-learn's `brier_score_loss`);
    - ``slope``: β of ``logit P(y) = α + β·logit(pd)`` (1 = well spread; < 1 = too extreme);
    - ``intercept``: calibration-in-the-large α with logit(pd) as an offset (0 = right level);
      both from statsmodels' binomial GLM (Cox 1958; Van Calster et al. 2019);
    - ``hosmer_lemeshow``: Σ (O − E)² / (E·(1 − E/n)) over PD-sorted groups, its degrees of
      freedom (groups − 2) and p-value (χ², Hosmer & Lemeshow 2000);
    - ``reliability``: mean PD vs observed bad rate per PD-sorted group (`calibration_table`).
    """
    import statsmodels.api as sm
    from scipy import stats
    from sklearn.metrics import brier_score_loss

    p = numpy.clip(numpy.asarray(pd_values, dtype=float), 1e-6, 1 - 1e-6)
    yy = numpy.asarray(y, dtype=float)
    logit = numpy.log(p / (1 - p))
    family = sm.families.Binomial()
    # A badly calibrated challenger (near-0/1 PDs) can overflow the IRLS steps: the figures are
    # still what they are, so the numerical warnings are not errors here.
    with warnings.catch_warnings(), numpy.errstate(over="ignore", divide="ignore"):
        warnings.simplefilter("ignore")
        slope_fit = sm.GLM(yy, sm.add_constant(logit), family=family).fit()
        level_fit = sm.GLM(yy, numpy.ones((len(yy), 1)), family=family, offset=logit).fit()
    table = calibration_table(p, yy, n_bins)
    hl = sum(
        (r["observed"] * r["n"] - r["pd_mean"] * r["n"]) ** 2
        / max(r["pd_mean"] * r["n"] * (1 - r["pd_mean"]), 1e-12)
        for r in table
    )
    dof = len(table) - 2
    return {
        "brier": float(brier_score_loss(yy, p)),
        "slope": float(slope_fit.params[1]),
        "intercept": float(level_fit.params[0]),
        "hosmer_lemeshow": {
            "chi2": float(hl),
            "dof": dof,
            "p_value": float(stats.chi2.sf(hl, dof)),
        },
        "mean_pd": float(p.mean()),
        "bad_rate": float(yy.mean()),
        "reliability": table,
    }


def calibration_over_repeats(oof_repeats: Any, y: Any) -> dict[str, Any]:
    """Calibration of each repeat's out-of-fold PDs under repeated CV, shape (repeats, n): mean
    and sd of the slope and intercept (`calibration_figures`) and the share of repeats whose
    Hosmer–Lemeshow test rejects at 5 % — one repeat's partition is one draw of 20."""
    per = [calibration_figures(row, y) for row in numpy.asarray(oof_repeats, dtype=float)]
    out: dict[str, Any] = {"repeats": len(per)}
    for key in ("slope", "intercept"):
        values = numpy.array([c[key] for c in per])
        out[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(per) > 1
                    else 0.0}  # fmt: skip
    out["hosmer_lemeshow_rejected"] = float(
        numpy.mean([c["hosmer_lemeshow"]["p_value"] < 0.05 for c in per])
    )
    return out
