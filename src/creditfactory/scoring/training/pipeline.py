"""Training pipeline behind ``creditfactory model train``: load, gate, fit, validate, export.

`train` returns a JSON-ready result:

- ``characteristics`` (the model's), ``excluded`` (field → reason: the leakage gate's, then the
  selection's), ``exclusions`` (the same, by stage, in zh and en from structured reasons),
  ``leakage`` (the gate's checks, thresholds and whitelist), ``known_at_application``
  (the adapter's per-field declaration, for the fields it declares so that the gate kept), coefficients with ``const``, IV per candidate;
- ``validation``: ``auc``, ``auc_ci`` and ``brier_ci`` (95 % percentile bootstrap), ``brier``,
  ``ks``, gini,
  confusion at 0.5, misclassification and ``calibration`` (slope, intercept, Hosmer–Lemeshow,
  reliability by PD decile) — on the data's named split, or out of fold under 5-fold × 20
  repeated stratified cross-validation (``cv``) when there is none;
- ``out_of_time`` (when the dataset has a vintage: refit on the earlier period, tested on the
  later one), ``benchmark`` (``name``, ``auc``, ``brier`` and ``models``), ``stability``
  (train vs validation score PSI), ``pd_horizon``;

and, given an output directory, writes ``spec.json``, ``result.json``, ``report.html``,
``scorecard.xlsx`` and (CUMCM) ``unrated_scores.json`` / ``.csv``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy
import pandas

from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring.runtime import find_bin, score, worst_value
from creditfactory.scoring.spec import ScorecardSpec, dump_spec, load_spec
from creditfactory.scoring.stability import (
    psi_report_by_splits,
    quantile_splits,
    with_development_scores,
    with_development_terms,
)
from creditfactory.scoring.training import binning
from creditfactory.scoring.training.benchmark import (
    on_folds,
    on_split,
    raw_logistic,
    single_feature,
)
from creditfactory.scoring.training.calibration import (
    calibration_figures,
    calibration_over_repeats,
    out_of_fold_platt,
)
from creditfactory.scoring.training.challenger import MonotoneLightGBM
from creditfactory.scoring.training.checks import verdict
from creditfactory.scoring.training.datasets import Dataset, load_dataset
from creditfactory.scoring.training.fold_gate import FoldGated, fold_summary
from creditfactory.scoring.training.leakage import USABLE, GateResult, run_gate
from creditfactory.scoring.training.logistic import RawLogistic
from creditfactory.scoring.training.metrics import roc_auc, validation_figures
from creditfactory.scoring.training.ordinal import OrdinalLogistic
from creditfactory.scoring.training.scorecard import WOEScorecard
from creditfactory.scoring.training.validation import (
    bootstrap_auc_ci,
    bootstrap_brier_ci,
    paired_folds,
    repeated_cv,
)
from creditfactory.scoring.training.wording import Reason, Text, Wording, in_language, joined

METHODS = ("scorecard", "logistic", "lightgbm", "ordinal")
FoldScreen = tuple[Callable[[pandas.DataFrame, numpy.ndarray], GateResult], list[str]]
"""The leakage gate as a function of (rows, outcomes) and the candidate columns it reads."""
RATING_ORDER = {"A": 1, "B": 2, "C": 3, "D": 4}


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
    holdout_pd: Any = None  # PDs of the validation rows, or the first repeat's out-of-fold PDs


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
    if method == "ordinal":
        return _ordinal(ds, features)
    small = n < 500
    options: dict[str, Any] = {
        "min_bin_size": 0.1 if small else 0.05,
        "max_n_bins": 4 if small else None,
        "max_features": 8 if small else None,
        "binning_method": binning_method,
    }
    if method == "scorecard":
        options.update(ds.scorecard)  # the adapter's configuration, chosen on the training part
    return WOEScorecard(categorical=[f for f in features if f in ds.categorical], **options)


def _ordinal(ds: Dataset, features: list[str]) -> OrdinalLogistic:
    """The ordinal model on the dataset's graded label (`train` checked there is one): the
    adapter's always-in field, or else the first of `features`, always in; the rest
    forward-selection candidates."""
    assert ds.ordinal_label is not None
    column, grades = ds.ordinal_label
    codes = ds.frame[column].map({g: i for i, g in enumerate(grades)})
    start = [f for f in ds.ordinal_features[0] if f in features] or features[:1]
    return OrdinalLogistic(
        ordinal=codes, start=start, candidates=[f for f in features if f not in start]
    )


def train(
    dataset: str,
    method: str = "scorecard",
    features: list[str] | None = None,
    use_binning: bool = True,
    split_column: str | None = None,
    target: str | None = None,
    out: Path | None = None,
    cv_repeats: int = 20,
    binning_method: str = "optbinning",
    leakage_gate: bool = True,
    whitelist: dict[str, str] | None = None,
    population: bool = True,
) -> TrainedModel:
    """Fit and validate one model on a named dataset (see module docstring).

    ``binning_method`` (`binning.BINNING_METHODS`) bins the scorecard's numeric features and
    the IV table: optbinning (default), toad's decision tree ``dt`` or ChiMerge ``chi``.
    ``leakage_gate`` (on by default) runs `leakage.run_gate` on the candidates (`features`, or
    every declared field of the dataset); ``whitelist`` adds analyst justifications to the
    adapter's (field → text). ``population=False`` keeps the rows the adapter drops as outside
    the population served (`datasets.load_dataset`): only to reproduce a published model.

    Raises:
        ValidationError: unknown method/binning method/feature/column, non-numeric feature,
            bad target, a requested feature the leakage gate excludes (naming it and why).
    """
    if method not in METHODS:
        raise ValidationError("method", f"must be one of {', '.join(METHODS)}")
    if binning_method not in binning.BINNING_METHODS:
        raise ValidationError(
            "binning_method", f"must be one of {', '.join(binning.BINNING_METHODS)}"
        )
    raw = method == "logistic" and not use_binning
    ds = load_dataset(dataset, target, population)
    if method == "ordinal" and ds.ordinal_label is None:
        raise ValidationError(
            "method", f"ordinal needs a graded label (as cumcm-2020c's rating); {ds.name} has none"
        )
    frame = ds.frame
    if split_column is not None:
        if split_column not in frame.columns:
            raise ValidationError(split_column, "split column missing")
        train_part, valid = frame[frame[split_column] == 1], frame[frame[split_column] == 0]
    else:
        train_part, valid = frame, None
    candidates = features or [f for f in ds.features if f != split_column]
    for f in candidates:
        if f not in frame.columns:
            raise ValidationError(f, f"unknown feature (not a column of {ds.name})")
    screen = _screen(ds, candidates, whitelist)
    select, factory = (
        _selector(ds, method, candidates, screen, leakage_gate, named=bool(features)),
        _factory(method, ds, raw, binning_method),
    )
    y = train_part[ds.target].to_numpy()
    gate, chosen = select(train_part)
    _refuse_excluded(features, gate)
    _check_columns(ds, chosen, method, raw)

    make = factory(chosen, len(train_part))

    # Cross-validation refits the gate on each training fold when it chose the candidates; named
    # features are the analyst's fixed choice (the gate only checked them)
    fold = (screen, candidates) if leakage_gate and not features else None
    cv_model = _cv_model(method, ds, raw, len(train_part), binning_method, fold) or (make, chosen)

    fit_rows = ds.fitting_rows(train_part)
    model = _fit(make, fit_rows[chosen], y)
    iv_binnings = _iv_binnings(ds, train_part, chosen, binning_method)
    result: dict[str, Any] = {
        "dataset": ds.name,
        "method": method,
        "binning": not raw,
        "binning_method": binning_method,
        "characteristics": _model_features(model),
        "features": _model_features(model),
        "candidate_features": chosen,
        "excluded": dict(gate.excluded),
        "leakage": {"gate": leakage_gate, **gate.to_dict()},
        # what the adapter presents as application-time AND the gate let through: Term,
        # RealEstate, Recession… are presented as the data has them, and excluded by the gate
        "known_at_application": {
            f: in_language(why, "en")
            for f, (kind, why) in ds.declared.items()
            if kind == USABLE and f not in gate.excluded
        },
        "bad_definition": ds.bad_definition,
        **({"population": population_record(ds)} if ds.population else {}),
        "pd_horizon": ds.pd_horizon.to_dict(),
        "coefficients": _coefficients(model),
        "iv": {f: binning.binning_iv(b) for f, b in iv_binnings.items()},
        "train": validation_figures(y, model.predict_proba(fit_rows[chosen])[:, 1]),
    }
    if raw:
        result["std_errors"] = model.bse_
        result["p_values"] = model.pvalues_
    _record_exclusions(result, gate, model)
    validated, holdout_pd = _validate(
        ds, gate, model, cv_model, chosen, train_part, valid, split_column, cv_repeats, fold
    )
    result.update(validated)
    if ds.out_of_time is not None:
        result["out_of_time"] = _out_of_time(ds, frame, select, factory)
    spec = _freeze(ds, model, method, binning_method, gate, leakage_gate, result, train_part)
    result["spec_sha256"] = json.loads(dump_spec(spec))["sha256"]
    result["actionable"] = dict(spec.actionable)
    result["labels"] = {f: dict(spec.labels.get(f, {})) for f in spec.features}
    trained = TrainedModel(model, spec, result, ds, train_part, valid, iv_binnings, holdout_pd)
    if ds.unrated is not None:
        result["unrated_scored"] = len(ds.unrated)
    if out is not None:
        write_outputs(trained, out)
    return trained


def _refuse_excluded(features: list[str] | None, gate: GateResult) -> None:
    """Raise ValidationError naming the first requested feature the leakage gate excludes."""
    for f in features or ():
        if f in gate.excluded:
            raise ValidationError(f, f"excluded by the leakage gate: {gate.excluded[f]}")


def _screen(
    ds: Dataset, candidates: list[str], whitelist: dict[str, str] | None
) -> Callable[[pandas.DataFrame, numpy.ndarray], GateResult]:
    """The leakage gate on given rows and outcomes (all training rows, or a CV training fold),
    with the adapter's whitelist and the analyst's (`whitelist`, field → justification)."""
    allowed = {**{f: in_language(w, "en") for f, w in ds.whitelist.items()}, **(whitelist or {})}

    def screen(rows: pandas.DataFrame, outcome: numpy.ndarray) -> GateResult:
        frame_y = rows.assign(**{ds.target: outcome})
        return run_gate(
            frame_y, ds.target, candidates, ds.categorical, ds.declared, ds.derived, allowed
        )

    return screen


def _factory(
    method: str, ds: Dataset, raw: bool, binning_method: str
) -> Callable[[list[str], int], Callable[[], Any]]:
    """(characteristics, training rows) → the model factory `_fit` calls (`_make`)."""
    return lambda chosen, rows: lambda: _make(method, ds, chosen, raw, rows, binning_method)


def _selector(
    ds: Dataset,
    method: str,
    candidates: list[str],
    screen: Callable[[pandas.DataFrame, numpy.ndarray], GateResult],
    leakage_gate: bool,
    named: bool,
) -> Callable[[pandas.DataFrame], tuple[GateResult, list[str]]]:
    """rows → (the gate on them, the candidates it leaves the method): every choice made before
    the fit, so the out-of-time test repeats it on its own training period. `named` features
    are taken as the gate leaves them; otherwise the method picks (`_method_candidates`)."""

    def select(rows: pandas.DataFrame) -> tuple[GateResult, list[str]]:
        found = (
            screen(rows, rows[ds.target].to_numpy())
            if leakage_gate
            else GateResult(list(candidates), {}, {})
        )
        return found, found.kept if named else _method_candidates(method, ds, found.kept)

    return select


def _cv_model(
    method: str, ds: Dataset, raw: bool, n: int, binning_method: str, fold: FoldScreen | None
) -> tuple[Callable[[], Any], list[str]] | None:
    """The cross-validation factory that gates each training fold itself (`FoldGated`) and the
    columns it reads (every candidate); None without `fold` (the gate and its candidates)."""
    if fold is None:
        return None
    screen, candidates = fold

    def on_kept(fold_gate: GateResult) -> tuple[list[str], Any]:
        fold_chosen = _method_candidates(method, ds, fold_gate.kept)
        _check_columns(ds, fold_chosen, method, raw)
        return fold_chosen, _make(method, ds, fold_chosen, raw, n, binning_method)

    return (lambda: FoldGated(screen, on_kept)), candidates


def _method_candidates(method: str, ds: Dataset, kept: list[str]) -> list[str]:
    """The gate's kept fields a method takes when none are named: numeric ones for trees, the
    adapter's domain-chosen ones (kept by the gate) for the ordinal model, else all."""
    if method == "lightgbm":
        return [f for f in kept if f not in ds.categorical]
    if method == "ordinal":
        return [f for f in (*ds.ordinal_features[0], *ds.ordinal_features[1]) if f in kept]
    return kept


