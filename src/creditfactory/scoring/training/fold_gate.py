"""The leakage gate refitted with the model on each training part (nested screening).

Under cross-validation the leakage gate's statistics (IV, single-feature AUC, value shape, pure
values, proxies) are figures on outcomes: screened once on every row, they would have seen each
outer test fold before it is held out (issue #12's validator, finding F6: CUMCM's IV screening ran
on all 123 rows before the 5 × 20 CV). `FoldGated` makes the gate part of the fitted procedure:
`fit` runs the gate on the rows it is given, takes the method's candidates from what the gate
kept (or, for the best-single benchmark, the kept field with the highest IV on those rows), fits
the model on them and records what it chose (``record_``). `repeated_cv` collects each
fold's record, so the result shows how often each field was screened out.

The served model is fitted by the same procedure on all rows (`pipeline.train` gates the whole
training part, then fits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy
import pandas
from sklearn.base import BaseEstimator, ClassifierMixin

from creditfactory.scoring.errors import NotFitted
from creditfactory.scoring.training.leakage import GateResult

__all__ = ["FoldGated", "fold_summary"]


class FoldGated(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Gate, candidates and model fitted together on the same rows.

    Parameters
    ----------
    gate : callable (X, y) → GateResult
        The leakage gate on the training rows `X` (every candidate column) with outcomes `y`.
    make : callable (GateResult) → (candidates, estimator)
        The method's candidates among what the gate kept (its ``kept`` fields, its ``checks``)
        and an unfitted estimator on them.
    """

    def __init__(
        self,
        gate: Callable[[pandas.DataFrame, numpy.ndarray], GateResult] | None = None,
        make: Callable[[GateResult], tuple[list[str], Any]] | None = None,
    ) -> None:
        self.gate = gate
        self.make = make

    def fit(self, X: pandas.DataFrame, y: Any) -> FoldGated:
        """Gate `X`, fit the method's model on its kept candidates; learned ``gate_``,
        ``candidates_``, ``model_``, ``features_`` and ``record_``."""
        if self.gate is None or self.make is None:
            raise ValueError("FoldGated needs gate= and make=")
        yy = numpy.asarray(y).astype(int)
        self.gate_ = self.gate(X, yy)
        self.candidates_, model = self.make(self.gate_)
        self.model_ = model.fit(X[self.candidates_], yy)
        self.features_ = list(self.model_.features_)
        self.classes_ = numpy.array([0, 1])
        choice = getattr(self.model_, "calibration_choice_", None)
        self.record_: dict[str, Any] = {
            "excluded": sorted(self.gate_.excluded),
            "characteristics": self.features_,
            **({"calibration": choice} if choice is not None else {}),
        }
        return self

    def predict_proba(self, X: pandas.DataFrame) -> numpy.ndarray:
        """The fitted model's ``[[1 − pd, pd]]`` on its own candidates."""
        if not hasattr(self, "model_"):
            raise NotFitted("FoldGated: call fit first")
        proba: numpy.ndarray = self.model_.predict_proba(X[self.candidates_])
        return proba


def fold_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """What the folds chose, counted over `records` (`FoldGated.record_`): ``folds``;
    ``excluded`` field → folds whose gate screened it out; ``characteristics`` field → folds
    whose model used it; ``calibration`` method → folds that chose it (when recorded). Counts
    sorted by field or method name."""

    def count(key: str) -> dict[str, int]:
        seen: dict[str, int] = {}
        for r in records:
            for name in r.get(key, ()):
                seen[name] = seen.get(name, 0) + 1
        return dict(sorted(seen.items()))

    out: dict[str, Any] = {
        "folds": len(records),
        "excluded": count("excluded"),
        "characteristics": count("characteristics"),
    }
    methods = [r["calibration"]["method"] for r in records if "calibration" in r]
    if methods:
        out["calibration"] = {m: methods.count(m) for m in sorted(set(methods))}
    return out
