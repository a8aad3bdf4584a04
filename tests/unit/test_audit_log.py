"""The log use cases and full verification over the in-memory store: appends, heads, and
tampering of rows, nodes, history and business rows, each named by sequence."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditfactory import audit
from creditfactory.audit import AuditEntry, AuditRecord, DigesterRegistry, merkle

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _entries(start: int, count: int) -> list[AuditEntry]:
    return [
        AuditEntry("user_1", "loan.disbursed", f"loan_{i}", {"amount_minor": 100 * i}, AT)
        for i in range(start, start + count)
    ]


@pytest.fixture
def store() -> audit.InMemoryAuditStore:
    s = audit.InMemoryAuditStore()
    for start in range(0, 40, 8):
        audit.append(s, _entries(start, 8))
    return s


def test_public_surface_is_pinned() -> None:
    assert set(audit.__all__) == {
        "BUNDLE_FORMAT", "AuditEntry", "AuditError", "AuditRecord", "AuditStore", "BadAuditEntry",
        "BadTreeHead", "BundleCheck", "DigesterRegistry", "EntryNotInLog", "EntryStore", "Finding",
        "InMemoryAuditStore", "InclusionProof", "NodeKey", "NodeStore", "NonCanonicalPayload",
        "RowDigester", "SignedTreeHead", "SigningKeyUnavailable", "TreeHead", "VerifyReport",
        "append", "canonical_json", "check_bundle", "current_head", "key_id", "make_bundle",
        "prove", "sha256_hex", "sign_tree_head", "signed_head", "verify_log", "verify_tree_head",
    }  # fmt: skip


def test_append_numbers_leaves_and_matches_reference_root(store: audit.InMemoryAuditStore) -> None:
    records = [store.records[i] for i in range(40)]
    assert [r.sequence for r in records] == list(range(40))
    head = audit.current_head(store, AT)
    assert head.tree_size == 40
    assert head.root_hash == merkle.root([r.leaf_data() for r in records])
    assert audit.append(store, []) == []


def test_prove_and_errors(store: audit.InMemoryAuditStore) -> None:
    proof = audit.prove(store, 17, 30)
    head = audit.current_head(store, AT)
    assert not merkle.verify_inclusion(17, 30, proof.leaf_hash, proof.path, head.root_hash)
    root_30 = merkle.root([store.records[i].leaf_data() for i in range(30)])
    assert merkle.verify_inclusion(17, 30, proof.leaf_hash, proof.path, root_30)
    with pytest.raises(audit.EntryNotInLog):
        audit.prove(store, 40)
    with pytest.raises(audit.EntryNotInLog):
        audit.prove(store, 3, 41)


def test_clean_log_verifies(store: audit.InMemoryAuditStore) -> None:
    key = Ed25519PrivateKey.generate()
    early = audit.sign_tree_head(
        audit.TreeHead(13, audit.current_head(store, AT).root_hash, AT), key
    )
    assert not audit.verify_log(store, since_head=early, public_key=key.public_key()).ok
    sth = audit.signed_head(store, AT, key)
    audit.append(store, _entries(40, 5))
    report = audit.verify_log(store, since_head=sth, public_key=key.public_key())
    assert report.ok, report.findings
    assert report.tree_size == 45
    assert report.first_tampered is None


def _edit(store: audit.InMemoryAuditStore, sequence: int, **changes: object) -> None:
    store.records[sequence] = dataclasses.replace(store.records[sequence], **changes)  # type: ignore[arg-type]


def test_edited_row_is_named(store: audit.InMemoryAuditStore) -> None:
    _edit(store, 21, actor="someone_else")
    _edit(store, 30, subject="loan_x")
    report = audit.verify_log(store)
    assert report.first_tampered == 21
    assert [(f.sequence, f.kind) for f in report.findings] == [
        (21, "entry_edited"),
        (30, "entry_edited"),
    ]


def test_edited_payload_is_named(store: audit.InMemoryAuditStore) -> None:
    _edit(store, 5, payload_json='{"amount_minor":1}')
    report = audit.verify_log(store)
    assert report.first_tampered == 5
    assert report.findings[0].kind == "payload_edited"


def test_deleted_row_is_named(store: audit.InMemoryAuditStore) -> None:
    del store.records[11]
    assert audit.verify_log(store).findings[0] == audit.Finding(
        11, "entry_deleted", "leaf has no row"
    )


def test_edited_node_is_named(store: audit.InMemoryAuditStore) -> None:
    store.nodes[(2, 3)] = b"\x00" * 32  # covers leaves 12..15
    report = audit.verify_log(store)
    assert report.first_tampered == 12
    assert report.findings[0].kind == "node_edited"


def test_rewritten_history_fails_the_signed_head(store: audit.InMemoryAuditStore) -> None:
    """Rows AND nodes rewritten consistently: only the earlier signed head catches it."""
    key = Ed25519PrivateKey.generate()
    sth = audit.signed_head(store, AT, key)
    forged = audit.InMemoryAuditStore()
    records = [store.records[i] for i in range(40)]
    records[3] = dataclasses.replace(records[3], actor="mallory")
    forged.put_records(records)
    from creditfactory.audit import tree

    tree.append_leaf_hashes(forged, 0, [merkle.leaf_hash(r.leaf_data()) for r in records])
    assert audit.verify_log(forged).ok
    report = audit.verify_log(forged, since_head=sth, public_key=key.public_key())
    assert {f.kind for f in report.findings} == {"history_rewritten", "inconsistent_with_head"}
    forged_head = audit.sign_tree_head(sth.head, Ed25519PrivateKey.generate())
    bad_sig = audit.verify_log(forged, since_head=forged_head, public_key=key.public_key())
    assert bad_sig.findings[0].kind == "head_signature"


def test_truncated_log_fails_the_signed_head(store: audit.InMemoryAuditStore) -> None:
    key = Ed25519PrivateKey.generate()
    sth = audit.signed_head(store, AT, key)
    shorter = audit.InMemoryAuditStore()
    audit.append(shorter, _entries(0, 30))
    report = audit.verify_log(shorter, since_head=sth, public_key=key.public_key())
    assert report.findings[0].kind == "log_truncated" and report.first_tampered == 30


def test_row_digesters_name_edited_business_rows(store: audit.InMemoryAuditStore) -> None:
    """A toy 'loans' table: its rows were the payloads; editing one is caught via the leaf."""
    loans = {f"loan_{i}": {"amount_minor": 100 * i} for i in range(40)}
    loans["loan_7"]["amount_minor"] = 1
    del loans["loan_9"]

    def digest(record: AuditRecord) -> str | None:
        row = loans.get(record.subject)
        return None if row is None else audit.sha256_hex(audit.canonical_json(row))

    registry = DigesterRegistry()
    registry.register("loan.disbursed", digest)
    with pytest.raises(ValueError):
        registry.register("loan.disbursed", digest)
    report = audit.verify_log(store, digesters=registry)
    assert [(f.sequence, f.kind) for f in report.findings] == [
        (7, "row_edited"),
        (9, "row_missing"),
    ]


def test_latest_per_subject_digesters_check_only_the_newest_leaf() -> None:
    store = audit.InMemoryAuditStore()
    audit.append(
        store, [AuditEntry("u", "limit.set", "fac_1", {"limit": v}, AT) for v in (1, 2, 3)]
    )
    registry = DigesterRegistry()
    registry.register(
        "limit.set", lambda r: audit.sha256_hex('{"limit":3}'), latest_per_subject=True
    )
    assert audit.verify_log(store, digesters=registry).ok
