"""Training pipeline behind ``creditfactory model train``: load, check, fit, validate, export.

`train` returns a JSON-ready result (coefficients with ``const``, features, IV per feature,
validation {auc, ks, gini, confusion at 0.5, misclassification}, cv {mean, std}, leakage checks)
and, given an output directory, writes ``spec.json``, ``result.json``, ``report.html``,
``scorecard.xlsx`` and (CUMCM) ``unrated_scores.json`` / ``.csv``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import pandas

from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import ScorecardSpec, dump_spec, load_spec
from creditfactory.scoring.stability import with_development_scores
from creditfactory.scoring.training import binning
from creditfactory.scoring.training.challenger import MonotoneLightGBM
from creditfactory.scoring.training.datasets import Dataset, load_dataset
from creditfactory.scoring.training.logistic import RawLogistic
from creditfactory.scoring.training.metrics import roc_auc, validation_figures
from creditfactory.scoring.training.scorecard import WOEScorecard
from creditfactory.scoring.training.validation import repeated_cv

METHODS = ("scorecard", "logistic", "lightgbm")
RATING_ORDER = {"A": 1, "B": 2, "C": 3, "D": 4}
# Excluded before modelling, with the reason printed in the result and the report.
LEAKAGE_EXCLUDED = {
    "cumcm-2020c": {
        "rating": "信誉评级 is the bank's rating; every D firm defaulted (target leakage)",
        "是否违约": "the default flag itself (the target)",
        "months_since_last_sales": (
            "inactivity at the data end can follow the default (firm stopped trading); "
            "outcome dates are unknown, so treated as recorded after the outcome"
        ),
    },
    "sba-case": {
        "ChgOffDate": "charge-off date exists only for defaults (outcome)",
        "ChgOffPrinGr": "charged-off principal (outcome)",
        "MIS_Status": "loan status CHGOFF / P I F (outcome)",
        "BalanceGross": "outstanding balance at the data date (after the outcome)",
    },
}
LEAKAGE_AUC_FLAG = 0.9


@dataclass
class TrainedModel:
    """What `train` produced: the estimator, spec, result dict and data used."""

    model: Any
    spec: ScorecardSpec
    result: dict[str, Any]
    dataset: Dataset
    train: pandas.DataFrame
    valid: pandas.DataFrame | None
    iv_binnings: dict[str, Any]


def _check_columns(ds: Dataset, features: list[str], method: str, raw: bool) -> None:
    for f in features:
        if f not in ds.frame.columns:
            raise ValidationError(f, f"unknown feature (not a column of {ds.name})")
        numeric_needed = f not in ds.categorical or method == "lightgbm" or raw
        if numeric_needed and not pandas.api.types.is_numeric_dtype(ds.frame[f]):
            raise ValidationError(f, "non-numeric values where numeric is required")


def _make(
    method: str, ds: Dataset, features: list[str], raw: bool, n: int, binning_method: str
) -> Any:
    if method == "lightgbm":
        return MonotoneLightGBM()
    if method == "logistic" and raw:
        return RawLogistic()
    small = n < 500
    return WOEScorecard(
        categorical=[f for f in features if f in ds.categorical],
        min_bin_size=0.1 if small else 0.05,
        max_n_bins=4 if small else None,
        max_features=8 if small else None,
        binning_method=binning_method,
    )


def train(
    dataset: str,
    method: str = "scorecard",
    features: list[str] | None = None,
    use_binning: bool = True,
    split_column: str | None = None,
    target: str | None = None,
    out: Path | None = None,
    cv_repeats: int = 5,
    binning_method: str = "optbinning",
) -> TrainedModel:
    """Fit and validate one model on a named dataset (see module docstring).

    ``binning_method`` (`binning.BINNING_METHODS`) bins the scorecard's numeric features and
    the IV table: optbinning (default), toad's decision tree ``dt`` or ChiMerge ``chi``.

    Raises:
        ValidationError: unknown method/binning method/feature/column, non-numeric feature,
            bad target.
    """
    if method not in METHODS:
        raise ValidationError("method", f"must be one of {', '.join(METHODS)}")
    if binning_method not in binning.BINNING_METHODS:
        raise ValidationError(
            "binning_method", f"must be one of {', '.join(binning.BINNING_METHODS)}"
        )
    raw = method == "logistic" and not use_binning
    ds = load_dataset(dataset, target)
    excluded = LEAKAGE_EXCLUDED.get(ds.name, {})
    chosen = features or [f for f in ds.features if f not in excluded]
    if method == "lightgbm" and not features:
        chosen = [f for f in chosen if f not in ds.categorical]
    _check_columns(ds, chosen, method, raw)
    frame = ds.frame
    if split_column is not None:
        if split_column not in frame.columns:
            raise ValidationError(split_column, "split column missing")
        train_part, valid = frame[frame[split_column] == 1], frame[frame[split_column] == 0]
    else:
        train_part, valid = frame, None
    y = train_part[ds.target].to_numpy()
    model = _make(method, ds, chosen, raw, len(train_part), binning_method)
    model.fit(train_part[chosen], y)
    iv_binnings = _iv_binnings(ds, train_part, chosen, binning_method)
    result: dict[str, Any] = {
        "dataset": ds.name,
        "method": method,
        "binning": not raw,
        "binning_method": binning_method,
        "features": _model_features(model),
        "candidate_features": chosen,
        "coefficients": _coefficients(model),
        "iv": {f: binning.binning_iv(b) for f, b in iv_binnings.items()},
        "train": validation_figures(y, model.predict_proba(train_part[chosen])[:, 1]),
        "leakage": _leakage(ds, train_part, chosen, excluded),
    }
    if raw:
        result["std_errors"] = model.bse_
        result["p_values"] = model.pvalues_
    if isinstance(model, WOEScorecard):
        result["dropped"] = model.dropped_
    if valid is not None:
        vp = model.predict_proba(valid[chosen])[:, 1]
        result["validation"] = validation_figures(valid[ds.target].to_numpy(), vp)
        result["validation"]["split"] = (
            f"fit on {split_column} == 1, validated on {split_column} == 0"
        )
    else:
        rating = frame["rating"].map(RATING_ORDER) if "rating" in frame.columns else None
        repeats = cv_repeats if len(frame) <= 5000 else 1
        cv = repeated_cv(
            lambda: _make(method, ds, chosen, raw, len(frame), binning_method),
            frame[chosen], y, n_repeats=repeats, rating=rating,
        )  # fmt: skip
        oof = cv.pop("oof_pd")
        result["cv"] = cv
        result["validation"] = validation_figures(y, oof)
        result["validation"]["split"] = "out-of-fold PDs of the first cross-validation repeat"
    training = {
        "dataset": ds.name,
        "rows": len(train_part),
        "bads": int(y.sum()),
        "training_data_sha256": ds.digest(),
        "method": method,
        "binning_method": binning_method,
        **ds.notes,
    }
    spec = load_spec(dump_spec(model.to_spec(f"{ds.name}-{method}", ds.labels, training)))
    spec = with_development_scores(spec, [s["score"] for s in score_frame(spec, train_part)])
    result["spec_sha256"] = json.loads(dump_spec(spec))["sha256"]
    trained = TrainedModel(model, spec, result, ds, train_part, valid, iv_binnings)
    if ds.unrated is not None:
        result["unrated_scored"] = len(ds.unrated)
    if out is not None:
        write_outputs(trained, out)
    return trained


def _model_features(model: Any) -> list[str]:
    return list(model.features_)


def _coefficients(model: Any) -> dict[str, float]:
    if isinstance(model, RawLogistic):
        return dict(model.coefficients_)
    if isinstance(model, WOEScorecard):
        return {"const": model.intercept_, **model.coefficients_}
    # Trees have no coefficients: report the prior log-odds (first root) as const.
    first = model.booster_.dump_model()["tree_info"][0]["tree_structure"]
    return {"const": float(first.get("internal_value", first.get("leaf_value", 0.0)))}


def _iv_binnings(
    ds: Dataset, frame: pandas.DataFrame, features: list[str], binning_method: str
) -> dict[str, Any]:
    y = frame[ds.target].to_numpy()
    return {
        f: binning.fit_binning(
            frame[f].to_numpy(),
            y,
            f,
            "categorical" if f in ds.categorical else "numerical",
            method=binning_method,
        )
        for f in features
    }


def _leakage(
    ds: Dataset, frame: pandas.DataFrame, features: list[str], excluded: dict[str, str]
) -> dict[str, Any]:
    """Declared exclusions plus single-feature AUCs; |AUC − 0.5| > 0.4 is flagged for review."""
    aucs: dict[str, float] = {}
    for f in features:
        if f in ds.categorical:
            continue
        x = frame[f].to_numpy(dtype=float)
        mask = ~numpy.isnan(x)
        if len(numpy.unique(frame[ds.target].to_numpy()[mask])) == 2:
            aucs[f] = roc_auc(frame[ds.target].to_numpy()[mask], x[mask])
    flagged = {f: a for f, a in aucs.items() if max(a, 1 - a) > LEAKAGE_AUC_FLAG}
    return {"excluded": excluded, "single_feature_auc": aucs, "flagged": flagged}


def score_frame(spec: ScorecardSpec, frame: pandas.DataFrame) -> list[dict[str, Any]]:
    """Runtime-score every row of a frame (NaN → missing)."""
    rows = frame[list(spec.features)].astype(object).where(frame[list(spec.features)].notna(), None)
    return [score(spec, r).to_dict() for r in rows.to_dict("records")]


def write_outputs(trained: TrainedModel, out: Path) -> None:
    """spec.json, result.json, report.html, scorecard.xlsx, and unrated scores when present."""
    from creditfactory.scoring.training.report import write_report
    from creditfactory.scoring.training.workbook import write_workbook

    out.mkdir(parents=True, exist_ok=True)
    (out / "spec.json").write_text(dump_spec(trained.spec), encoding="utf-8")
    ds = trained.dataset
    if ds.unrated is not None:
        scored = score_frame(trained.spec, ds.unrated)
        for firm, s in zip(ds.unrated[ds.id_column], scored, strict=True):
            s["firm_id"] = firm
        (out / "unrated_scores.json").write_text(
            json.dumps(scored, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        pandas.DataFrame(
            {
                "firm_id": [s["firm_id"] for s in scored],
                "score": [s["score"] for s in scored],
                "pd_12m": [s["pd_12m"] for s in scored],
                "grade": [s["grade"] for s in scored],
                "reasons_zh": ["；".join(r["zh"] for r in s["reasons"]) for s in scored],
                "reasons_en": ["; ".join(r["en"] for r in s["reasons"]) for s in scored],
            }
        ).to_csv(out / "unrated_scores.csv", index=False, encoding="utf-8")
    (out / "result.json").write_text(
        json.dumps(trained.result, ensure_ascii=False, indent=1, default=float), encoding="utf-8"
    )
    write_report(trained, out / "report.html")
    write_workbook(trained, out / "scorecard.xlsx")
