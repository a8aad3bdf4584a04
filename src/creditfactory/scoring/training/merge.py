"""Supervised split finding as toad does it: decision-tree (CART) merge and ChiMerge, plus toad's IV.

Both merges take one numeric feature and a class target and return sorted split points ``s``;
the bins are ``(-inf, s1), [s1, s2), …, [sk, inf)`` (``numpy.digitize``, ``right=False``), the
same convention as optbinning and `binning`, so the splits can be replayed as fixed user splits.

Source: toad 0.1.7 (amphibian-dev/toad, MIT), ``toad/merge.pyx`` (``DTMerge``, ``ChiMerge``,
``bin_by_splits``) and ``toad/stats.py`` (``probability``, ``_IV``); the ChiMerge algorithm is
Kerber, "ChiMerge: Discretization of Numeric Attributes", AAAI-92, with toad's variations
(chi-square weighted by the pair's size, all tied minimum pairs merged in one pass). Defaults are
toad's: 10 bins, missing values filled with -1 before splitting, ``balance=True``.
"""

from __future__ import annotations

from typing import Any

import numpy
from sklearn.tree import DecisionTreeClassifier

DEFAULT_BINS = 10
_TREE_UNDEFINED = -2.0  # sklearn.tree._tree.TREE_UNDEFINED: the threshold of a leaf


def _filled(x: Any, nan: float) -> numpy.ndarray:
    """Copy of ``x`` as an array with missing values replaced by ``nan`` (toad's ``fillna``)."""
    arr = numpy.array(x, copy=True)
    mask = numpy.isnan(arr) if arr.dtype.kind == "f" else numpy.zeros(arr.shape, dtype=bool)
    arr[mask] = nan
    return arr


def dt_merge(
    x: Any,
    y: Any,
    n_bins: int | None = None,
    min_samples: float = 1,
    nan: float = -1.0,
    random_state: int | None = 0,
) -> numpy.ndarray:
    """Split points of a CART decision tree grown on one feature (toad ``DTMerge``).

    Parameters
    ----------
    x : array-like of shape (n,)
        Numeric feature; missing values are filled with `nan` first, as toad does.
    y : array-like of shape (n,)
        Class target (0/1 for credit scoring).
    n_bins : int, optional
        Maximum number of leaves (``max_leaf_nodes``). Defaults to 10 when `min_samples` is 1.
    min_samples : int or float, default 1
        ``min_samples_leaf`` of the tree: a count, or a fraction of ``n`` when below 1.
    nan : float, default -1.0
        Value given to missing entries before the tree is grown.
    random_state : int, optional
        Passed to the tree; with a single feature it does not change the splits.

    Returns
    -------
    numpy.ndarray of shape (k,)
        Sorted thresholds of the internal nodes (float64 midpoints of float32-cast values, as
        scikit-learn trees compute them); ``k + 1`` bins.

    Notes
    -----
    toad 0.1.7 ``toad/merge.pyx``::``DTMerge``: ``DecisionTreeClassifier(min_samples_leaf=
    min_samples, max_leaf_nodes=n_bins)`` (Gini criterion, best splitter), fitted on the filled
    feature; the thresholds of the non-leaf nodes, sorted, are the splits.
    """
    if n_bins is None and min_samples == 1:
        n_bins = DEFAULT_BINS
    feature = _filled(x, nan).astype(float)
    tree = DecisionTreeClassifier(
        min_samples_leaf=min_samples, max_leaf_nodes=n_bins, random_state=random_state
    )
    tree.fit(feature.reshape(-1, 1), numpy.asarray(y))
    thresholds = numpy.asarray(tree.tree_.threshold, dtype=float)
    return numpy.sort(thresholds[thresholds != _TREE_UNDEFINED])


def _pair_chi(grouped: numpy.ndarray, balance: bool) -> numpy.ndarray:
    """Chi-square of every adjacent pair of groups; shape (m − 1,) for ``grouped`` (m, classes).

    Summed cell by cell in toad's order (first row, then second; classes in order) so that the
    floating-point values, and so the ties between pairs, are toad's bit for bit.
    """
    first, second = grouped[:-1], grouped[1:]
    cols = first + second
    total = cols.sum(axis=1)
    chi = numpy.zeros(len(first))
    for row in (first, second):
        rows = row.sum(axis=1)
        for k in range(grouped.shape[1]):
            e = rows * cols[:, k] / total
            safe = numpy.where(e != 0, e, 1.0)
            chi = chi + numpy.where(e != 0, (row[:, k] - e) ** 2 / safe, 0.0)
    return chi * total if balance else chi