def _fit(make: Callable[[], Any], X: pandas.DataFrame, y: Any) -> Any:
    """Fit a model; a scorecard's score → PD map is then refitted on out-of-fold scores
    (`calibration.out_of_fold_platt`) so the served PDs are not the in-sample fit's."""
    model = make().fit(X, y)
    if isinstance(model, WOEScorecard):
        model.calibration_ = out_of_fold_platt(make, X, numpy.asarray(y))
    return model


def _validate(
    ds: Dataset,
    gate: GateResult,
    model: Any,
    cv_model: tuple[Callable[[], Any], list[str]],
    chosen: list[str],
    train_part: pandas.DataFrame,
    valid: pandas.DataFrame | None,
    split_column: str | None,
    cv_repeats: int,
    fold: FoldScreen | None = None,
) -> tuple[dict[str, Any], Any]:
    """``validation``, ``benchmark`` and ``stability`` (a named split) or ``cv`` (none), and the
    held-out PDs they were computed on. `cv_model` is the factory cross-validation refits on
    each training fold and the columns it reads (`fold_gate.FoldGated` on every candidate, or
    the model on `chosen`); ``cv.fold_records`` / ``cv.fold_choices`` say what each fold chose.
    With `fold` (the gate refitted per fold, and the candidate columns it reads) the best-single
    benchmark is chosen inside each training fold too."""
    if valid is not None:
        vp = model.predict_proba(valid[chosen])[:, 1]
        figures = _figures(valid[ds.target].to_numpy(), vp)
        figures["split"] = f"fit on {split_column} == 1, validated on {split_column} == 0"
        figures["split_column"] = split_column
        return {
            "validation": figures,
            "stability": _stability(model, train_part[chosen], valid[chosen]),
            "benchmark": _benchmarks(
                ds,
                gate,
                train_part,
                lambda f, cols: on_split(f, cols, train_part, valid, ds.target),
            ),
        }, vp
    y = train_part[ds.target].to_numpy()
    rating = train_part["rating"].map(RATING_ORDER) if "rating" in train_part.columns else None
    repeats = cv_repeats if len(train_part) <= 5000 else 1
    make, columns = cv_model
    cv = repeated_cv(make, train_part[columns], y, n_repeats=repeats, rating=rating)
    if "fold_records" in cv:
        cv["fold_choices"] = fold_summary(cv["fold_records"])
    oof = cv.pop("oof_pd")
    cv["calibration_repeats"] = calibration_over_repeats(cv.pop("oof_pd_repeats"), y)
    figures = _figures(y, oof)
    figures.update(
        auc=cv["mean"], auc_std=cv["std"], brier=cv["brier"]["mean"],
        auc_first_repeat=roc_auc(y, oof),
        split=f"{cv['n_splits']}-fold × {cv['n_repeats']} repeated stratified cross-validation: "
        "auc and brier are fold means; auc_ci, brier_ci, ks and calibration use the first repeat's "
        "out-of-fold PDs",
    )  # fmt: skip
    benchmark = _benchmarks(
        ds,
        gate,
        train_part,
        lambda f, cols: on_folds(f, cols, train_part, ds.target, repeats),
        fold,
    )
    return {"cv": cv, "validation": figures, "benchmark": _paired(cv, benchmark)}, oof


