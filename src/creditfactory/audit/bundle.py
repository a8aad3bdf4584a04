"""Offline proof bundles: one audit entry with everything needed to check it without the database.

Bundle JSON (`creditfactory audit bundle ENTRY`):
    {"format":"creditfactory-audit-bundle/1","sequence":<leaf index>,
     "leaf":<leaf data, the canonical JSON text>,"payload":<canonical payload JSON text>,
     "inclusion_proof":[<64 hex>, …],"signed_tree_head":{…see tree_head…}}

`check_bundle` verifies, in order: the head's Ed25519 signature under the given public key; the
leaf names the same sequence; SHA-256(payload) equals the leaf's payload_digest; and the inclusion
proof takes SHA-256(0x00 ‖ leaf) at that index to the signed root. Malformed documents raise
BadTreeHead (bad input); a well-formed bundle that fails a check returns a reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from creditfactory.audit.errors import BadTreeHead
from creditfactory.audit.leaf import AuditRecord, sha256_hex
from creditfactory.audit.log import InclusionProof
from creditfactory.audit.merkle import HASH_SIZE, leaf_hash, verify_inclusion
from creditfactory.audit.tree_head import SignedTreeHead, hex_field, key_id, verify_tree_head

__all__ = ["BUNDLE_FORMAT", "BundleCheck", "check_bundle", "make_bundle"]

BUNDLE_FORMAT = "creditfactory-audit-bundle/1"


def make_bundle(record: AuditRecord, proof: InclusionProof, head: SignedTreeHead) -> dict[str, Any]:
    """The bundle for `record`, proven by `proof` against the signed `head` (same tree size)."""
    if proof.tree_size != head.head.tree_size or proof.sequence != record.sequence:
        raise ValueError("proof, record and head disagree on sequence or tree size")
    return {
        "format": BUNDLE_FORMAT,
        "sequence": record.sequence,
        "leaf": record.leaf_data().decode("utf-8"),
        "payload": record.payload_json,
        "inclusion_proof": [h.hex() for h in proof.path],
        "signed_tree_head": head.to_json(),
    }


@dataclass(frozen=True, slots=True)
class BundleCheck:
    """Outcome of `check_bundle`: `valid`, and `reason` saying what failed (or what held)."""

    valid: bool
    reason: str


def _parse(doc: Any) -> tuple[int, str, str, list[bytes], SignedTreeHead]:
    if not isinstance(doc, Mapping) or doc.get("format") != BUNDLE_FORMAT:
        raise BadTreeHead(f"format: must be {BUNDLE_FORMAT}")
    sequence = doc.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise BadTreeHead("sequence: must be an integer >= 0")
    leaf, payload, path = doc.get("leaf"), doc.get("payload"), doc.get("inclusion_proof")
    if not isinstance(leaf, str) or not isinstance(payload, str):
        raise BadTreeHead("leaf, payload: must be JSON text strings")
    if not isinstance(path, list):
        raise BadTreeHead("inclusion_proof: must be a list of hex hashes")
    proof = [hex_field({"inclusion_proof[]": h}, "inclusion_proof[]", HASH_SIZE) for h in path]
    return sequence, leaf, payload, proof, SignedTreeHead.from_json(doc.get("signed_tree_head"))


def check_bundle(doc: Any, public_key: Ed25519PublicKey) -> BundleCheck:
    """Verify a bundle offline (module docstring); raises BadTreeHead when it is malformed."""
    sequence, leaf, payload, proof, sth = _parse(doc)
    if not verify_tree_head(sth, public_key):
        other = "" if sth.key_id == key_id(public_key) else " (signed by another key)"
        return BundleCheck(False, f"tree head signature is invalid{other}")
    try:
        leaf_object = json.loads(leaf)
    except ValueError:
        return BundleCheck(False, "leaf is not JSON")
    if not isinstance(leaf_object, dict) or leaf_object.get("sequence") != sequence:
        return BundleCheck(False, f"leaf does not name sequence {sequence}")
    if leaf_object.get("payload_digest") != sha256_hex(payload):
        return BundleCheck(False, "payload does not match the leaf's payload_digest")
    head = sth.head
    if not verify_inclusion(
        sequence, head.tree_size, leaf_hash(leaf.encode("utf-8")), proof, head.root_hash
    ):
        return BundleCheck(False, f"inclusion proof fails for sequence {sequence}")
    return BundleCheck(True, f"entry {sequence} is in the signed tree of size {head.tree_size}")
