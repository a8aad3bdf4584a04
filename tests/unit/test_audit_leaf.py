"""Leaf format, canonical JSON, signed tree heads and offline bundles."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditfactory import audit
from creditfactory.audit import (
    AuditEntry,
    AuditRecord,
    BadAuditEntry,
    BadTreeHead,
    NonCanonicalPayload,
    SignedTreeHead,
    TreeHead,
)

AT = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8)))


def _entry(**overrides: Any) -> AuditEntry:
    fields: dict[str, Any] = {
        "actor": "user_000001",
        "action": "ledger.entry_posted",
        "subject": "je_000042",
        "payload": {"amount_minor": 500000, "memo": "放款", "legs": [{"dr": "1301"}]},
        "recorded_at": AT,
    }
    return AuditEntry(**{**fields, **overrides})


def test_leaf_is_canonical_json_written_out() -> None:
    payload_text = '{"amount_minor":500000,"legs":[{"dr":"1301"}],"memo":"放款"}'
    digest = hashlib.sha256(payload_text.encode("utf-8")).hexdigest()
    record = AuditRecord.from_entry(7, _entry())
    assert record.payload_json == payload_text
    assert record.payload_digest == digest
    assert (
        record.leaf_data()
        == (
            '{"action":"ledger.entry_posted","actor":"user_000001",'
            f'"payload_digest":"{digest}","prev_state_digest":null,"sequence":7,'
            '"subject":"je_000042","time":"2026-03-01T01:30:00.123456Z"}'
        ).encode()
    )


def test_prev_state_digest_is_carried() -> None:
    prev = "ab" * 32
    assert (
        f'"prev_state_digest":"{prev}"'
        in AuditRecord.from_entry(0, _entry(prev_state_digest=prev)).leaf_data().decode()
    )


@pytest.mark.parametrize(
    "payload",
    [{"rate": 0.0435}, {"x": float("nan")}, {1: "int key"}, {"b": b"bytes"}, {"s": {1, 2}}],
    ids=["float", "nan", "int-key", "bytes", "set"],
)
def test_non_canonical_payloads_are_refused(payload: dict[Any, Any]) -> None:
    with pytest.raises(NonCanonicalPayload):
        _entry(payload=payload)


@pytest.mark.parametrize(
    "overrides",
    [
        {"recorded_at": datetime(2026, 3, 1)},
        {"actor": ""},
        {"action": "x" * 101},
        {"prev_state_digest": "ABC"},
    ],
    ids=["naive-time", "empty-actor", "long-action", "bad-prev-digest"],
)
def test_bad_entry_fields_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(BadAuditEntry):
        _entry(**overrides)


def test_canonical_json_sorts_keys_and_keeps_unicode() -> None:
    assert (
        audit.canonical_json({"b": 1, "a": [True, None, "小微"]})
        == '{"a":[true,null,"小微"],"b":1}'
    )


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_signed_head_round_trips_and_verifies(key: Ed25519PrivateKey) -> None:
    head = TreeHead(3, b"\x11" * 32, datetime(2026, 1, 1, tzinfo=UTC))
    signed = audit.sign_tree_head(head, key)
    again = SignedTreeHead.from_json(signed.to_json())
    assert again == signed
    assert audit.verify_tree_head(again, key.public_key())
    assert not audit.verify_tree_head(again, Ed25519PrivateKey.generate().public_key())
    for field, value in (
        ("tree_size", 4),
        ("root_hash", "22" * 32),
        ("timestamp", "2026-01-02T00:00:00.000000Z"),
    ):
        forged = SignedTreeHead.from_json({**signed.to_json(), field: value})
        assert not audit.verify_tree_head(forged, key.public_key()), field


@pytest.mark.parametrize(
    "field,value",
    [
        ("tree_size", -1),
        ("root_hash", "zz" * 32),
        ("signature", "00"),
        ("format", "x"),
        ("timestamp", "2026"),
    ],
)
def test_malformed_heads_are_bad_input(key: Ed25519PrivateKey, field: str, value: Any) -> None:
    signed = audit.sign_tree_head(TreeHead(1, b"\x11" * 32, datetime(2026, 1, 1, tzinfo=UTC)), key)
    with pytest.raises(BadTreeHead):
        SignedTreeHead.from_json({**signed.to_json(), field: value})


def _bundle(key: Ed25519PrivateKey) -> dict[str, Any]:
    store = audit.InMemoryAuditStore()
    entries = [_entry(subject=f"je_{i:06d}", payload={"n": i}) for i in range(13)]
    audit.append(store, entries)
    sth = audit.signed_head(store, datetime(2026, 3, 2, tzinfo=UTC), key)
    record = store.get_record(9)
    assert record is not None
    return audit.make_bundle(record, audit.prove(store, 9), sth)


def test_bundle_checks_offline(key: Ed25519PrivateKey) -> None:
    result = audit.check_bundle(_bundle(key), key.public_key())
    assert result.valid, result.reason


def _tamper(doc: dict[str, Any], how: str) -> None:
    if how == "leaf":
        doc["leaf"] = doc["leaf"].replace("je_000009", "je_000010")
    elif how == "payload":
        doc["payload"] = '{"n":10}'
    elif how == "sequence":
        doc["sequence"] = 8
    elif how == "proof":
        doc["inclusion_proof"][1] = "00" * 32
    elif how == "extra":
        doc["inclusion_proof"].append("00" * 32)
    elif how == "root":
        doc["signed_tree_head"]["root_hash"] = "00" * 32
    elif how == "size":
        doc["signed_tree_head"]["tree_size"] = 14


@pytest.mark.parametrize("how", ["leaf", "payload", "sequence", "proof", "extra", "root", "size"])
def test_tampered_bundles_are_invalid(key: Ed25519PrivateKey, how: str) -> None:
    doc = copy.deepcopy(_bundle(key))
    _tamper(doc, how)
    result = audit.check_bundle(doc, key.public_key())
    assert not result.valid
    assert result.reason


def test_bundle_under_another_key_is_invalid(key: Ed25519PrivateKey) -> None:
    result = audit.check_bundle(_bundle(key), Ed25519PrivateKey.generate().public_key())
    assert not result.valid and "another key" in result.reason


@pytest.mark.parametrize("broken", [[], {"format": "x"}, {"format": audit.BUNDLE_FORMAT}])
def test_malformed_bundles_raise(key: Ed25519PrivateKey, broken: Any) -> None:
    with pytest.raises(BadTreeHead):
        audit.check_bundle(broken, key.public_key())