def _paired(cv: dict[str, Any], benchmark: dict[str, Any]) -> dict[str, Any]:
    """Each fold-evaluated benchmark's per-fold figures replaced by the paired comparison with
    the chosen model on the same folds (`validation.paired_folds`); the head gets its own."""
    for entry in benchmark["models"]:
        entry["paired"] = paired_folds(cv, entry.pop("cv"))
    head = {k: v for k, v in benchmark.items() if k != "cv"}
    return {**head, "paired": benchmark["models"][0]["paired"]}


def _freeze(
    ds: Dataset,
    model: Any,
    method: str,
    binning_method: str,
    gate: GateResult,
    leakage_gate: bool,
    result: dict[str, Any],
    train_part: pandas.DataFrame,
) -> ScorecardSpec:
    """The spec: labels, actionable flags, PD horizon, the gate's record and headline figures."""
    training = {
        "dataset": ds.name,
        "currency": ds.currency,  # of the data's amounts: the API names it beside the model
        "rows": len(train_part),
        "bads": int(train_part[ds.target].sum()),
        "training_data_sha256": ds.digest(),
        "method": method,
        "binning_method": binning_method,
        **ds.notes,
        "bad_definition": ds.bad_definition,
        **({"population": result["population"]} if "population" in result else {}),
        "known_at_application": result["known_at_application"],
        "leakage_gate": {"on": leakage_gate, "excluded": gate.excluded,
                         "whitelisted": gate.whitelisted},
        "validation": {k: result["validation"][k] for k in ("auc", "auc_ci", "brier", "ks")},
        "out_of_time": {k: v for k, v in result.get("out_of_time", {}).items()
                        if k in ("auc", "brier", "train", "test", "characteristics")},
        "benchmark": {"name": result["benchmark"]["name"], "auc": result["benchmark"]["auc"]},
        "verdict": verdict(result),  # the report's checks: serving a failing spec needs sign-off
    }  # fmt: skip
    frozen = model.to_spec(f"{ds.name}-{method}", ds.labels, training)
    frozen = replace(
        frozen,
        actionable={f: ds.actionable.get(f, False) for f in frozen.features},
        pd_horizon=ds.pd_horizon,
        characteristics=tuple(
            replace(ch, no_answer=ds.no_answer.get(ch.feature, ())) for ch in frozen.characteristics
        ),
    )
    if ds.fitting_view is not None:
        frozen = _declared_counts(frozen, train_part, ds.target)
    spec = load_spec(dump_spec(frozen))
    spec = with_development_terms(spec, feature_rows(spec, train_part))
    served = [score(spec, r).score for r in served_rows(spec, feature_rows(spec, train_part))]
    return with_development_scores(spec, served)


