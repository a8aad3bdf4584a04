"""WOE scorecard estimator (scikit-learn contract): binning → selection → logistic → points.

Parameters go in ``__init__``, validation in ``fit``, learned attributes end with ``_`` and
``fit`` returns ``self``. ``to_spec`` freezes the fitted model into a `ScorecardSpec` whose
runtime scores equal ``score_points`` exactly.

Two codings of the bins (``encoding``), both served as points per bin:

- ``"woe"`` (default): one coefficient per characteristic on its bins' WOE (Siddiqi 2006, ch. 6);
  a characteristic whose coefficient has the wrong sign is dropped.
- ``"bins"``: one L2-penalised coefficient per bin (bin indicators, the "dummy variable"
  scorecard: Thomas, Edelman & Crook, *Credit Scoring and Its Applications*, 2002, §8.4;
  Siddiqi 2006, ch. 6). Each bin's points are then its effect given the other characteristics,
  not its marginal WOE scaled — what matters when characteristics overlap (SBA's guaranteed
  amount, guarantee share and revolving-line flag). A missing value (and an unseen category or
  an empty bin) is never learned: it is scored as the characteristic's average contribution over
  the training rows where the value is known (in the fit too), so "not recorded" carries no
  information of its own. A numeric characteristic whose trend is ``ascending`` or
  ``descending`` (`trends`, else ``monotonic_trend``) gets monotone points too, not only
  monotone bins: its bins are coded cumulatively (value ≥ bin k) and the steps between adjacent
  bins are sign-bounded (`logistic.bounded_logistic`), so a larger value never scores a better
  (``ascending`` event rate) or worse (``descending``) bin than a smaller one — per-bin
  coefficients fitted freely can jump (SBA's RetainedJob 0–9 scored above 10–19).
"""

from __future__ import annotations

from typing import Any

import numpy
import pandas
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from creditfactory.scoring.errors import NotFitted
from creditfactory.scoring.masterscale import DEFAULT_MASTER_SCALE
from creditfactory.scoring.spec import Characteristic, Scaling, ScorecardSpec
from creditfactory.scoring.training import binning
from creditfactory.scoring.training.calibration import fit_platt
from creditfactory.scoring.training.logistic import bounded_logistic
from creditfactory.scoring.training.selection import select_features
from creditfactory.scoring.training.wording import Reason

MONOTONE = ("ascending", "descending")
"""optbinning trends that make a numeric characteristic's points monotone too."""


