"""Leakage gate (泄露闸门): which candidate fields may enter a model, each exclusion with its reason.

On by default in `pipeline.train`. Rules, in order (figures on the training part only):

1. **Declarations** of the dataset adapter (`datasets.Declared`): a field is usable only when
   declared known at application (``application``); ``outcome`` / ``post_outcome`` /
   ``post_application`` / ``calendar`` (vintage: every future applicant lands in the newest bin) /
   ``identifier`` / ``recoded`` / ``population`` (it defines a population exclusion of the
   adapter, so what is left of it says how the data was recorded, not how applicants differ)
   fields are excluded with the adapter's reason.
2. **Statistics**, unless an analyst whitelisted the field with a written justification:
   IV > `IV_LIMIT` (0.5; numeric fields on a binning that cannot overfit: deciles (fewer
   quantile bins below 50 bads; a field with no more values than bins — a 0/1 flag — by its
   values), +0.5 smoothing; categorical fields on the binning the
   scorecard would use — optbinning's optimal grouping of the categories, bins ≥ 5 % of rows —
   so a leaky category is not pooled away: SBA's ``Bank`` scores IV 0.41 with rare banks
   pooled but 2.4 on the model's bins), single-feature AUC > `AUC_LIMIT` (0.85) or
   < 1 − `AUC_LIMIT` (numeric fields as they stand; categorical ones by their bins' WOE), and
   the **value
   shape** test: for each round grid (multiples of 12 months, of 10, 100, 1 000, 5 000, …) the
   share of a field's non-zero values lying on the grid among goods minus that among bads; a gap
   above `SHAPE_GAP_LIMIT` (0.5) means the field's *recording* differs with the outcome (SBA's
   ``Term``: 94 % of repaid loans on a 12-month grid, 8 % of defaults — the term of a charged-off
   loan is what was left when it stopped).
   The **pure-value** rule: a single value holding ≥ `PURE_SHARE` (5 %) of the rows with no
   bads (or no goods) — an outcome-free pocket no real population has (SBA's Portion 1.00:
   12.6 % of the training half, 0 defaults, every one a 240-month CDC loan).
3. **Derivations** from an excluded field: declared ones (``derived``, joining any statistical
   reason) and detected ones — a decision tree on the excluded numeric fields predicts the
   candidate out of fold with R² ≥ `DERIVED_R2` (0.9), a categorical candidate through its value
   indicators: RealEstate = Term ≥ 240, daysterm = 30·Term, Recession from dates + term,
   Express = (Portion == 0.5). A whitelist overrides a detected derivation (recorded as
   ``derived_r2`` / ``derived_from``), never a declared one.
4. **Proxies** of an excluded flag (an excluded field with two values, e.g. RealEstate =
   Term ≥ 240), unless whitelisted: a decision tree on the candidate alone classifies the flag
   out of fold (5 stratified folds on the training part) with AUC ≥ `PROXY_AUC` (0.9). The
   regression test of rule 3 misses a candidate that only *separates* a flag's two groups
   (SBA's Portion predicts RealEstate with AUC 0.95 through its 1.00 value).

The thresholds are Siddiqi's "suspicious" IV (> 0.5, *Credit Risk Scorecards*, 2006, p. 81) and
the issue's single-feature AUC bound; the shape, R², pure-value and proxy limits are this
module's (issue #12's validator pass), stated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy
import pandas
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from creditfactory.scoring.training import binning
from creditfactory.scoring.training.metrics import roc_auc
from creditfactory.scoring.training.wording import KINDS, Reason, Text, Wording, joined

IV_LIMIT = 0.5
AUC_LIMIT = 0.85
SHAPE_GAP_LIMIT = 0.5
DERIVED_R2 = 0.9
PURE_SHARE = 0.05
PROXY_AUC = 0.9
MIN_LEVEL_SHARE = 0.05
GRIDS = (12.0, 10.0, 100.0, 1_000.0, 5_000.0, 10_000.0, 50_000.0, 100_000.0)
USABLE = "application"


@dataclass(frozen=True)
class GateResult:
    """`kept` candidates, `reasons` name → why it was excluded (`wording.Reason`, zh and en),
    `whitelisted` name → justification, and per-field `checks` ({iv, auc, shape_gap,
    shape_grid, pure_value, derived_r2, proxy_auc} where computed)."""

    kept: list[str]
    reasons: dict[str, list[Reason]]
    whitelisted: dict[str, str]
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def excluded(self) -> dict[str, str]:
        """Excluded name → its reasons in English, joined."""
        return {name: joined(why, "en") for name, why in self.reasons.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the thresholds used."""
        return {
            "kept": self.kept,
            "excluded": self.excluded,
            "whitelisted": self.whitelisted,
            "checks": self.checks,
            "thresholds": {
                "iv": IV_LIMIT,
                "auc": AUC_LIMIT,
                "shape_gap": SHAPE_GAP_LIMIT,
                "derived_r2": DERIVED_R2,
                "pure_share": PURE_SHARE,
                "proxy_auc": PROXY_AUC,
            },
        }


