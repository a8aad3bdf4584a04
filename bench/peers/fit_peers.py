"""Fit-time peers for `bench_scoring`: scorecardpy and toad on the bench's own synthetic CSV.

Standalone on purpose: it runs under a throwaway interpreter (``CREDITFACTORY_PEER_PYTHON``)
that has pandas < 3, scorecardpy and toad, and imports nothing of creditfactory — the peers
never become our dependencies. Usage::

    PEER_PYTHON bench/peers/fit_peers.py DATA.csv TARGET OUT.json

Input: a CSV of numeric features (empty cell = missing) plus the 0/1 column TARGET (1 = bad).
Output: OUT.json ``{peer: {"fit_seconds", "train_auc", "version", "pipeline"} | {"error"}}``.
Each pipeline is the peer's documented scorecard recipe with the settings closest to ours
(minimum bin share 5 %, missing in its own bin, unpenalised lbfgs logistic regression,
600 points at good:bad 50:1, PDO 20); one process, one core. Reading the CSV is not timed;
the AUC (training data, outside the timed block) only shows that each fit produced a model.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import warnings
from collections.abc import Callable

import numpy
import pandas

MIN_BIN_SHARE = 0.05


def _logistic() -> dict[str, object]:
    # the same solver settings as WOEScorecard._fit_logistic
    return {"C": numpy.inf, "solver": "lbfgs", "max_iter": 5000, "tol": 1e-10}


def _auc(y: numpy.ndarray, risk: numpy.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, risk)), 4)


def fit_scorecardpy(frame: pandas.DataFrame, target: str) -> dict[str, object]:
    """woebin (tree) → woebin_ply → LogisticRegression → scorecard; returns figures."""
    import scorecardpy as sc
    from sklearn.linear_model import LogisticRegression

    t0 = time.perf_counter()
    bins = sc.woebin(frame, y=target, method="tree", count_distr_limit=MIN_BIN_SHARE, no_cores=1)
    woe = sc.woebin_ply(frame, bins, no_cores=1)
    x = woe.drop(columns=[target])
    model = LogisticRegression(**_logistic()).fit(x, frame[target])
    card = sc.scorecard(bins, model, list(x.columns), points0=600, odds0=1 / 50, pdo=20)
    seconds = time.perf_counter() - t0
    points = sc.scorecard_ply(frame, card, only_total_score=True)["score"].to_numpy()
    return {
        "fit_seconds": round(seconds, 3),
        "train_auc": _auc(frame[target].to_numpy(), -points),
        "version": sc.__version__ if hasattr(sc, "__version__") else _dist_version("scorecardpy"),
        "pipeline": "woebin(method=tree, count_distr_limit=0.05, no_cores=1) + woebin_ply"
        " + LogisticRegression + scorecard(600, 1/50, pdo 20)",
    }


def fit_toad(frame: pandas.DataFrame, target: str, method: str) -> dict[str, object]:
    """Combiner (chi or dt) → WOETransformer → ScoreCard (LogisticRegression inside)."""
    import toad
    from toad.scorecard import ScoreCard
    from toad.transform import Combiner, WOETransformer

    x, y = frame.drop(columns=[target]), frame[target]
    t0 = time.perf_counter()
    combiner = Combiner().fit(x, y, method=method, min_samples=MIN_BIN_SHARE, empty_separate=True)
    binned = combiner.transform(x)
    transer = WOETransformer()
    woe = transer.fit_transform(binned, y)
    card = ScoreCard(
        combiner=combiner,
        transer=transer,
        base_score=600,
        base_odds=50,
        pdo=20,
        **_logistic(),
    ).fit(woe, y)
    seconds = time.perf_counter() - t0
    points = numpy.asarray(card.predict(x), dtype=float)
    return {
        "fit_seconds": round(seconds, 3),
        "train_auc": _auc(y.to_numpy(), -points),
        "version": toad.__version__,
        "pipeline": f"Combiner(method={method}, min_samples=0.05, empty_separate=True)"
        " + WOETransformer + ScoreCard(LogisticRegression; 600 at 50:1, pdo 20)",
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def main(argv: list[str]) -> int:
    """Run every peer that imports; a peer that fails reports its error and the others still run."""
    csv_path, target, out_path = argv
    frame = pandas.read_csv(csv_path, float_precision="round_trip")  # bit-exact floats
    peers: dict[str, Callable[[], dict[str, object]]] = {
        "scorecardpy": lambda: fit_scorecardpy(frame, target),
        "toad_chi": lambda: fit_toad(frame, target, "chi"),
        "toad_dt": lambda: fit_toad(frame, target, "dt"),
    }
    figures: dict[str, object] = {}
    for name, fit in peers.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # peers warn a lot under new pandas/sklearn
                figures[name] = fit()
        except Exception as exc:  # report and go on: one broken peer must not hide the others
            traceback.print_exc()
            figures[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(name, figures[name], file=sys.stderr, flush=True)
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(figures, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