class WOEScorecard(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Binned logistic scorecard.

    Parameters
    ----------
    categorical : list of str
        Columns binned as categories.
    special_codes : list of float, optional
        Sentinel values given their own bin (numeric features).
    monotonic_trend : str
        optbinning trend for numeric features ("auto_asc_desc", "ascending", …).
    min_bin_size : float
        Minimum share of records per bin.
    max_n_bins : int, optional
    min_iv, max_corr, max_vif, max_features
        Selection thresholds (`selection.select_features`).
    C : float
        Inverse L2 strength of the logistic regression; ``numpy.inf`` = unpenalised.
    target_score, target_odds, pdo, rounding
        Points scaling (600 at good:bad 50:1, PDO 20, integer points by default).
    user_splits : dict, optional
        Fixed splits per feature (bypasses the optimiser for that feature).
    binning_method : {"optbinning", "dt", "chi"}, default "optbinning"
        How numeric features are binned (`binning.BINNING_METHODS`): optbinning's optimiser, or
        toad's decision-tree / ChiMerge splits (`merge.dt_merge`, `merge.chi_merge`) with
        `min_bin_size` as toad's ``min_samples`` and `max_n_bins` as its ``n_bins``.
    encoding : {"woe", "bins"}, default "woe"
        See the module docstring (``"bins"`` needs a finite `C`).
    trends : dict, optional
        Per-feature optbinning trend overriding `monotonic_trend` (None = unconstrained).
    min_prebin_size : float, optional
        optbinning's pre-binning floor (`binning.fit_binning`).
    """

    def __init__(
        self,
        categorical: list[str] | None = None,
        special_codes: list[float] | None = None,
        monotonic_trend: str = "auto_asc_desc",
        min_bin_size: float = 0.05,
        max_n_bins: int | None = None,
        min_iv: float = 0.02,
        max_corr: float = 0.7,
        max_vif: float = 5.0,
        max_features: int | None = None,
        C: float = numpy.inf,
        target_score: float = 600.0,
        target_odds: float = 50.0,
        pdo: float = 20.0,
        rounding: bool = True,
        user_splits: dict[str, list[Any]] | None = None,
        binning_method: str = "optbinning",
        encoding: str = "woe",
        trends: dict[str, str | None] | None = None,
        min_prebin_size: float | None = None,
    ) -> None:
        self.categorical = categorical
        self.special_codes = special_codes
        self.monotonic_trend = monotonic_trend
        self.min_bin_size = min_bin_size
        self.max_n_bins = max_n_bins
        self.min_iv = min_iv
        self.max_corr = max_corr
        self.max_vif = max_vif
        self.max_features = max_features
        self.C = C
        self.target_score = target_score
        self.target_odds = target_odds
        self.pdo = pdo
        self.rounding = rounding
        self.user_splits = user_splits
        self.binning_method = binning_method
        self.encoding = encoding
        self.trends = trends
        self.min_prebin_size = min_prebin_size

    @property
    def scaling(self) -> Scaling:
        """The points scaling these parameters define."""
        return Scaling(self.target_score, self.target_odds, self.pdo, self.rounding)

    def fit(self, X: pandas.DataFrame, y: Any) -> WOEScorecard:
        """Bin every column, select, fit the logistic regression, scale to points, calibrate."""
        y = numpy.asarray(y).astype(int)
        if set(numpy.unique(y)) != {0, 1}:
            raise ValueError("y must hold both classes 0 and 1")
        if self.encoding not in ("woe", "bins"):
            raise ValueError(f"encoding must be 'woe' or 'bins', not {self.encoding!r}")
        cats = set(self.categorical or ())
        trends = self.trends or {}
        self.binnings_ = {}
        for col in X.columns:
            dtype = "categorical" if col in cats else "numerical"
            self.binnings_[col] = binning.fit_binning(
                X[col].to_numpy(),
                y,
                col,
                dtype,
                trends.get(col, self.monotonic_trend),
                self.min_bin_size,
                self.max_n_bins,
                self.special_codes if dtype == "numerical" else None,
                (self.user_splits or {}).get(col),
                self.binning_method,
                self.min_prebin_size,
            )
        self.iv_ = {c: binning.binning_iv(b) for c, b in self.binnings_.items()}
        woe = self._woe(X, list(X.columns))
        selected, self.dropped_ = select_features(
            woe, self.iv_, self.min_iv, self.max_corr, self.max_vif, self.max_features
        )
        self.bin_points_: dict[str, tuple[list[float], float]] = {}
        if self.encoding == "bins":
            self._fit_bins(X, y, selected)
        else:
            self._fit_logistic(woe, y, selected)
        self.calibration_ = fit_platt(self.score_points(X), y)
        self.classes_ = numpy.array([0, 1])
        return self

    def _fit_logistic(self, woe: pandas.DataFrame, y: numpy.ndarray, selected: list[str]) -> None:
        """Fit, then drop features whose coefficient has the wrong sign (WOE up must mean safer)."""
        while True:
            model = LogisticRegression(C=self.C, solver="lbfgs", max_iter=5000, tol=1e-10)
            model.fit(woe[selected].to_numpy(), y)
            coef = dict(zip(selected, model.coef_[0], strict=True))
            wrong = [f for f in selected if coef[f] > 0]
            if not wrong or len(selected) == 1:
                break
            worst = max(wrong, key=lambda f: coef[f])
            selected.remove(worst)
            self.dropped_[worst] = Reason("wrong_sign", {"coefficient": float(coef[worst])})
        self.features_ = selected
        self.coefficients_ = {f: float(c) for f, c in coef.items()}
        self.intercept_ = float(model.intercept_[0])

    def _fit_bins(self, X: pandas.DataFrame, y: numpy.ndarray, selected: list[str]) -> None:
        """L2 logistic on bin indicators (cumulative and sign-bounded for monotone features);
        ``bin_points_`` (unrounded) per feature."""
        self.learned_bins_ = {}
        self.bin_shares_ = {}
        self.monotone_: dict[str, str] = {
            f: trend
            for f in selected
            if (trend := self._trend(f)) is not None and trend in MONOTONE
        }
        for f in selected:
            counts = binning.bin_table(self.binnings_[f])["count"].to_numpy(dtype=float)
            counts[-1] = 0.0  # the missing bin is never learned (module docstring)
            learned = numpy.flatnonzero(counts > 0)
            self.learned_bins_[f] = learned
            self.bin_shares_[f] = counts[learned] / counts[learned].sum()
        design = self._bin_design(X, selected)
        if self.monotone_:
            coef, self.intercept_ = bounded_logistic(design, y, self.C, self._bounds(selected))
        else:
            model = LogisticRegression(C=self.C, solver="lbfgs", max_iter=5000, tol=1e-10)
            model.fit(design, y)
            coef, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        factor = self.scaling.factor
        self.features_ = selected
        self.coefficients_ = {}
        start = 0
        for f in selected:
            learned, shares = self.learned_bins_[f], self.bin_shares_[f]
            beta = coef[start : start + len(learned)]
            if f in self.monotone_:
                beta = numpy.cumsum(beta)  # cumulative coding: a level, then the steps
            start += len(learned)
            table = binning.bin_table(self.binnings_[f])
            neutral = float(shares @ beta)
            per_bin = numpy.full(len(table), neutral)
            per_bin[learned] = beta
            self.bin_points_[f] = ([-factor * b for b in per_bin], -factor * neutral)
            # for display: the WOE coefficient these bin effects amount to (count-weighted least
            # squares of the bin coefficients on WOE)
            w = table["woe"].to_numpy(dtype=float)[learned]
            n = table["count"].to_numpy(dtype=float)[learned]
            denominator = float((n * w * w).sum())
            self.coefficients_[f] = (
                float((n * beta * w).sum()) / denominator if denominator else 0.0
            )

    def _trend(self, feature: str) -> str | None:
        if feature in set(self.categorical or ()):
            return None
        return (self.trends or {}).get(feature, self.monotonic_trend)

    def _bounds(self, features: list[str]) -> list[tuple[float | None, float | None]]:
        """Per design column: free, except a monotone feature's steps after its first bin —
        ≤ 0 for a descending event rate (larger values safer), ≥ 0 for an ascending one."""
        out: list[tuple[float | None, float | None]] = []
        for f in features:
            n = len(self.learned_bins_[f])
            step = {"descending": (None, 0.0), "ascending": (0.0, None)}.get(
                self.monotone_.get(f, ""), (None, None)
            )
            out += [(None, None)] + [step] * (n - 1)
        return out

    def _bin_design(self, X: pandas.DataFrame, features: list[str]) -> numpy.ndarray:
        """One indicator column per learned bin (a monotone feature's cumulative: value in bin
        k or above); a value in no learned bin (missing, unseen category) gets the training
        shares' average of the columns, i.e. the average contribution."""
        blocks = []
        for f in features:
            idx = binning.bin_indices(self.binnings_[f], X[f].to_numpy())
            learned, shares = self.learned_bins_[f], self.bin_shares_[f]
            if f in self.monotone_:
                block = (idx[:, None] >= learned[None, :]).astype(float)
                average = numpy.cumsum(shares[::-1])[::-1]
            else:
                block = (idx[:, None] == learned[None, :]).astype(float)
                average = shares
            block[~numpy.isin(idx, learned)] = average
            blocks.append(block)
        return numpy.hstack(blocks)

    def _woe(self, X: pandas.DataFrame, columns: list[str]) -> pandas.DataFrame:
        return pandas.DataFrame(
            {c: binning.woe(self.binnings_[c], X[c].to_numpy()) for c in columns}, index=X.index
        )

    def _check(self) -> None:
        if not hasattr(self, "features_"):
            raise NotFitted("WOEScorecard: call fit first")

    def characteristics(self) -> list[Characteristic]:
        """Spec characteristics of the selected features, in model order."""
        self._check()
        factor = self.scaling.factor
        return [
            binning.to_characteristic(
                self.binnings_[f],
                self.coefficients_[f],
                factor,
                self.rounding,
                self.special_codes if f not in set(self.categorical or ()) else None,
                self.bin_points_.get(f),
            )
            for f in self.features_
        ]

    @property
    def base_points(self) -> float:
        """``offset − factor · intercept`` (rounded when points are)."""
        self._check()
        base = self.scaling.offset - self.scaling.factor * self.intercept_
        return float(round(base)) if self.rounding else base

    def score_points(self, X: pandas.DataFrame) -> numpy.ndarray:
        """Training-time scores: base points plus each characteristic's bin points, in order."""
        total = numpy.full(len(X), self.base_points, dtype=float)
        for ch in self.characteristics():
            idx = binning.bin_indices(self.binnings_[ch.feature], X[ch.feature].to_numpy())
            pts = numpy.array([b.points for b in ch.bins] + [ch.unknown_points])
            total = total + pts[idx]  # index −1 (unseen category) picks unknown_points
        return total

    def predict_proba(self, X: pandas.DataFrame) -> numpy.ndarray:
        """``[[1 − pd, pd]]`` from the calibrated score."""
        s = self.score_points(X)
        z = self.calibration_.intercept + self.calibration_.slope * s
        p = 1.0 / (1.0 + numpy.exp(-z))
        return numpy.column_stack([1.0 - p, p])

    def predict(self, X: pandas.DataFrame) -> numpy.ndarray:
        """1 (bad) when the calibrated PD is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def to_spec(
        self,
        model_id: str,
        labels: dict[str, dict[str, str]] | None = None,
        training: dict[str, Any] | None = None,
    ) -> ScorecardSpec:
        """Freeze the fitted scorecard."""
        self._check()
        return ScorecardSpec(
            model_id=model_id,
            model_type="scorecard",
            features=tuple(self.features_),
            scaling=self.scaling,
            calibration=self.calibration_,
            intercept=self.intercept_,
            base_points=self.base_points,
            characteristics=tuple(self.characteristics()),
            master_scale=DEFAULT_MASTER_SCALE,
            labels={f: (labels or {}).get(f, {}) for f in self.features_},
            training=training or {},
        )
