"""Raw (unbinned) logistic regression — statsmodels ``Logit``, unpenalised maximum likelihood.

Used to reproduce published models such as Li, Mickel & Taylor (2018)'s SBA model
``Default ~ RealEstate + Portion + Recession``. scikit-learn contract; ``to_spec`` exports the
coefficients as linear terms (score = scaled log-odds, PD = the model's own probability).
"""

from __future__ import annotations

from typing import Any

import numpy
import pandas
import scipy.optimize
import statsmodels.api as sm
from sklearn.base import BaseEstimator, ClassifierMixin

from creditfactory.scoring.errors import NotFitted
from creditfactory.scoring.spec import LinearTerm, Scaling, ScorecardSpec
from creditfactory.scoring.training.calibration import identity_calibration


class RawLogistic(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Unpenalised logistic regression on raw numeric features.

    Parameters
    ----------
    target_score, target_odds, pdo : float
        Points scaling for the exported score (600 at 50:1, PDO 20).
    """

    def __init__(self, target_score: float = 600.0, target_odds: float = 50.0, pdo: float = 20.0):
        self.target_score = target_score
        self.target_odds = target_odds
        self.pdo = pdo

    def fit(self, X: pandas.DataFrame, y: Any) -> RawLogistic:
        """Maximum-likelihood fit; learned ``coefficients_`` (with ``const``), ``bse_``, ``pvalues_``."""
        design = sm.add_constant(X.astype(float), has_constant="add")
        result = sm.Logit(numpy.asarray(y, dtype=float), design).fit(disp=0, maxiter=200)
        self.coefficients_ = {str(k): float(v) for k, v in result.params.items()}
        self.bse_ = {str(k): float(v) for k, v in result.bse.items()}
        self.pvalues_ = {str(k): float(v) for k, v in result.pvalues.items()}
        self.features_ = list(X.columns)
        self.ranges_ = {c: (float(X[c].min()), float(X[c].max())) for c in X.columns}
        self.classes_ = numpy.array([0, 1])
        return self

    def log_odds(self, X: pandas.DataFrame) -> numpy.ndarray:
        """``const + Σ β·x`` summed in feature order (as the runtime does)."""
        if not hasattr(self, "coefficients_"):
            raise NotFitted("RawLogistic: call fit first")
        z = numpy.full(len(X), self.coefficients_["const"])
        for f in self.features_:
            z = z + self.coefficients_[f] * X[f].to_numpy(dtype=float)
        return z

    def predict_proba(self, X: pandas.DataFrame) -> numpy.ndarray:
        """``[[1 − p, p]]``."""
        p = 1.0 / (1.0 + numpy.exp(-self.log_odds(X)))
        return numpy.column_stack([1.0 - p, p])

    def score_points(self, X: pandas.DataFrame) -> numpy.ndarray:
        """Scaled score ``offset − factor · log_odds``."""
        s = Scaling(self.target_score, self.target_odds, self.pdo, rounding=False)
        return s.offset - s.factor * self.log_odds(X)

    def to_spec(
        self, model_id: str, labels: dict[str, dict[str, str]] | None = None, training: Any = None
    ) -> ScorecardSpec:
        """Freeze as a ``logistic`` spec."""
        scaling = Scaling(self.target_score, self.target_odds, self.pdo, rounding=False)
        return ScorecardSpec(
            model_id=model_id,
            model_type="logistic",
            features=tuple(self.features_),
            scaling=scaling,
            calibration=identity_calibration(scaling),
            intercept=self.coefficients_["const"],
            linear_terms=tuple(
                LinearTerm(f, self.coefficients_[f], *self.ranges_[f]) for f in self.features_
            ),
            labels={f: (labels or {}).get(f, {}) for f in self.features_},
            training=training or {},
        )


def bounded_logistic(
    design: numpy.ndarray,
    y: numpy.ndarray,
    C: float,
    bounds: list[tuple[float | None, float | None]],
) -> tuple[numpy.ndarray, float]:
    """L2-penalised logistic regression with sign bounds on coefficients: scikit-learn's
    objective ``C · Σ log-loss + ½‖w‖²`` (intercept unpenalised) minimised by L-BFGS-B.

    `design` (n × k) and 0/1 `y`; `bounds` one (low, high) per column (None = unbounded).
    Returns (coefficients, intercept). Unbounded, it matches ``LogisticRegression(C=C)``.
    """
    n, k = design.shape
    y = y.astype(float)

    def loss(theta: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        w, b = theta[:k], theta[k]
        z = design @ w + b
        # log(1 + e^z) − y·z, stable for large |z|
        value = C * float(numpy.sum(numpy.logaddexp(0.0, z) - y * z)) + 0.5 * float(w @ w)
        residual = C * (1.0 / (1.0 + numpy.exp(-z)) - y)
        return value, numpy.concatenate([design.T @ residual + w, [residual.sum()]])

    fitted = scipy.optimize.minimize(
        loss,
        numpy.zeros(k + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=[*bounds, (None, None)],
        options={"maxiter": 15000, "gtol": 1e-9, "ftol": 1e-14},
    )
    return fitted.x[:k], float(fitted.x[k])