def _merge_minimum(
    grouped: numpy.ndarray, values: numpy.ndarray, chi_ix: numpy.ndarray
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Fold each pair at ``chi_ix`` into its left group; runs of contiguous pairs become one group."""
    grouped = grouped.copy()
    retain = last = int(chi_ix[0])
    for ix in (int(i) for i in chi_ix):
        if ix - last > 1:
            retain = ix
        grouped[retain] += grouped[ix + 1]
        last = ix
    drop = chi_ix + 1
    return numpy.delete(grouped, drop, axis=0), numpy.delete(values, drop)


def chi_merge(
    x: Any,
    y: Any,
    n_bins: int | None = None,
    min_samples: float | None = None,
    min_threshold: float | None = None,
    nan: float = -1.0,
    balance: bool = True,
) -> numpy.ndarray:
    """Split points of bottom-up ChiMerge (Kerber 1992) as toad implements it (``ChiMerge``).

    Parameters
    ----------
    x : array-like of shape (n,)
        Numeric feature; missing values are filled with `nan` first, as toad does.
    y : array-like of shape (n,)
        Class target (any number of classes; 0/1 for credit scoring).
    n_bins : int, optional
        Stop once at most this many groups remain. Defaults to 10 when no stop rule is given.
    min_samples : int or float, optional
        Stop once every group holds more than this many records (a fraction of ``n`` below 1).
    min_threshold : float, optional
        Stop once the smallest adjacent-pair chi-square exceeds this value.
    nan : float, default -1.0
        Value given to missing entries before merging.
    balance : bool, default True
        Multiply each pair's chi-square by the pair's record count (toad's weighting).

    Returns
    -------
    numpy.ndarray of shape (k,)
        Sorted split points, each the smallest distinct value of a group after the first; same
        dtype as the filled feature. ``k + 1 ≤ n_bins`` groups, each non-empty.

    Notes
    -----
    Start with one group per distinct value. While no stop rule holds (any one suffices, toad's
    ``constraint_mode="any"``): compute the chi-square of each adjacent pair,
    ``Σ_rows Σ_classes (observed − expected)² / expected`` with ``expected = row · column / total``
    (cells with zero expectation skipped), find the minimum, and merge every pair attaining it
    (exact ties, as toad's ``merge.pyx``; its Rust port of 0.1.7 treats pairs within
    ``f64::EPSILON`` of the minimum as tied). Stops at one group.
    """
    if n_bins is None and min_samples is None and min_threshold is None:
        n_bins = DEFAULT_BINS
    feature = _filled(x, nan)
    target = numpy.asarray(y)
    if min_samples is not None and min_samples < 1:
        min_samples = len(feature) * min_samples
    values, inverse = numpy.unique(feature, return_inverse=True)
    classes, target_ix = numpy.unique(target, return_inverse=True)
    grouped = numpy.zeros((len(values), len(classes)))
    numpy.add.at(grouped, (inverse.ravel(), target_ix.ravel()), 1.0)
    while len(grouped) > 1:
        if n_bins and len(grouped) <= n_bins:
            break
        if min_samples and grouped.sum(axis=1).min() > min_samples:
            break
        chi = _pair_chi(grouped, balance)
        chi_min = chi.min()
        if min_threshold and chi_min > min_threshold:
            break
        grouped, values = _merge_minimum(grouped, values, numpy.flatnonzero(chi == chi_min))
    return values[1:]


def bin_by_splits(x: Any, splits: Any, nan: float = -1.0) -> numpy.ndarray:
    """Bin index ``0…k`` of each value for splits ``s1 < … < sk`` (toad ``bin_by_splits``).

    Parameters
    ----------
    x : array-like of shape (n,)
        Feature; missing values are filled with `nan` first.
    splits : array-like of shape (k,)
        Sorted split points.
    nan : float, default -1.0

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        ``i`` such that ``s_i ≤ x < s_{i+1}`` (``numpy.digitize``, ``right=False``).
    """
    edges = numpy.atleast_1d(numpy.asarray(splits))
    return numpy.asarray(numpy.digitize(_filled(x, nan), edges), dtype=int)


def toad_iv(groups: Any, y: Any) -> float:
    """Information value of a grouping with toad's rule for empty cells (``toad.stats._IV``).

    Parameters
    ----------
    groups : array-like of shape (n,)
        Group label of each record (e.g. `bin_by_splits` output).
    y : array-like of shape (n,)
        0/1 target, 1 = bad.

    Returns
    -------
    float
        ``Σ_g (bad_g/B − good_g/G) · ln(bad_g/B ÷ good_g/G)``, where a group with no bads
        (no goods) counts 1 bad (1 good) — toad's ``probability(..., default=1)``. Equal to
        `binning.bin_table`'s IV when every group holds both classes; there optbinning gives
        such a group IV 0 instead.
    """
    labels = numpy.asarray(groups)
    target = numpy.asarray(y)
    bads = max(int((target == 1).sum()), 1)
    goods = max(int((target == 0).sum()), 1)
    parts = []
    for g in numpy.unique(labels):
        sub = target[labels == g]
        y_prob = max(int((sub == 1).sum()), 1) / bads
        n_prob = max(int((sub == 0).sum()), 1) / goods
        parts.append((y_prob - n_prob) * numpy.log(y_prob / n_prob))
    # numpy's pairwise sum over the per-group array, as toad's ``pandas.Series.sum``
    return float(numpy.asarray(parts, dtype=float).sum())
