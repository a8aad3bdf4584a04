"""Full verification of a stored log: recompute every leaf and node, compare, and name entries.

Checks, each producing `Finding`s (collected, not raised):
  1. rows → leaves: every stored row's payload digest is SHA-256 of its payload text, and its
     recomputed leaf hash equals the stored level-0 node (edited / deleted / orphan rows);
  2. leaves → nodes: every stored interior node equals the hash of its children, every complete
     subtree is stored, nothing extra (an edited node would make served proofs lie);
  3. an earlier signed head (optional): its signature, that the log did not shrink, that the
     row-derived tree of its size has its root, and a consistency proof from the stored nodes;
  4. business rows (optional): registered row digesters recompute the digest of the journal
     entry, decision record, … a leaf names, and compare it with the leaf's payload_digest;
     registered covered tables are compared, row by row and field by field, with the newest
     leaf that wrote each row (`audit.rows`), and rows no leaf wrote are named.
`VerifyReport.first_tampered` is the smallest sequence any finding names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from creditfactory.audit import tree
from creditfactory.audit.errors import AuditError
from creditfactory.audit.leaf import AuditRecord, canonical_json, sha256_hex
from creditfactory.audit.merkle import leaf_hash, node_hash, root_of_hashes, verify_consistency
from creditfactory.audit.ports import AuditStore
from creditfactory.audit.rows import EVIDENCE_KEY, CoveredTable, RowLedger, without_evidence
from creditfactory.audit.tree_head import SignedTreeHead, verify_tree_head

__all__ = ["DigesterRegistry", "Finding", "RowDigester", "VerifyReport", "verify_log"]

RowDigester = Callable[[AuditRecord], str | None]
"""Given an audit record, the sha256 hex of the business row it names as it is NOW (computed the
way the leaf's payload was), or None when that row no longer exists."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong: `kind` (e.g. "entry_edited"), the `sequence` it names (None when the
    damage cannot be placed on one entry) and a human `detail`."""

    sequence: int | None
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of `verify_log` over `tree_size` leaves whose row-derived root is `root_hash`."""

    tree_size: int
    root_hash: bytes
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    @property
    def first_tampered(self) -> int | None:
        """Smallest sequence named by a finding, or None."""
        named = [f.sequence for f in self.findings if f.sequence is not None]
        return min(named) if named else None


@dataclass
class DigesterRegistry:
    """Row digesters by audit action. With `latest_per_subject`, only the newest leaf of each
    subject for that action is compared (for rows whose state legitimately moves on). Covered
    tables (`register_table`) are checked against the row evidence of every leaf."""

    _by_action: dict[str, tuple[RowDigester, bool]] = field(default_factory=dict)
    _tables: dict[str, CoveredTable] = field(default_factory=dict)

    def register_table(self, table: CoveredTable) -> None:
        """Compare every row of `table` with the newest leaf that wrote it; raises ValueError
        on a duplicate."""
        if table.name in self._tables:
            raise ValueError(f"table {table.name!r} is already covered")
        self._tables[table.name] = table

    def register(
        self, action: str, digester: RowDigester, *, latest_per_subject: bool = False
    ) -> None:
        """Compare leaves with `action` against `digester`; raises ValueError on a duplicate."""
        if action in self._by_action:
            raise ValueError(f"a row digester for {action!r} is already registered")
        self._by_action[action] = (digester, latest_per_subject)

    def check(
        self,
        records: Iterator[AuditRecord],
        lookup: Callable[[int], AuditRecord | None] = lambda _: None,
    ) -> Iterator[Finding]:
        """Findings for the records whose action has a digester, then for the covered tables
        (`lookup` reads a record by sequence, to name the edited fields)."""
        latest: dict[tuple[str, str], AuditRecord] = {}
        ledger = RowLedger()
        for record in records:
            ledger.replay(record)
            entry = self._by_action.get(record.action)
            if entry is None:
                continue
            if entry[1]:
                latest[(record.action, record.subject)] = record
            else:
                yield from _compare_row(entry[0], record)
        for record in sorted(latest.values(), key=lambda r: r.sequence):
            yield from _compare_row(self._by_action[record.action][0], record)
        yield from ledger.compare(list(self._tables.values()), lookup, Finding)


def _row_digest(record: AuditRecord) -> str:
    """What a payload-is-the-row digester must reproduce: the payload digest, less the row
    evidence block when the leaf carries one."""
    if f'"{EVIDENCE_KEY}":' not in record.payload_json:
        return record.payload_digest
    return sha256_hex(canonical_json(without_evidence(json.loads(record.payload_json))))


def _compare_row(digester: RowDigester, record: AuditRecord) -> Iterator[Finding]:
    current = digester(record)
    if current is None:
        yield Finding(record.sequence, "row_missing", f"{record.subject}: row is gone")
    elif current != _row_digest(record):
        yield Finding(record.sequence, "row_edited", f"{record.subject}: row differs from leaf")


