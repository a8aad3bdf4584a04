"""The audit log's use cases over an `AuditStore`: append entries, read and sign the head, prove.

`append` is meant to run INSIDE the caller's database transaction, on a store bound to that
transaction: it writes the rows and nodes and never commits, so the audit leaf and the state
change it records commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditfactory.audit import tree
from creditfactory.audit.errors import EntryNotInLog
from creditfactory.audit.leaf import AuditEntry, AuditRecord
from creditfactory.audit.merkle import leaf_hash
from creditfactory.audit.ports import AuditStore, NodeStore
from creditfactory.audit.tree_head import SignedTreeHead, TreeHead, sign_tree_head

__all__ = ["FrontierCache", "InclusionProof", "append", "current_head", "prove", "signed_head"]


class FrontierCache(Protocol):
    """Where a store keeps the right frontier of a tree it has COMMITTED (see `append`).

    `get(size)` returns the frontier for a tree of `size` leaves or None; `put(size, frontier,
    last_leaf)` offers the frontier after an append, with the hash of leaf size-1 (the store
    decides when it may be trusted: only once the transaction that wrote it has committed, and
    only while its stored last leaf is that one, since the log is append-only)."""

    def get(self, size: int) -> tree.Frontier | None: ...
    def put(self, size: int, frontier: tree.Frontier, last_leaf: bytes) -> None: ...


def append(
    store: AuditStore, entries: Sequence[AuditEntry], cache: FrontierCache | None = None
) -> list[AuditRecord]:
    """Append `entries` in order as the next leaves; returns their records (with sequences).

    One lock, one leaf count, one frontier read (≤ log2 n + 1 nodes; none when `cache` holds
    the frontier for the current leaf count), then bulk writes: the records and about two nodes
    per entry. Never commits. Raises whatever the store raises on a concurrent appender (the
    primary keys on sequence and node refuse a fork).
    """
    if not entries:
        return []
    store.lock_for_append()
    size = store.leaf_count()
    records = [AuditRecord.from_entry(size + i, entry) for i, entry in enumerate(entries)]
    store.put_records(records)
    known = None if cache is None else cache.get(size)
    hashes = [leaf_hash(r.leaf_data()) for r in records]
    frontier = tree.append_leaf_hashes(store, size, hashes, known)
    if cache is not None:
        cache.put(size + len(records), frontier, hashes[-1])
    return records


def current_head(store: NodeStore, at: datetime) -> TreeHead:
    """The unsigned head of the whole log as of `at` (a time from the caller's Clock)."""
    size = store.leaf_count()
    return TreeHead(size, tree.root_at(store, size), at)


def signed_head(store: NodeStore, at: datetime, key: Ed25519PrivateKey) -> SignedTreeHead:
    """`current_head` signed with `key`."""
    return sign_tree_head(current_head(store, at), key)


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Leaf `sequence` with hash `leaf_hash` is in the tree of `tree_size` via `path`."""

    sequence: int
    tree_size: int
    leaf_hash: bytes
    path: list[bytes]


def prove(store: AuditStore, sequence: int, tree_size: int | None = None) -> InclusionProof:
    """Inclusion proof for leaf `sequence` against the tree of `tree_size` (default: all).

    Raises EntryNotInLog when the sequence is outside the tree.
    """
    size = store.leaf_count() if tree_size is None else tree_size
    if not 0 <= sequence < size:
        raise EntryNotInLog(f"sequence: {sequence} is not in a tree of size {size}")
    path = tree.inclusion_proof(store, sequence, size)
    stored_leaf = store.get_nodes([(0, sequence)])[(0, sequence)]
    return InclusionProof(sequence, size, stored_leaf, path)
