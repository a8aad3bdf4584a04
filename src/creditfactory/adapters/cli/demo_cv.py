"""The served CUMCM model's 5-fold × 20 figures for `creditfactory demo`, read from a cache.

The issue's protocol for CUMCM is 5-fold × 20 repeated stratified cross-validation, the model
and the benchmark on the same 100 folds. Each fold refits the whole pipeline (the leakage gate,
forward selection, the choice of calibration method by inner CV, out-of-fold calibration), which
takes minutes of CPU: too long for a demo that runs in about a
minute. So `make cumcm-cv` runs the full protocol once
(``creditfactory model train --dataset cumcm-2020c --method ordinal --out …``) and keeps its
figures in ``data/models/cumcm-2020c-ordinal-cv.json`` (`summary`). The demo prints them only
when they belong to the model it has just trained — the same training data digest,
characteristics and coefficients (`belongs_to`) — and otherwise says they are stale instead
of printing figures of another model.

``python -m creditfactory.adapters.cli.demo_cv RESULT_JSON OUT_JSON`` writes the cache.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parents[4] / "data" / "models" / "cumcm-2020c-ordinal-cv.json"
COMMAND = "creditfactory model train --dataset cumcm-2020c --method ordinal --format json"


def summary(result: dict[str, Any], training_sha256: str) -> dict[str, Any]:
    """The cached figures of a full training result (`pipeline.train`'s, 5 × 20 folds)."""
    cv, bench, validation = result["cv"], result["benchmark"], result["validation"]
    return {
        "command": COMMAND,
        "protocol": f"{cv['n_splits']}-fold × {cv['n_repeats']} repeated stratified "
        "cross-validation (scikit-learn RepeatedStratifiedKFold, seed 0), the same folds for "
        "model and benchmark",
        "model": {
            "method": result["method"],
            "characteristics": result["characteristics"],
            "coefficients": result["coefficients"],
            "training_data_sha256": training_sha256,
            "auc": cv["mean"],
            "auc_std": cv["std"],
            "brier": cv["brier"]["mean"],
            "calibration": _calibration(validation["calibration"], cv["calibration_repeats"]),
            # what each training fold chose for itself (gate exclusions, characteristics,
            # calibration method): counts over the folds
            "fold_choices": cv.get("fold_choices"),
        },
        "benchmark": {
            **{k: bench[k] for k in ("name", "auc", "auc_std", "brier")},
            "calibration": _calibration(bench["calibration"], bench["calibration_repeats"]),
        },
        "paired": bench["paired"],
    }


def _calibration(first: dict[str, Any], repeats: dict[str, Any]) -> dict[str, Any]:
    """Slope, intercept and Hosmer–Lemeshow p of the first repeat's out-of-fold PDs, and the
    slope and intercept over all repeats (`calibration.calibration_over_repeats`)."""
    return {
        "slope": first["slope"],
        "intercept": first["intercept"],
        "hosmer_lemeshow_p": first["hosmer_lemeshow"]["p_value"],
        "repeats": repeats,
    }


def belongs_to(cached: dict[str, Any], result: dict[str, Any], training_sha256: str) -> bool:
    """Whether `cached` holds the figures of the model in `result` (same data, characteristics
    and coefficients to 1e-9)."""
    model = cached["model"]
    if model["training_data_sha256"] != training_sha256:
        return False
    if model["characteristics"] != result["characteristics"]:
        return False
    mine = result["coefficients"]
    return set(model["coefficients"]) == set(mine) and all(
        math.isclose(v, mine[k], rel_tol=1e-9, abs_tol=1e-12)
        for k, v in model["coefficients"].items()
    )


def lines(result: dict[str, Any], training_sha256: str, path: Path = CACHE) -> list[str]:
    """What the demo prints: the 5 × 20 figures of model and benchmark with the paired
    comparison, or why they are not shown."""
    if not path.is_file():
        return [f"5 × 20 cross-validation: no cached figures at {path} (run `make cumcm-cv`)"]
    cached = json.loads(path.read_text(encoding="utf-8"))
    if not belongs_to(cached, result, training_sha256):
        return [
            f"5 × 20 cross-validation: the figures at {path} belong to another model (the "
            "training data or the fit changed); run `make cumcm-cv` to refresh them"
        ]
    m, b, d = cached["model"], cached["benchmark"], cached["paired"]
    return [
        f"{cached['protocol']} (`{cached['command']}`):",
        f"  model ({m['method']}): AUC {m['auc']:.3f} ± {m['auc_std']:.3f}, Brier "
        f"{m['brier']:.4f}, {_calibration_text(m['calibration'])}",
        f"  benchmark {b['name']}: AUC {b['auc']:.3f} ± {b['auc_std']:.3f}, Brier "
        f"{b['brier']:.4f}, {_calibration_text(b['calibration'])}",
        *_choices_text(m.get("fold_choices")),
        f"  paired over {d['folds']} folds: AUC difference {d['auc_difference']['mean']:+.3f} ± "
        f"{d['auc_difference']['std']:.3f}; model won {d['won']:.0%}, tied {d['tied']:.0%}, lost "
        f"{d['lost']:.0%}; Brier difference {d['brier_difference']['mean']:+.4f}",
    ]


def _choices_text(choices: dict[str, Any] | None) -> list[str]:
    """How often each training fold chose each calibration method and characteristic (none when
    the cache predates per-fold records)."""
    if not choices:
        return []
    folds = choices["folds"]
    methods = ", ".join(f"{m} {n}" for m, n in choices.get("calibration", {}).items())
    used = ", ".join(f"{f} {n}" for f, n in sorted(
        choices["characteristics"].items(), key=lambda kv: (-kv[1], kv[0])))  # fmt: skip
    return [
        f"  chosen inside each of the {folds} training folds (gate refitted per fold): "
        f"calibration {methods}; characteristics {used}"
    ]


def _calibration_text(c: dict[str, Any]) -> str:
    r = c["repeats"]
    return (
        f"calibration slope {c['slope']:.2f} / intercept {c['intercept']:+.2f} / "
        f"Hosmer–Lemeshow p {c['hosmer_lemeshow_p']:.2g} (first repeat; slope over "
        f"{r['repeats']} repeats {r['slope']['mean']:.2f} ± {r['slope']['std']:.2f}"
        + (
            f"; Hosmer–Lemeshow rejected at 5 % in {r['hosmer_lemeshow_rejected']:.0%} of them)"
            if "hosmer_lemeshow_rejected" in r
            else ")"
        )  # fmt: skip
    )


def main(argv: list[str]) -> None:
    """``RESULT_JSON OUT_JSON``: write the cache from a full training run's result.json."""
    from creditfactory.scoring.training.datasets import load_dataset

    result = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    digest = load_dataset(result["dataset"]).digest()
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(summary(result, digest), ensure_ascii=False, indent=1)
    out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
