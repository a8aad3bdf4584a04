"""Ports the audit context needs from storage. Adapters: `adapters/storage/audit_store.py`
(SQLAlchemy, inside the caller's transaction) and `audit.memory` (in-memory, for tests).

A node is keyed by `(level, position)`: the hash of the perfect subtree over leaves
[position·2^level, (position+1)·2^level). Level 0 holds the leaf hashes. Only complete perfect
subtrees are stored, so a stored node never changes once written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Protocol

from creditfactory.audit.leaf import AuditRecord

__all__ = ["AuditStore", "EntryStore", "NodeKey", "NodeStore"]

NodeKey = tuple[int, int]


class NodeStore(Protocol):
    """Stored Merkle subtree hashes of an append-only log."""

    def leaf_count(self) -> int:
        """Number of leaves stored (= the current tree size)."""
        ...

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hashes stored under `keys` (one storage round trip); absent keys are left out."""
        ...

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None:
        """Store new nodes; a key already present is an error of the adapter (never overwrite)."""
        ...

    def iter_level(self, level: int) -> Iterator[tuple[int, bytes]]:
        """Every stored (position, hash) at `level`, ascending position (for full verification)."""
        ...


class EntryStore(Protocol):
    """Stored audit records (the rows behind the leaves)."""

    def put_records(self, records: Sequence[AuditRecord]) -> None:
        """Store records (sequences are new)."""
        ...

    def get_record(self, sequence: int) -> AuditRecord | None:
        """The record at `sequence`, or None."""
        ...

    def iter_records(self) -> Iterator[AuditRecord]:
        """Every stored record, ascending sequence (for full verification)."""
        ...


class AuditStore(NodeStore, EntryStore, Protocol):
    """Both halves, as one transaction-bound store."""

    def lock_for_append(self) -> None:
        """Serialise appenders until the caller's transaction ends (no-op where the database
        already does, e.g. SQLite's single writer)."""
        ...
