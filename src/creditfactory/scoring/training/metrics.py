"""Discrimination and classification metrics (numpydoc; y = 1 means bad).

``roc_auc`` from scikit-learn; ``ks = max |F_bad(s) − F_good(s)|`` (equals scipy's two-sample
KS statistic); ``gini = 2·roc_auc − 1``; the confusion matrix predicts bad when ``pd ≥ cutoff``
and is laid out ``[[tn, fp], [fn, tp]]`` (rows = actual good/bad).
"""

from __future__ import annotations

from typing import Any

import numpy
from scipy import stats
from sklearn.metrics import confusion_matrix, roc_auc_score


def roc_auc(y: Any, risk: Any) -> float:
    """AUC of a risk measure (higher = more likely bad)."""
    return float(roc_auc_score(numpy.asarray(y), numpy.asarray(risk, dtype=float)))


def ks(y: Any, risk: Any) -> float:
    """Kolmogorov–Smirnov distance between the risk distributions of bads and goods."""
    y = numpy.asarray(y)
    risk = numpy.asarray(risk, dtype=float)
    return float(stats.ks_2samp(risk[y == 1], risk[y == 0]).statistic)


def gini_impurity(y: Any) -> float:
    """``1 − Σ p_k²`` of the target classes."""
    _, counts = numpy.unique(numpy.asarray(y), return_counts=True)
    p = counts / counts.sum()
    return float(1.0 - (p**2).sum())


def confusion(y: Any, pd_12m: Any, cutoff: float = 0.5) -> list[list[int]]:
    """``[[tn, fp], [fn, tp]]`` predicting bad when ``pd_12m ≥ cutoff``."""
    predicted = (numpy.asarray(pd_12m, dtype=float) >= cutoff).astype(int)
    matrix = confusion_matrix(numpy.asarray(y), predicted, labels=[0, 1])
    return [[int(v) for v in row] for row in matrix]


def validation_figures(y: Any, pd_12m: Any, cutoff: float = 0.5) -> dict[str, Any]:
    """auc, ks, gini, confusion at `cutoff`, misclassification rate, rows and bad rate."""
    matrix = confusion(y, pd_12m, cutoff)
    n = sum(sum(r) for r in matrix)
    auc = roc_auc(y, pd_12m)
    return {
        "auc": auc,
        "ks": ks(y, pd_12m),
        "gini": 2.0 * auc - 1.0,
        "cutoff": cutoff,
        "confusion": {
            "tn": matrix[0][0],
            "fp": matrix[0][1],
            "fn": matrix[1][0],
            "tp": matrix[1][1],
        },
        "misclassification": (matrix[0][1] + matrix[1][0]) / n,
        "rows": n,
        "bad_rate": float(numpy.mean(numpy.asarray(y))),
    }


def spearman(a: Any, b: Any) -> float:
    """Spearman rank correlation (ties averaged)."""
    return float(stats.spearmanr(numpy.asarray(a), numpy.asarray(b)).statistic)