def served_rows(spec: ScorecardSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` as the served path can produce them: a category meaning "no answer"
    (`Characteristic.no_answer`) as the characteristic's worst real answer
    (`runtime.worst_value`) — intake refuses a no-answer that would score above it and the
    replay declares it so (`datasets.sba_declared`). The development score deciles are recorded
    over these rows (the rows outside the population served are already gone:
    `Dataset.population`), so a live deployment reads no drift on day one."""
    worst = {c.feature: (c.no_answer, worst_value(spec, c.feature))
             for c in spec.characteristics if c.no_answer}  # fmt: skip
    return [
        {k: worst[k][1] if k in worst and v in worst[k][0] else v for k, v in r.items()}
        for r in rows
    ]


def _declared_counts(spec: ScorecardSpec, rows: pandas.DataFrame, target: str) -> ScorecardSpec:
    """`spec` with each bin's ``count`` and ``event_rate`` taken on `rows` as declared, not as
    the model was fitted on them (`Dataset.fitting_view`): live stability compares decisions with
    these counts, and a live applicant declares the value (SBA: a job count of 0), never the
    "not recorded" the fit read it as."""
    y = rows[target].to_numpy()
    characteristics = []
    for ch in spec.characteristics:
        values = rows[ch.feature].astype(object).where(rows[ch.feature].notna(), None)
        found = [find_bin(ch, v) for v in values]
        bins = []
        for b in ch.bins:
            hit = numpy.array([f is b for f in found])
            rate = float(y[hit].mean()) if hit.any() else 0.0
            bins.append(replace(b, count=int(hit.sum()), event_rate=rate))
        characteristics.append(replace(ch, bins=tuple(bins)))
    return replace(spec, characteristics=tuple(characteristics))


def _figures(y: Any, pd_values: Any) -> dict[str, Any]:
    """`validation_figures` plus the bootstrap AUC interval, Brier and calibration."""
    out = validation_figures(y, pd_values)
    cal = calibration_figures(pd_values, y)
    out["auc_ci"] = bootstrap_auc_ci(y, pd_values)
    out["brier"] = cal["brier"]
    out["brier_ci"] = bootstrap_brier_ci(y, pd_values)
    out["calibration"] = cal
    return out


def _stability(model: Any, train: pandas.DataFrame, valid: pandas.DataFrame) -> dict[str, Any]:
    """Score PSI, validation vs training (training deciles as bins)."""
    ref = model.predict_proba(train)[:, 1].tolist()
    cur = model.predict_proba(valid)[:, 1].tolist()
    report = psi_report_by_splits(ref, cur, quantile_splits(ref))
    return {"psi": report.value, "status": str(report.status), "of": "PD, train vs validation"}


def _out_of_time(
    ds: Dataset,
    frame: pandas.DataFrame,
    select: Callable[[pandas.DataFrame], tuple[GateResult, list[str]]],
    factory: Callable[[list[str], int], Callable[[], Any]],
) -> dict[str, Any]:
    """The whole pipeline refitted on rows up to the dataset's cut-off vintage — the leakage
    gate (`select`), then binning, selection and calibration inside the fit — and scored on the
    later rows: AUC / Brier, with the characteristics that period chose and what its gate
    excluded. Nothing chosen on the later period, nor on the served model's training half
    (which holds later loans), enters."""
    assert ds.out_of_time is not None
    column, last = ds.out_of_time
    early, late = frame[frame[column] <= last], frame[frame[column] > last]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gate, chosen = select(early)
        make = factory(chosen, len(early))
        model = _fit(make, ds.fitting_rows(early)[chosen], early[ds.target].to_numpy())
    p = model.predict_proba(late[chosen])[:, 1]
    y = late[ds.target].to_numpy()
    cal = calibration_figures(p, y)
    return {
        "auc": roc_auc(y, p),
        "auc_ci": bootstrap_auc_ci(y, p),
        "brier": cal["brier"],
        "brier_ci": bootstrap_brier_ci(y, p),
        "calibration": cal,
        "train": f"{column} <= {last:g}: {len(early)} rows, {int(early[ds.target].sum())} bads",
        "test": f"{column} > {last:g}: {len(late)} rows, {int(y.sum())} bads",
        "split": {
            "column": column,
            "last": last,
            "train_rows": len(early),
            "train_bads": int(early[ds.target].sum()),
            "test_rows": len(late),
            "test_bads": int(y.sum()),
        },  # fmt: skip
        "characteristics": _model_features(model),
        "excluded": gate.excluded,
        "note": "both halves of the data; the whole pipeline (leakage gate, binning, selection, "
        "calibration) refitted on the earlier period alone",
        "fit_warnings": sorted({str(w.message) for w in caught}),
    }


def _benchmark_specs(
    ds: Dataset,
    gate: GateResult,
    frame: pandas.DataFrame,
    fold: FoldScreen | None = None,
) -> list[tuple[Wording, list[str], Any, Wording, list[str]]]:
    """(name, features, factory, note, columns the factory reads): the dataset's declared ones,
    then the best single kept characteristic by training gate IV (`_best_single`). With `fold`
    (repeated CV: the gate and the candidate columns it reads) that choice is made inside each
    training fold on its own gate's IV (`FoldGated`), never on rows a fold holds out; its
    features are then the fields it chooses from, and the name gives the choice on all rows."""
    out: list[tuple[Wording, list[str], Any, Wording, list[str]]] = [
        (name, list(cols), raw_logistic, note, list(cols))
        for name, (cols, note) in ds.benchmarks.items()
    ]
    pick = _best_single(ds, gate, frame)
    if pick is None:
        return out
    best, factory = pick
    kind = "WOE" if best in ds.categorical else "raw"
    if fold is None:
        out.append((
            Text(f"申请时已知的最佳单一特征：{best}（单变量{'WOE' if kind == 'WOE' else '原始值'}逻辑回归）",
                 f"best single application-time characteristic: {best} (one-feature {kind} "
                 "logistic)"),
            [best], factory, Text("按训练部分的闸门 IV 选出", "chosen by gate IV on the training part"),
            [best],
        ))  # fmt: skip
        return out
    screen, columns = fold

    def fold_pick(fold_gate: GateResult) -> tuple[list[str], Any]:
        chosen = _best_single(ds, fold_gate, frame)
        if chosen is None:
            raise ValueError("best-single benchmark: the fold's gate kept no complete field")
        return [chosen[0]], chosen[1]()

    out.append((
        Text(f"申请时已知的最佳单一特征，在每个训练折内按该折闸门 IV 选出（全部样本上为 {best}）",
             f"best single application-time characteristic, chosen inside each training fold by "
             f"that fold's gate IV (on all rows: {best})"),
        _eligible(ds, gate, frame), lambda: FoldGated(screen, fold_pick),
        Text("每折的闸门在该折训练行上重算", "each fold's gate is refitted on its training rows"),
        columns,
    ))  # fmt: skip
    return out


def _best_single(
    ds: Dataset, gate: GateResult, frame: pandas.DataFrame
) -> tuple[str, Callable[[], Any]] | None:
    """The kept characteristic with the highest gate IV — a complete numeric field (a raw
    one-feature logistic) or a categorical one (a one-feature WOE logistic) — and its factory;
    None when the gate kept no such field."""
    ivs = {f: gate.checks[f]["iv"] for f in _eligible(ds, gate, frame)}
    if not ivs:
        return None
    best = max(ivs, key=lambda f: ivs[f])
    return best, (single_feature(best, True) if best in ds.categorical else raw_logistic)


def _eligible(ds: Dataset, gate: GateResult, frame: pandas.DataFrame) -> list[str]:
    """Kept fields a one-feature benchmark can use: categorical, or numeric with no gaps."""
    return [
        f for f in gate.kept if f in gate.checks and (f in ds.categorical or frame[f].notna().all())
    ]


def _benchmarks(
    ds: Dataset,
    gate: GateResult,
    frame: pandas.DataFrame,
    evaluate: Callable[[Any, list[str]], dict[str, Any]],
    fold: FoldScreen | None = None,
) -> dict[str, Any]:
    """Each benchmark of `_benchmark_specs` (chosen on `frame`, or inside each fold with
    `fold`) with `evaluate(factory, columns)`'s figures; the first one's name and figures
    head the table. Name and note are English, with ``zh`` beside them."""
    models = [
        {
            "name": in_language(name, "en"),
            "features": cols,
            "note": in_language(note, "en"),
            "zh": {"name": in_language(name, "zh"), "note": in_language(note, "zh")},
            **evaluate(factory, columns),
        }
        for name, cols, factory, note, columns in _benchmark_specs(ds, gate, frame, fold)
    ]
    head = models[0]
    hidden = ("features", "note", "zh")
    return {**{k: v for k, v in head.items() if k not in hidden}, "models": models}


def population_record(ds: Dataset) -> dict[str, Any]:
    """The development population after `Dataset.population`: ``rows`` and ``bads`` kept, and
    each exclusion's ``name``, ``rows``, ``bads`` dropped with its ``zh`` / ``en`` reason."""
    return {
        "rows": len(ds.frame),
        "bads": int(ds.frame[ds.target].sum()),
        "excluded": [e.to_dict() for e in ds.population],
    }


def _record_exclusions(result: dict[str, Any], gate: GateResult, model: Any) -> None:
    """A scorecard's selection drops join ``excluded`` (English) and ``dropped``; ``exclusions``
    maps every excluded field → ``stage`` (``gate`` or ``selection``), its reasons joined in
    ``zh`` and ``en``, and the structured ``reasons`` they are rendered from
    (`wording.Reason.to_dict`)."""
    selects = isinstance(model, WOEScorecard | OrdinalLogistic)
    dropped: dict[str, Reason] = model.dropped_ if selects else {}
    if selects:
        result["dropped"] = {f: why.en for f, why in dropped.items()}
        result["excluded"].update({f: f"selection: {why.en}" for f, why in dropped.items()})
    stages = [("gate", n, why) for n, why in gate.reasons.items()]
    stages += [("selection", n, [why]) for n, why in dropped.items()]
    result["exclusions"] = {
        name: {
            "stage": stage,
            "zh": joined(why, "zh"),
            "en": joined(why, "en"),
            "reasons": [r.to_dict() for r in why],
        }
        for stage, name, why in stages
    }


def _model_features(model: Any) -> list[str]:
    return list(model.features_)


def _coefficients(model: Any) -> dict[str, float]:
    if isinstance(model, RawLogistic | OrdinalLogistic):
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


def score_frame(spec: ScorecardSpec, frame: pandas.DataFrame) -> list[dict[str, Any]]:
    """Runtime-score every row of a frame (NaN → missing)."""
    return [score(spec, r).to_dict() for r in feature_rows(spec, frame)]


def feature_rows(spec: ScorecardSpec, frame: pandas.DataFrame) -> list[dict[str, Any]]:
    """The spec's features of every row of a frame as plain dicts (NaN → None, missing)."""
    rows = frame[list(spec.features)].astype(object).where(frame[list(spec.features)].notna(), None)
    records: list[dict[str, Any]] = rows.to_dict("records")
    return records


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
