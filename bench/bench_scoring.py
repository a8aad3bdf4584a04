"""Scoring benchmarks: runtime latency of one applicant (p50/p99) and scorecard fit time.

Runtime: a German-credit-shaped scorecard spec (20 characteristics, synthetic data), scored one
applicant at a time with `creditfactory.scoring.runtime.score`. Fit: `WOEScorecard` on a
synthetic 100,000 × 20 set (small mode 5,000 × 20).

Peers: scorecardpy needs pandas < 3, so scorecardpy and toad live in a throwaway venv and are
never our dependencies. When ``CREDITFACTORY_PEER_PYTHON`` names that venv's python, the same
synthetic set goes to a temporary CSV and ``bench/peers/fit_peers.py`` (pandas/scorecardpy/toad
only) times each peer's scorecard fit in a subprocess; the figures land under ``"peers"``.
Without the variable the peers are reported as not run (CI)::

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install "pandas<3" scorecardpy toad
    CREDITFACTORY_PEER_PYTHON=/tmp/peers/bin/python python -m bench.run scoring
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy
import pandas

from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import dump_spec, load_spec
from creditfactory.scoring.training.metrics import roc_auc
from creditfactory.scoring.training.scorecard import WOEScorecard

PEER_PYTHON = "CREDITFACTORY_PEER_PYTHON"
PEER_SCRIPT = Path(__file__).resolve().parent / "peers" / "fit_peers.py"
PEER_TIMEOUT_S = 3_600


def _synthetic(rows: int, cols: int = 20, seed: int = 7) -> tuple[pandas.DataFrame, numpy.ndarray]:
    rng = numpy.random.default_rng(seed)
    x = rng.normal(size=(rows, cols))
    logit = -1.5 + x[:, : cols // 2] @ numpy.linspace(0.6, 0.1, cols // 2)
    y = (rng.random(rows) < 1 / (1 + numpy.exp(-logit))).astype(int)
    x[rng.random((rows, cols)) < 0.02] = numpy.nan  # missing values get their own bin
    return pandas.DataFrame(x, columns=[f"x{i:02d}" for i in range(cols)]), y


def _peers(frame: pandas.DataFrame, y: numpy.ndarray) -> dict[str, object] | str:
    """Peer fit figures on the same rows (`bench/peers/fit_peers.py`), or why they did not run."""
    python = os.environ.get(PEER_PYTHON)
    if not python:
        return f"not run (set {PEER_PYTHON})"
    with tempfile.TemporaryDirectory(prefix="cf-peers-") as tmp:
        data, out = Path(tmp) / "synthetic.csv", Path(tmp) / "peers.json"
        # repr floats round-trip exactly; missing values become empty cells (NaN on read)
        frame.assign(bad=y).to_csv(data, index=False)
        try:
            done = subprocess.run(
                [python, str(PEER_SCRIPT), str(data), "bad", str(out)],
                capture_output=True,
                text=True,
                timeout=PEER_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:  # a bad path or a hung peer
            return f"failed: {type(exc).__name__}: {exc}"
        if done.returncode != 0 or not out.exists():
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return f"failed (exit {done.returncode}): {tail}"
        figures: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return {"python": python, **figures}


def run(small: bool) -> dict[str, object]:
    """Figures: fit seconds and rows/s, runtime p50/p99 microseconds, peak memory of the fit.

    ``peers``: scorecardpy/toad fit seconds on the same data when ``CREDITFACTORY_PEER_PYTHON``
    is set, else a "not run" note.
    """
    rows = 5_000 if small else 100_000
    frame, y = _synthetic(rows)
    tracemalloc.start()
    t0 = time.perf_counter()
    model = WOEScorecard(min_iv=0.0, max_corr=1.0, max_vif=1e9).fit(frame, y)
    fit_seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    train_auc = roc_auc(y, -model.score_points(frame))  # higher points = safer
    spec = load_spec(dump_spec(model.to_spec("bench")))
    applicants = frame.head(2_000).astype(object).where(frame.head(2_000).notna(), None)
    records = applicants.to_dict("records")
    timings = []
    for record in records:
        t = time.perf_counter_ns()
        score(spec, record)
        timings.append((time.perf_counter_ns() - t) / 1_000)
    p50, p99 = numpy.percentile(timings, [50, 99])
    return {
        "fit_rows": rows,
        "fit_columns": frame.shape[1],
        "fit_seconds": round(fit_seconds, 3),
        "fit_rows_per_s": round(rows / fit_seconds),
        "fit_peak_python_mb": round(peak / 2**20, 1),
        "fit_train_auc": round(train_auc, 4),
        "characteristics": len(spec.characteristics),
        "runtime_p50_us": round(float(p50), 1),
        "runtime_p99_us": round(float(p99), 1),
        "peers": _peers(frame, y),
    }
