"""LightGBM challenger with monotone constraints; export of its trees to a runtime spec.

Constraint directions come from the sign of each feature's Spearman correlation with default on
the training data (a risk officer can override them). Reason codes: SHAP contributions
(``pred_contrib``) in reports; the runtime uses path (Saabas) contributions from the exported
node values, which need no LightGBM.
"""

from __future__ import annotations

from typing import Any

import lightgbm
import numpy
import pandas
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin

from creditfactory.scoring.errors import NotFitted
from creditfactory.scoring.spec import Scaling, ScorecardSpec, TreeEnsemble
from creditfactory.scoring.training.calibration import identity_calibration


class MonotoneLightGBM(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Small, monotone gradient-boosted trees for small samples.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, min_child_samples : LightGBM settings.
    monotone : dict, optional
        Feature → +1 (risk rises with the value), −1 or 0; default from Spearman signs.
    random_state : int
    """

    def __init__(
        self,
        n_estimators: int = 150,
        learning_rate: float = 0.05,
        num_leaves: int = 4,
        min_child_samples: int = 10,
        monotone: dict[str, int] | None = None,
        random_state: int = 0,
        target_score: float = 600.0,
        target_odds: float = 50.0,
        pdo: float = 20.0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.monotone = monotone
        self.random_state = random_state
        self.target_score = target_score
        self.target_odds = target_odds
        self.pdo = pdo

    def fit(self, X: pandas.DataFrame, y: Any) -> MonotoneLightGBM:
        """Fit with monotone constraints; learned ``booster_``, ``monotone_``, ``features_``."""
        y = numpy.asarray(y).astype(int)
        self.features_ = list(X.columns)
        self.monotone_ = self.monotone or {
            c: _direction(X[c].to_numpy(dtype=float), y) for c in self.features_
        }
        model = lightgbm.LGBMClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            monotone_constraints=[self.monotone_[c] for c in self.features_],
            monotone_constraints_method="advanced",
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            reg_lambda=1.0,
            random_state=self.random_state,
            n_jobs=1,
            verbose=-1,
        )
        model.fit(X.to_numpy(dtype=float), y)
        self.booster_ = model.booster_
        self.classes_ = numpy.array([0, 1])
        return self

    def _check(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFitted("MonotoneLightGBM: call fit first")

    def raw_score(self, X: pandas.DataFrame) -> numpy.ndarray:
        """Log-odds of bad."""
        self._check()
        return numpy.asarray(
            self.booster_.predict(X[self.features_].to_numpy(dtype=float), raw_score=True)
        )

    def contributions(self, X: pandas.DataFrame) -> pandas.DataFrame:
        """SHAP contributions to the log-odds per feature (LightGBM ``pred_contrib``)."""
        out = self.booster_.predict(X[self.features_].to_numpy(dtype=float), pred_contrib=True)
        return pandas.DataFrame(numpy.asarray(out)[:, :-1], columns=self.features_, index=X.index)

    def predict_proba(self, X: pandas.DataFrame) -> numpy.ndarray:
        """``[[1 − p, p]]``."""
        p = 1.0 / (1.0 + numpy.exp(-self.raw_score(X)))
        return numpy.column_stack([1.0 - p, p])

    @property
    def scaling(self) -> Scaling:
        """Scaling of the exported score (unrounded)."""
        return Scaling(self.target_score, self.target_odds, self.pdo, rounding=False)

    def score_points(self, X: pandas.DataFrame) -> numpy.ndarray:
        """Scaled score ``offset − factor · raw``."""
        s = self.scaling
        return s.offset - s.factor * self.raw_score(X)

    def to_spec(
        self, model_id: str, labels: dict[str, dict[str, str]] | None = None, training: Any = None
    ) -> ScorecardSpec:
        """Freeze the trees as a ``lightgbm`` spec."""
        self._check()
        dump = self.booster_.dump_model()
        trees = tuple(_compact(t["tree_structure"]) for t in dump["tree_info"])
        return ScorecardSpec(
            model_id=model_id,
            model_type="lightgbm",
            features=tuple(self.features_),
            scaling=self.scaling,
            calibration=identity_calibration(self.scaling),
            trees=TreeEnsemble(tuple(self.features_), trees),
            labels={f: (labels or {}).get(f, {}) for f in self.features_},
            training={**(training or {}), "monotone": self.monotone_},
        )


def _direction(x: numpy.ndarray, y: numpy.ndarray) -> int:
    mask = ~numpy.isnan(x)
    if mask.sum() < 3 or numpy.unique(x[mask]).size < 2:
        return 0
    rho = stats.spearmanr(x[mask], y[mask]).statistic
    return 0 if numpy.isnan(rho) else (1 if rho > 0 else -1)


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    """LightGBM dump node → runtime node: f, t, dl, mt, v, l, r — or {"leaf": value}."""
    if "leaf_value" in node:
        return {"leaf": float(node["leaf_value"])}
    if node["decision_type"] != "<=":
        raise ValueError("only numerical splits are exported")
    return {
        "f": int(node["split_feature"]),
        "t": float(node["threshold"]),
        "dl": bool(node["default_left"]),
        "mt": str(node["missing_type"]),
        "v": float(node["internal_value"]),
        "l": _compact(node["left_child"]),
        "r": _compact(node["right_child"]),
    }
