"""Ordinal logistic model: learn from a graded label (a rating A < B < C < D), serve a default PD.

Where the data hold a richer label than default — CUMCM 2020 C's bank rating 信誉评级, every
D firm defaulted — the grades order the goods too (A is safer than C), which a default flag of
27 in 123 cannot teach. The label is a training target only, never a feature.

Model (proportional odds with the all-threshold loss, Rennie & Srebro 2005): a linear index
``η = Σ β·z`` on standardised features, and for each threshold j = 1 … K−1 a binary logistic of
``rating ≥ j`` on ``θ_j + η`` — one shared β, L2-penalised (``½‖β‖² / C``, thresholds free),
solved by Newton's method. The index is then mapped to the default PD on out-of-fold indices
of the training rows, so the served PDs are not the in-sample fit's. The calibration method is
chosen inside `fit`, on the training rows only (`choose_calibration`): each of `calibrations`
(``graded_platt``: Platt scaling to the worst grade between the default rates outside and inside
it, `calibration.fit_graded_platt`; ``platt``: plain Platt to default) is fitted within inner
folds and scored on the inner held-out rows, and the lowest inner Brier score wins. Under
repeated cross-validation each outer training fold thus makes its own choice and the outer test
fold never informs it (an earlier version fixed graded Platt after seeing the outer folds: plain
Platt had left the out-of-fold slope at 0.61 on CUMCM). ``calibration_choice_`` records the
choice and the inner Brier of each method.

Features (`start` always, then forward selection from `candidates`): each is capped and floored
at its training range (no extrapolation beyond what was seen; the runtime does the same with
``bounded`` linear terms) and selected by the out-of-fold AUC of default inside the training
rows only (`inner_folds`-fold stratified CV); a candidate joins while it raises that AUC by more
than `min_gain`, up to `max_features`. The whole procedure runs inside `fit`, so under repeated
cross-validation every outer fold makes its own choices. ``dropped_`` records why each
candidate stayed out (the selection log).

``to_spec`` freezes the fit as a ``logistic`` spec whose runtime scores equal `score_points`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy
import pandas
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold

from creditfactory.scoring.errors import NotFitted
from creditfactory.scoring.spec import Calibration, LinearTerm, Scaling, ScorecardSpec
from creditfactory.scoring.training.calibration import fit_graded_platt, fit_platt
from creditfactory.scoring.training.metrics import roc_auc
from creditfactory.scoring.training.wording import Reason

_NEWTON_STEPS = 50
_NEWTON_TOL = 1e-10

CALIBRATIONS: dict[str, Callable[[numpy.ndarray, numpy.ndarray, numpy.ndarray], Calibration]] = {
    "graded_platt": fit_graded_platt,
    "platt": lambda eta, y, worst: fit_platt(eta, y),
}
"""Calibration methods of the index to the default PD: (out-of-fold η, default, worst grade) →
`Calibration`; the order breaks ties of the inner Brier score."""


class OrdinalLogistic(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """L2 proportional-odds logistic on an ordinal label, calibrated to default (module doc).

    Parameters
    ----------
    ordinal : pandas.Series
        The ordinal label of every row as integer codes 0 … K−1 (A = 0 … D = 3), indexed like
        the training frame; `fit` reads only the rows of the X it is given.
    start : sequence of str
        Features always in the model.
    candidates : sequence of str
        Features forward selection may add.
    max_features : int
    min_gain : float
        Least rise of the inner out-of-fold AUC for a candidate to join.
    C : float
        Inverse L2 strength on β (standardised features).
    inner_folds, random_state : inner cross-validation for selection and calibration.
    calibrations : sequence of str
        Names in `CALIBRATIONS` the fit chooses from by inner Brier score (one name: fixed).
    target_score, target_odds, pdo : points scaling of the exported score.
    """

    def __init__(
        self,
        ordinal: pandas.Series | None = None,
        start: Sequence[str] = (),
        candidates: Sequence[str] = (),
        max_features: int = 3,
        min_gain: float = 0.005,
        C: float = 1.0,
        inner_folds: int = 5,
        random_state: int = 0,
        target_score: float = 600.0,
        target_odds: float = 50.0,
        pdo: float = 20.0,
        calibrations: Sequence[str] = tuple(CALIBRATIONS),
    ) -> None:
        self.ordinal = ordinal
        self.start = start
        self.candidates = candidates
        self.max_features = max_features
        self.min_gain = min_gain
        self.C = C
        self.inner_folds = inner_folds
        self.random_state = random_state
        self.target_score = target_score
        self.target_odds = target_odds
        self.pdo = pdo
        self.calibrations = calibrations

    def fit(self, X: pandas.DataFrame, y: Any) -> OrdinalLogistic:
        """Select, fit and calibrate on the rows of `X`; learned ``features_``, ``beta_``,
        ``thresholds_``, ``center_``, ``scale_``, ``bounds_``, ``calibration_``,
        ``calibration_choice_``, ``dropped_``, ``selection_``.

        Raises:
            ValueError: no ordinal label, missing training values, an unknown calibration name,
                or no calibration method that fits these rows.
        """
        if self.ordinal is None:
            raise ValueError("OrdinalLogistic needs the ordinal label (ordinal=)")
        yy = numpy.asarray(y).astype(int)
        grades = self.ordinal.loc[X.index].to_numpy(dtype=int)
        columns = [*self.start, *(c for c in self.candidates if c not in self.start)]
        values = X[columns].astype(float)
        if values.isna().any().any():
            missing = [c for c in columns if values[c].isna().any()]
            raise ValueError(f"OrdinalLogistic: training values missing in {', '.join(missing)}")
        chosen, self.selection_, self.dropped_ = self._select(values, yy, grades)
        self.calibration_choice_ = choose_calibration(self, values[chosen], yy, grades)
        self._fit_index(values[chosen], grades)
        eta = _fold_indices(self, values[chosen], yy, grades)
        fit_method = CALIBRATIONS[self.calibration_choice_["method"]]
        self.calibration_ = fit_method(eta, yy, grades == grades.max())
        self.classes_ = numpy.array([0, 1])
        return self

    def _select(
        self, values: pandas.DataFrame, y: numpy.ndarray, grades: numpy.ndarray
    ) -> tuple[list[str], list[dict[str, Any]], dict[str, Reason]]:
        chosen = list(self.start)
        best = _inner_auc(self, values[chosen], y, grades)
        log = [{"step": 0, "features": list(chosen), "inner_auc": best}]
        pool = [c for c in self.candidates if c not in chosen]
        while pool and len(chosen) < self.max_features:
            trial = {c: _inner_auc(self, values[[*chosen, c]], y, grades) for c in pool}
            pick = max(pool, key=lambda c: (trial[c], -pool.index(c)))
            if trial[pick] <= best + self.min_gain:
                break
            chosen.append(pick)
            pool.remove(pick)
            best = trial[pick]
            log.append({"step": len(log), "features": list(chosen), "inner_auc": best})
        why = Reason(
            "forward_selection", {"gain": self.min_gain, "auc": best, "limit": self.max_features}
        )
        return chosen, log, dict.fromkeys(pool, why)

    def _fit_index(self, values: pandas.DataFrame, grades: numpy.ndarray) -> None:
        """β, thresholds and the feature transform (range caps, centre, scale) on `values`."""
        self.features_ = list(values.columns)
        self.bounds_ = {c: (float(values[c].min()), float(values[c].max())) for c in values}
        capped = self._capped(values)
        self.center_ = capped.mean(axis=0)
        scale = capped.std(axis=0, ddof=0)
        self.scale_ = numpy.where(scale > 0, scale, 1.0)
        z = (capped - self.center_) / self.scale_
        self.beta_, self.thresholds_ = all_threshold_fit(z, grades, self.C)

    def _check(self) -> None:
        if not hasattr(self, "calibration_"):
            raise NotFitted("OrdinalLogistic: call fit first")

    def _capped(self, X: pandas.DataFrame) -> numpy.ndarray:
        """Values capped and floored at the training range; once fitted, a missing value at
        the riskier end (as a ``bounded`` runtime term)."""
        lower = numpy.array([self.bounds_[c][0] for c in self.features_])
        upper = numpy.array([self.bounds_[c][1] for c in self.features_])
        raw = X[self.features_].to_numpy(dtype=float)
        if hasattr(self, "beta_"):
            raw = numpy.where(numpy.isnan(raw), numpy.where(self.beta_ > 0, upper, lower), raw)
        return numpy.asarray(numpy.clip(raw, lower, upper), dtype=float)

    def index(self, X: pandas.DataFrame) -> numpy.ndarray:
        """The linear index η (higher = riskier grade), on capped features."""
        z = (self._capped(X) - self.center_) / self.scale_
        return numpy.asarray(z @ self.beta_, dtype=float)

    def score_points(self, X: pandas.DataFrame) -> numpy.ndarray:
        """Scaled score ``offset − factor · η``."""
        self._check()
        return self.scaling.offset - self.scaling.factor * self.index(X)

    def predict_proba(self, X: pandas.DataFrame) -> numpy.ndarray:
        """``[[1 − pd, pd]]``: the calibrated default PD of each row."""
        self._check()
        p = numpy.array([self.calibration_.pd(s) for s in self.index(X)])
        return numpy.column_stack([1.0 - p, p])

    @property
    def scaling(self) -> Scaling:
        """Scaling of the exported score (unrounded)."""
        return Scaling(self.target_score, self.target_odds, self.pdo, rounding=False)

    @property
    def coefficients_(self) -> dict[str, float]:
        """Raw-unit coefficients of η (``const`` = the centring term)."""
        self._check()
        raw = self.beta_ / self.scale_
        return {"const": float(-(raw @ self.center_)),
                **{f: float(b) for f, b in zip(self.features_, raw, strict=True)}}  # fmt: skip

    def to_spec(
        self, model_id: str, labels: dict[str, dict[str, str]] | None = None, training: Any = None
    ) -> ScorecardSpec:
        """Freeze as a ``logistic`` spec: bounded terms in raw units, the score ``offset −
        factor·η`` and the calibration of η rewritten on the score."""
        self._check()
        coefficients, s = self.coefficients_, self.scaling
        a, b = self.calibration_.intercept, self.calibration_.slope
        # σ(a + b·η) with η = (offset − score) / factor; floor and ceiling unchanged
        calibration = replace(
            self.calibration_,
            intercept=a + b * s.offset / s.factor,
            slope=-b / s.factor,
            method=f"{self.calibration_.method}_oof",
        )
        return ScorecardSpec(
            model_id=model_id,
            model_type="logistic",
            features=tuple(self.features_),
            scaling=s,
            calibration=calibration,
            intercept=coefficients["const"],
            linear_terms=tuple(
                LinearTerm(f, coefficients[f], *self.bounds_[f], bounded=True)
                for f in self.features_
            ),
            labels={f: (labels or {}).get(f, {}) for f in self.features_},
            training={
                **(training or {}),
                "ordinal_selection": self.selection_,
                "calibration_choice": self.calibration_choice_,
            },  # fmt: skip
        )


def all_threshold_fit(
    z: numpy.ndarray, grades: numpy.ndarray, C: float
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """β (k,) and thresholds θ (K−1,) minimising ``Σ_j Σ_i logloss(grade_i ≥ j; θ_j + z_i·β)
    + ½‖β‖²/C`` by Newton's method; z (n, k) standardised, grades (n,) in 0 … K−1.

    Raises:
        ValueError: fewer than two grades present.
    """
    levels = int(grades.max()) + 1
    if levels < 2:
        raise ValueError("the ordinal label needs at least two grades")
    n, k = z.shape
    blocks = []
    for j in range(1, levels):
        indicator = numpy.zeros((n, levels - 1))
        indicator[:, j - 1] = 1.0
        blocks.append(numpy.hstack([z, indicator]))
    design = numpy.vstack(blocks)
    target = numpy.concatenate([(grades >= j).astype(float) for j in range(1, levels)])
    penalty = numpy.concatenate([numpy.full(k, 1.0 / C), numpy.full(levels - 1, 1e-8)])
    w = numpy.zeros(k + levels - 1)
    for _ in range(_NEWTON_STEPS):
        p = 1.0 / (1.0 + numpy.exp(-(design @ w)))
        gradient = design.T @ (p - target) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + numpy.diag(penalty)
        step = numpy.linalg.solve(hessian, gradient)
        w -= step
        if numpy.max(numpy.abs(step)) < _NEWTON_TOL:
            break
    return w[:k], w[k:]


def choose_calibration(
    model: OrdinalLogistic, values: pandas.DataFrame, y: numpy.ndarray, grades: numpy.ndarray
) -> dict[str, Any]:
    """The calibration method (of ``model.calibrations``) with the lowest Brier score on inner
    held-out rows: for each inner fold the index is fitted on the other rows, every method is
    fitted on those rows' own out-of-fold η (as `fit` calibrates) and scores the held-out rows.

    Returns ``{"method", "inner_brier": {method: Brier or None}}`` (None: the method could not be
    fitted on some inner fold's rows — graded Platt needs rows inside and outside the worst grade
    — and is not chosen); ties go to the earlier name.

    Raises:
        ValueError: an unknown method name, or no method fits.
    """
    unknown = [m for m in model.calibrations if m not in CALIBRATIONS]
    if unknown or not model.calibrations:
        raise ValueError(f"calibrations: choose from {', '.join(CALIBRATIONS)}")
    methods = list(model.calibrations)
    if len(methods) == 1:
        return {"method": methods[0], "inner_brier": {}}
    worst = grades == grades.max()
    pd_of = {m: numpy.empty(len(y)) for m in methods}
    failed: set[str] = set()
    for fit_rows, held_out in _inner_folds(model, y).split(values, y):
        part = OrdinalLogistic(C=model.C, inner_folds=model.inner_folds,
                               random_state=model.random_state)  # fmt: skip
        part._fit_index(values.iloc[fit_rows], grades[fit_rows])
        eta_fit = _fold_indices(part, values.iloc[fit_rows], y[fit_rows], grades[fit_rows])
        eta_held = part.index(values.iloc[held_out])
        for m in methods:
            try:
                cal = CALIBRATIONS[m](eta_fit, y[fit_rows], worst[fit_rows])
            except ValueError:
                failed.add(m)
                continue
            pd_of[m][held_out] = [cal.pd(e) for e in eta_held]
    brier = {m: None if m in failed else float(numpy.mean((pd_of[m] - y) ** 2)) for m in methods}
    usable = [m for m in methods if brier[m] is not None]
    if not usable:
        raise ValueError("no calibration method fits these rows")
    best = min(usable, key=lambda m: (brier[m], methods.index(m)))
    return {"method": best, "inner_brier": brier}


def _inner_folds(model: OrdinalLogistic, y: numpy.ndarray) -> StratifiedKFold:
    folds = min(model.inner_folds, int(numpy.bincount(y).min()))
    return StratifiedKFold(folds, shuffle=True, random_state=model.random_state)


def _fold_indices(
    model: OrdinalLogistic, values: pandas.DataFrame, y: numpy.ndarray, grades: numpy.ndarray
) -> numpy.ndarray:
    """Out-of-fold η of every row: each inner fold scored by an index fitted on the others."""
    eta = numpy.empty(len(y))
    for fit_rows, held_out in _inner_folds(model, y).split(values, y):
        part = OrdinalLogistic(C=model.C)
        part._fit_index(values.iloc[fit_rows], grades[fit_rows])
        eta[held_out] = part.index(values.iloc[held_out])
    return eta


def _inner_auc(
    model: OrdinalLogistic, values: pandas.DataFrame, y: numpy.ndarray, grades: numpy.ndarray
) -> float:
    """Out-of-fold AUC of default of the index on `values` (the selection criterion)."""
    return roc_auc(y, _fold_indices(model, values, y, grades))