def gate_iv(x: pandas.Series, y: numpy.ndarray) -> float:
    """IV of a numeric (or boolean) field on deciles (fewer quantile bins when there are under
    50 bads); missing is a group; +0.5 smoothing per cell.

    A field with no more distinct values than bins (a 0/1 flag, a count of 1–5) is grouped by
    its values: quantile edges collapse on it, and ``pandas.qcut(..., duplicates="drop")`` put
    a flag with few ones into a single bin and scored IV 0 (SBA's RealEstate read 0.0000
    against 1.06 by hand).
    """
    # ≥ 5 bads per bin on average: with fewer, noise alone scores IV ≈ (k − 1)(1/G + 1/B)
    bins = max(2, min(10, int(y.sum()) // 5))
    values = pandas.to_numeric(x, errors="coerce").astype(float)
    if values.nunique() <= bins:
        ranked = values.astype(str)
    else:
        ranked = pandas.qcut(values, bins, duplicates="drop").astype(str)
    groups = ranked.where(values.notna(), "<missing>")
    table = pandas.crosstab(groups.to_numpy(), y) + 0.5
    good = table[0] / table[0].sum()
    bad = table[1] / table[1].sum()
    return float(((good - bad) * numpy.log(good / bad)).sum())


def shape_gap(x: pandas.Series, y: numpy.ndarray) -> tuple[float, float | None]:
    """Largest |share on grid among goods − among bads| over `GRIDS`, and that grid.

    Only non-zero finite values count (zero is on every grid); a field with fewer than 20
    distinct values has no shape to speak of and scores 0.
    """
    values = pandas.to_numeric(x, errors="coerce").to_numpy(dtype=float)
    keep = numpy.isfinite(values) & (values != 0)
    if len(numpy.unique(values[keep])) < 20:
        return 0.0, None
    v, yy = values[keep], y[keep]
    best, where = 0.0, None
    for grid in GRIDS:
        on = numpy.isclose(numpy.mod(numpy.abs(v), grid), 0.0) | numpy.isclose(
            numpy.mod(numpy.abs(v), grid), grid
        )
        if yy.min() == yy.max():
            break
        gap = abs(float(on[yy == 0].mean()) - float(on[yy == 1].mean()))
        if gap > best:
            best, where = gap, grid
    return best, where


def pure_value(x: pandas.Series, y: numpy.ndarray) -> dict[str, Any] | None:
    """The largest single (non-missing) value of `x` whose rows are all goods or all bads:
    ``{"value", "share", "rows", "bads"}`` (share of all rows), or None when every value is
    mixed."""
    known = x.notna().to_numpy()
    keys = x[known].astype(str).to_numpy()
    table = pandas.crosstab(keys, y[known])
    if table.shape[1] < 2:
        return None
    pure = table[(table[0] == 0) | (table[1] == 0)]
    if pure.empty:
        return None
    rows = pure.sum(axis=1)
    top = str(rows.idxmax())
    return {
        "value": top,
        "share": float(rows[top]) / len(x),
        "rows": int(rows[top]),
        "bads": int(pure.loc[top, 1]),
    }


def proxy_auc(candidate: pandas.Series, flag: pandas.Series) -> float | None:
    """Out-of-fold AUC (5 stratified folds) of a decision tree classifying the two-valued
    `flag` from `candidate` alone (numbers as they stand, missing as its own value; categories
    one-hot); None when a class has fewer than 5 rows."""
    known = flag.notna().to_numpy()
    codes = pandas.factorize(flag[known], sort=True)[0]
    if min(numpy.bincount(codes, minlength=2)) < 5:
        return None
    x = candidate[known]
    if pandas.api.types.is_numeric_dtype(x):
        values = x.to_numpy(dtype=float)
        design = numpy.where(numpy.isnan(values), -1e12, values)[:, None]
    else:
        design = pandas.get_dummies(x.astype(str)).to_numpy(dtype=float)
    tree = DecisionTreeClassifier(min_samples_leaf=5, random_state=0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    p = cross_val_predict(tree, design, codes, cv=folds, method="predict_proba")[:, 1]
    return roc_auc(codes, p)


def derived_r2(
    target: pandas.Series, sources: pandas.DataFrame, categorical: bool = False
) -> tuple[float, list[str]]:
    """Out-of-fold R² (5 folds) of a decision tree predicting `target` from `sources`, and the
    sources carrying ≥ 10 % of the tree's importance (the fit on all rows).

    A numeric target is predicted as it stands; a categorical one (text, or `categorical`) as the indicators of its values, R² = 1 − Σ squared errors / Σ total
    over the indicators — the share of its Gini impurity the sources explain (1 for an exact
    function such as SBA's Express = Portion == 0.5). Rows where the target is missing are left
    out.
    """
    if pandas.api.types.is_numeric_dtype(target) and not categorical:
        t = pandas.to_numeric(target, errors="coerce")
        ok = t.notna().to_numpy()
        values = t[ok].to_numpy(dtype=float)[:, None]
    else:
        ok = target.notna().to_numpy()
        values = pandas.get_dummies(target[ok].astype(str)).to_numpy(dtype=float)
    if ok.sum() < 20 or len(numpy.unique(values, axis=0)) < 2 or sources.empty:
        return 0.0, []
    x = sources.to_numpy(dtype=float)[ok]
    x = numpy.where(numpy.isnan(x), -1e12, x)  # a tree splits missing off as its own value
    tree = DecisionTreeRegressor(min_samples_leaf=5, random_state=0)
    pred = cross_val_predict(tree, x, values, cv=KFold(5, shuffle=True, random_state=0))
    pred = pred.reshape(values.shape)
    total = float(((values - values.mean(axis=0)) ** 2).sum())
    r2 = 1.0 - float(((values - pred) ** 2).sum()) / total
    weights = tree.fit(x, values).feature_importances_
    main = [c for c, w in zip(sources.columns, weights, strict=True) if w >= 0.1]
    return r2, main


def run_gate(
    frame: pandas.DataFrame,
    target: str,
    candidates: list[str],
    categorical: list[str],
    declared: dict[str, tuple[str, Wording]],
    derived: dict[str, tuple[tuple[str, ...], Wording]],
    whitelist: dict[str, str],
) -> GateResult:
    """Apply the three rule groups (module docstring) to `candidates` on `frame` (training part).

    `declared` maps field → (kind, why); a candidate absent from it is treated as known at
    application (plain CSV datasets). `whitelist` maps field → the analyst's justification and
    overrides the statistical, detected-derivation and proxy rules; every whitelisted field
    kept is listed in `GateResult.whitelisted`.
    """
    y = frame[target].to_numpy().astype(int)
    excluded: dict[str, list[Reason]] = {}
    checks: dict[str, dict[str, Any]] = {}
    for name in candidates:
        kind, why = declared.get(name, (USABLE, ""))
        if kind != USABLE:
            label = KINDS.get(kind, kind.replace("_", "-"))
            excluded[name] = [Reason("declared", {"kind": label, "why": why})]
    for name in candidates:
        if name in excluded:
            continue
        checks[name] = _statistics(frame[name], y, name in categorical)
        broken = _broken_rules(checks[name])
        if broken and name not in whitelist:
            excluded[name] = broken
    _derivations(frame, candidates, categorical, derived, excluded, checks, whitelist, declared)
    _proxies(frame, candidates, excluded, checks, whitelist, declared)
    kept = [c for c in candidates if c not in excluded]
    # every whitelisted field that enters is listed with its justification, whether or not a
    # rule fired on it: the record says which fields an analyst vouched for
    used = {k: v for k, v in whitelist.items() if k in kept}
    return GateResult(kept, excluded, used, checks)


def categorical_checks(x: pandas.Series, y: numpy.ndarray, name: str) -> dict[str, float]:
    """IV and single-feature AUC of a categorical field on the scorecard's own binning
    (optbinning's optimal grouping, bins ≥ `MIN_LEVEL_SHARE` of rows; missing is a bin)."""
    values = x.astype(object).where(x.notna(), numpy.nan).to_numpy()
    fitted = binning.fit_binning(values, y, name, "categorical", min_bin_size=MIN_LEVEL_SHARE)
    woe = binning.woe(fitted, values)
    out = {"iv": binning.binning_iv(fitted)}
    if len(numpy.unique(y)) == 2 and len(numpy.unique(woe)) > 1:
        out["auc"] = roc_auc(y, -woe)  # WOE up = safer, so −WOE ranks risk
    return out


def _statistics(x: pandas.Series, y: numpy.ndarray, categorical: bool) -> dict[str, Any]:
    if categorical or not pandas.api.types.is_numeric_dtype(x):
        return {**categorical_checks(x, y, str(x.name)), "pure_value": pure_value(x, y)}
    out: dict[str, Any] = {"iv": gate_iv(x, y)}
    values = x.to_numpy(dtype=float)
    ok = ~numpy.isnan(values)
    if len(numpy.unique(y[ok])) == 2 and len(numpy.unique(values[ok])) > 1:
        out["auc"] = roc_auc(y[ok], values[ok])
    gap, grid = shape_gap(x, y)
    out["shape_gap"], out["shape_grid"] = gap, grid
    out["pure_value"] = pure_value(x, y)
    return out


def _broken_rules(check: dict[str, Any]) -> list[Reason]:
    broken = []
    if check.get("iv", 0.0) > IV_LIMIT:
        broken.append(Reason("iv", {"iv": check["iv"], "limit": IV_LIMIT}))
    auc = check.get("auc")
    if auc is not None and max(auc, 1.0 - auc) > AUC_LIMIT:
        broken.append(
            Reason("auc", {"auc": auc, "low": round(1 - AUC_LIMIT, 6), "high": AUC_LIMIT})
        )
    if check.get("shape_gap", 0.0) > SHAPE_GAP_LIMIT:
        broken.append(Reason("shape", {
            "grid": check["shape_grid"], "gap": check["shape_gap"], "limit": SHAPE_GAP_LIMIT,
        }))  # fmt: skip
    pure = check.get("pure_value")
    if pure is not None and pure["share"] >= PURE_SHARE:
        which = Text("坏客户", "bads") if pure["bads"] == 0 else Text("好客户", "goods")
        broken.append(Reason("pure_value", {
            "value": pure["value"], "share": pure["share"], "limit": PURE_SHARE,
            "which": which, "rows": pure["rows"],
        }))  # fmt: skip
    return broken


def _derivations(
    frame: pandas.DataFrame,
    candidates: list[str],
    categorical: list[str],
    derived: dict[str, tuple[tuple[str, ...], Wording]],
    excluded: dict[str, list[Reason]],
    checks: dict[str, dict[str, Any]],
    whitelist: dict[str, str],
    declared: dict[str, tuple[str, Wording]],
) -> None:
    """Declared derivations of an excluded field, then detected ones (R² of a tree), numeric and
    categorical candidates alike; a whitelisted candidate found derived stays, its R² and
    sources recorded (``derived_r2``, ``derived_from``) beside the justification."""
    for name, (sources, how) in derived.items():
        bad = [s for s in sources if s in excluded and not _kept_on_purpose(s, declared)]
        if name in candidates and bad and not _declared_out(name, declared):
            # joins a statistical reason (RealEstate: IV 1.06 and = Term ≥ 240): the why
            excluded[name] = [
                *excluded.get(name, []),
                Reason("derived_declared", {"sources": bad, "how": how}),
            ]
    # Sources: what was excluded for carrying outcome, post-application or vintage information —
    # not identifiers, nor fields recoded into a candidate on purpose (FranchiseCode → Franchise).
    numeric = [
        s
        for s in excluded
        if s in frame.columns
        and pandas.api.types.is_numeric_dtype(frame[s])
        and not _kept_on_purpose(s, declared)
    ]
    if not numeric:
        return
    sources = frame[numeric]
    for name in candidates:
        if name in excluded or name not in checks:
            continue
        r2, main = derived_r2(frame[name], sources, name in categorical)
        checks[name]["derived_r2"] = r2
        if r2 < DERIVED_R2:
            continue
        checks[name]["derived_from"] = main  # shown beside a whitelisted field's justification
        if name not in whitelist:
            excluded[name] = [
                Reason("derived_detected", {"sources": main, "r2": r2, "limit": DERIVED_R2})
            ]


def _declared_out(name: str, declared: dict[str, tuple[str, Wording]]) -> bool:
    """Whether the adapter's declaration (rule 1) excludes `name`."""
    return declared.get(name, (USABLE, ""))[0] != USABLE


def _kept_on_purpose(name: str, declared: dict[str, tuple[str, Wording]]) -> bool:
    """An identifier, a field recoded into a candidate on purpose (FranchiseCode →
    Franchise) or one defining the population (SBA RevLineCr: its Y rows are dropped): excluded,
    yet no source of a derivation."""
    return declared.get(name, (USABLE, ""))[0] in ("identifier", "recoded", "population")


def _proxies(
    frame: pandas.DataFrame,
    candidates: list[str],
    excluded: dict[str, list[Reason]],
    checks: dict[str, dict[str, Any]],
    whitelist: dict[str, str],
    declared: dict[str, tuple[str, Wording]],
) -> None:
    """Rule 4: a checked candidate that alone classifies an excluded flag with AUC ≥
    `PROXY_AUC` (the reason joins any it already has).

    Flags: excluded fields with exactly two values, other than identifiers, population-defining
    fields, recodings (their information is kept on purpose) and outcomes (the AUC rule already
    bounds a candidate's AUC for the target). Every checked candidate's best proxy AUC is recorded, whitelisted or
    not.
    """
    skip = ("identifier", "recoded", "population", "outcome")
    flags = [
        s
        for s in list(excluded)
        if s in frame.columns
        and declared.get(s, (USABLE, ""))[0] not in skip
        and frame[s].nunique() == 2
    ]
    for name in candidates:
        if name not in checks:
            continue
        scores = {f: proxy_auc(frame[name], frame[f]) for f in flags if f != name}
        found = {f: a for f, a in scores.items() if a is not None}
        if not found:
            continue
        flag = max(found, key=lambda f: found[f])
        checks[name]["proxy_auc"] = {"flag": flag, "auc": found[flag]}
        if found[flag] >= PROXY_AUC and name not in whitelist:
            reason = Reason("proxy", {"flag": flag, "auc": found[flag], "limit": PROXY_AUC})
            excluded[name] = [*excluded.get(name, []), reason]