def _check_rows(
    store: AuditStore, stored: list[bytes], findings: list[Finding], digesters: DigesterRegistry
) -> list[bytes]:
    """Check 1 (and feed check 4); returns the row-derived leaf hashes (stored hash for a
    missing row, so later checks still run)."""
    derived = list(stored)
    seen = [False] * len(stored)

    def rows() -> Iterator[AuditRecord]:
        for record in store.iter_records():
            seq = record.sequence
            if sha256_hex(record.payload_json) != record.payload_digest:
                findings.append(Finding(seq, "payload_edited", "payload text ≠ payload_digest"))
            if not 0 <= seq < len(stored):
                findings.append(Finding(seq, "entry_orphan", "row has no leaf in the tree"))
                continue
            seen[seq] = True
            derived[seq] = leaf_hash(record.leaf_data())
            if derived[seq] != stored[seq]:
                findings.append(Finding(seq, "entry_edited", "row's leaf hash ≠ stored leaf"))
            yield record

    findings.extend(digesters.check(rows(), store.get_record))
    findings.extend(
        Finding(seq, "entry_deleted", "leaf has no row") for seq, ok in enumerate(seen) if not ok
    )
    return derived


def _stored_leaves(store: AuditStore, size: int, findings: list[Finding]) -> list[bytes]:
    leaves: list[bytes] = []
    for position, digest in store.iter_level(0):
        if position != len(leaves):
            findings.append(Finding(len(leaves), "leaf_missing", f"leaves jump to {position}"))
            return leaves
        leaves.append(digest)
    if len(leaves) != size:
        findings.append(Finding(None, "leaf_count", f"{len(leaves)} leaves, size {size}"))
    return leaves


def _check_nodes(
    store: AuditStore, leaves: list[bytes], bad_leaves: set[int], findings: list[Finding]
) -> None:
    """Check 2, level by level, against the tree recomputed from the stored leaves. A node whose
    subtree already holds a finding (an edited leaf, a lower edited node) is not reported again,
    so every finding names the lowest damage and its first entry."""
    below, level, explained = leaves, 1, set(bad_leaves)
    while len(below) > 1:
        expected = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        got = dict(store.iter_level(level))
        explained = {position >> 1 for position in explained}
        for position, digest in enumerate(expected):
            if got.get(position) != digest and position not in explained:
                explained.add(position)
                first = position << level
                findings.append(Finding(first, "node_edited", f"node ({level}, {position})"))
        if len(got) != len(expected):
            findings.append(Finding(None, "node_count", f"level {level}: {len(got)} stored"))
        below = expected
        level += 1


def _check_head(
    store: AuditStore,
    head: SignedTreeHead,
    public_key: Ed25519PublicKey | None,
    derived: list[bytes],
    findings: list[Finding],
) -> None:
    """Check 3 against an earlier signed head."""
    if public_key is not None and not verify_tree_head(head, public_key):
        findings.append(Finding(None, "head_signature", "earlier head's signature is invalid"))
        return
    old = head.head
    if old.tree_size > len(derived):
        findings.append(Finding(len(derived), "log_truncated", f"head has {old.tree_size}"))
        return
    if old.tree_size == 0:
        return
    if root_of_hashes(derived[: old.tree_size]) != old.root_hash:
        detail = f"entries before {old.tree_size} no longer hash to the signed root"
        findings.append(Finding(None, "history_rewritten", detail))
    size = store.leaf_count()
    try:
        proof = tree.consistency_proof(store, old.tree_size, size)
        new_root = tree.root_at(store, size)
    except AuditError as exc:
        findings.append(Finding(None, "inconsistent_with_head", str(exc)))
        return
    if not verify_consistency(old.tree_size, size, old.root_hash, new_root, proof):
        detail = "stored tree is not an extension of the signed head"
        findings.append(Finding(None, "inconsistent_with_head", detail))


def verify_log(
    store: AuditStore,
    *,
    since_head: SignedTreeHead | None = None,
    public_key: Ed25519PublicKey | None = None,
    digesters: DigesterRegistry | None = None,
) -> VerifyReport:
    """Run checks 1–4 (module docstring) over the whole store; reads every row and node once.

    Args:
        store: the audit store (read only).
        since_head: an earlier signed head the log must extend.
        public_key: checks `since_head`'s signature when given.
        digesters: business-row digesters to compare against leaves.
    """
    findings: list[Finding] = []
    size = store.leaf_count()
    stored = _stored_leaves(store, size, findings)
    derived = _check_rows(store, stored, findings, digesters or DigesterRegistry())
    bad_leaves = {i for i, (a, b) in enumerate(zip(stored, derived, strict=True)) if a != b}
    _check_nodes(store, stored, bad_leaves, findings)
    if since_head is not None:
        _check_head(store, since_head, public_key, derived, findings)
    findings.sort(key=lambda f: (f.sequence is None, f.sequence or 0))
    return VerifyReport(len(derived), root_of_hashes(derived), tuple(findings))
