"""The Merkle tree over a `NodeStore`: append, roots and proofs in O(log n) stored nodes.

Invariant: the store holds every complete perfect subtree of the log, keyed (level, position)
(see `ports`). Any RFC 6962 subtree [lo, hi) — and every proof element is one — is lo-aligned to a
power of two ≥ its size, so it splits into at most log2(n)+1 stored perfect subtrees whose sizes
are the binary digits of hi−lo, largest first; its MTH is their right fold
H(P1, H(P2, … Pk)). So roots and proofs read O(log n) nodes, in one `get_nodes` call each,
instead of rehashing the log.

Append keeps the right edge ("frontier") — the perfect subtrees of [0, size) — in memory: it
reads those ≤ log2(n)+1 nodes once per batch, then every new leaf writes itself plus one node per
trailing 1-bit of its index. On average two nodes per leaf. It returns the new frontier, so a
caller that knows the store is unchanged since (same leaf count, append-only) can hand it back
next time and skip the read.
"""

from __future__ import annotations

from collections.abc import Sequence

from creditfactory.audit.errors import AuditError, EntryNotInLog
from creditfactory.audit.merkle import EMPTY_ROOT, node_hash, split_point
from creditfactory.audit.ports import NodeKey, NodeStore

__all__ = [
    "Frontier",
    "append_leaf_hashes",
    "consistency_proof",
    "extend_frontier",
    "inclusion_proof",
    "perfect_subtrees",
    "root_at",
]

Span = tuple[int, int]
Frontier = list[tuple[int, bytes]]  # (level, hash) of the perfect subtrees of [0, size), left first


def perfect_subtrees(start: int, end: int) -> list[NodeKey]:
    """Keys of the maximal aligned perfect subtrees covering leaves [start, end), left to right."""
    keys: list[NodeKey] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def append_leaf_hashes(
    store: NodeStore,
    size: int,
    leaf_hashes: Sequence[bytes],
    frontier: Sequence[tuple[int, bytes]] | None = None,
) -> Frontier:
    """Write the leaf hashes at positions size, size+1, … and every perfect subtree they complete.

    Args:
        store: the node store, holding exactly `size` leaves.
        size: the current tree size (read once by the caller, under its append lock).
        leaf_hashes: 32-byte leaf hashes, in log order.
        frontier: the frontier of the tree of `size` leaves as returned by an earlier call, when
            the caller knows the store has not changed since; None (or one whose levels do not
            fit `size`) reads it from the store.

    Returns:
        The frontier of the tree of size + len(leaf_hashes) leaves.
    """
    frontier_keys = perfect_subtrees(0, size)
    if frontier is not None and _fits(frontier, frontier_keys):
        stack = list(frontier)
    else:
        stored = _fetch(store, frontier_keys)
        stack = [(level, stored[(level, pos)]) for level, pos in frontier_keys]
    new = _fold(stack, size, leaf_hashes)
    store.put_nodes(new)
    return stack


def extend_frontier(frontier: Frontier, size: int, leaf_hashes: Sequence[bytes]) -> Frontier:
    """The frontier of the tree of size + len(leaf_hashes) leaves, from the frontier of the tree
    of `size` leaves and the leaf hashes appended since (in log order); writes nothing.

    Lets a cached frontier catch up with leaves another process appended, instead of reading
    the ≤ log2(n)+1 frontier nodes again. raises AuditError if `frontier` does not fit `size`.
    """
    if not _fits(frontier, perfect_subtrees(0, size)):
        raise AuditError(f"frontier does not fit a tree of {size} leaves")
    stack = list(frontier)
    _fold(stack, size, leaf_hashes)
    return stack


def _fits(frontier: Sequence[tuple[int, bytes]], keys: Sequence[NodeKey]) -> bool:
    """True when `frontier` has the levels of the perfect subtrees `keys`."""
    return [level for level, _ in frontier] == [level for level, _ in keys]


def _fold(stack: Frontier, size: int, leaf_hashes: Sequence[bytes]) -> dict[NodeKey, bytes]:
    """Push the leaves at size, size+1, … onto the frontier `stack` (in place), merging every
    perfect subtree they complete; returns the nodes created, keyed (level, position)."""
    new: dict[NodeKey, bytes] = {}
    for offset, hashed in enumerate(leaf_hashes):
        position, level, current = size + offset, 0, hashed
        new[(0, position)] = current
        while position & 1:  # a right child: it completes its parent
            _, left = stack.pop()
            current = node_hash(left, current)
            position, level = position >> 1, level + 1
            new[(level, position)] = current
        stack.append((level, current))
    return new


def _fetch(store: NodeStore, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
    got = dict(store.get_nodes(set(keys))) if keys else {}
    missing = [key for key in keys if key not in got]
    if missing:
        raise AuditError(f"audit node store is missing nodes {missing[:3]} (damaged store)")
    return got


def _span_hashes(store: NodeStore, spans: Sequence[Span]) -> list[bytes]:
    """MTH of each span, reading all the nodes they need in one `get_nodes` call."""
    per_span = [perfect_subtrees(lo, hi) for lo, hi in spans]
    nodes = _fetch(store, [key for keys in per_span for key in keys])
    hashes = []
    for keys in per_span:
        acc = nodes[keys[-1]]
        for key in reversed(keys[:-1]):
            acc = node_hash(nodes[key], acc)
        hashes.append(acc)
    return hashes


def _check_size(store: NodeStore, size: int) -> None:
    if size > store.leaf_count():
        raise EntryNotInLog(f"tree_size: {size} is beyond the log's {store.leaf_count()} leaves")


def root_at(store: NodeStore, size: int) -> bytes:
    """MTH of the first `size` leaves (SHA-256(b"") for 0); ≤ log2(size)+1 node reads."""
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    _check_size(store, size)
    return _span_hashes(store, [(0, size)])[0] if size else EMPTY_ROOT


def _path_spans(m: int, lo: int, hi: int) -> list[Span]:
    if hi - lo == 1:
        return []
    k = split_point(hi - lo)
    if m < k:
        return [*_path_spans(m, lo, lo + k), (lo + k, hi)]
    return [*_path_spans(m - k, lo + k, hi), (lo, lo + k)]


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[0:size]) from stored nodes; raises EntryNotInLog when out of range."""
    if not 0 <= index < size:
        raise EntryNotInLog(f"sequence: {index} is not in a tree of size {size}")
    _check_size(store, size)
    return _span_hashes(store, _path_spans(index, 0, size))


def _subproof_spans(m: int, lo: int, hi: int, *, complete: bool) -> list[Span]:
    if m == hi - lo:
        return [] if complete else [(lo, hi)]
    k = split_point(hi - lo)
    if m <= k:
        return [*_subproof_spans(m, lo, lo + k, complete=complete), (lo + k, hi)]
    return [*_subproof_spans(m - k, lo + k, hi, complete=False), (lo, lo + k)]


def consistency_proof(store: NodeStore, old_size: int, new_size: int) -> list[bytes]:
    """RFC 6962 PROOF(old_size, D[0:new_size]) from stored nodes (0 < old_size ≤ new_size)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"need 0 < old_size ({old_size}) <= new_size ({new_size})")
    _check_size(store, new_size)
    return _span_hashes(store, _subproof_spans(old_size, 0, new_size, complete=True))
