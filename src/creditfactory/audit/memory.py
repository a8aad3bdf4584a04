"""An in-memory `AuditStore`: the same contract as the SQL adapter, for tests, demos and benches.

Counts storage reads (`get_nodes` calls and nodes returned) so tests can pin the O(log n) claim.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence

from creditfactory.audit.errors import AuditError
from creditfactory.audit.leaf import AuditRecord
from creditfactory.audit.ports import NodeKey

__all__ = ["InMemoryAuditStore"]


class InMemoryAuditStore:
    """Dict-backed nodes and records; refuses to overwrite either, like the database's keys."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}
        self.records: dict[int, AuditRecord] = {}
        self._leaves = 0
        self.node_reads = 0
        self.read_calls = 0

    def lock_for_append(self) -> None:
        """Nothing to lock in one process."""

    def leaf_count(self) -> int:
        """Number of level-0 nodes."""
        return self._leaves

    def get_nodes(self, keys: Collection[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The stored subset of `keys`; counts one read call and the nodes returned."""
        self.read_calls += 1
        found = {key: self.nodes[key] for key in keys if key in self.nodes}
        self.node_reads += len(found)
        return found

    def put_nodes(self, nodes: Mapping[NodeKey, bytes]) -> None:
        """Add nodes; raises AuditError on a key already present."""
        clash = self.nodes.keys() & nodes.keys()
        if clash:
            raise AuditError(f"audit nodes already stored: {sorted(clash)[:3]}")
        self.nodes.update(nodes)
        self._leaves += sum(1 for level, _ in nodes if level == 0)

    def iter_level(self, level: int) -> Iterator[tuple[int, bytes]]:
        """(position, hash) at `level`, ascending."""
        for key in sorted(k for k in self.nodes if k[0] == level):
            yield key[1], self.nodes[key]

    def put_records(self, records: Sequence[AuditRecord]) -> None:
        """Add records; raises AuditError on a sequence already present."""
        for record in records:
            if record.sequence in self.records:
                raise AuditError(f"audit entry {record.sequence} already stored")
            self.records[record.sequence] = record

    def get_record(self, sequence: int) -> AuditRecord | None:
        """The record at `sequence`, or None."""
        return self.records.get(sequence)

    def iter_records(self) -> Iterator[AuditRecord]:
        """Records in ascending sequence."""
        for sequence in sorted(self.records):
            yield self.records[sequence]
