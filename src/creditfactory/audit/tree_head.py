"""Tree heads (size, root, time) and their Ed25519 signatures.

The signed message is the domain-separation line `creditfactory-audit-tree-head/1` and a newline,
then the canonical JSON {"root_hash":<hex>,"timestamp":<UTC ISO Z>,"tree_size":<int>} in UTF-8.
Signatures are Ed25519 (RFC 8032) via `cryptography`; `key_id` is the SHA-256 hex of the raw
32-byte public key, a hint for choosing the key, not part of what is signed.

JSON form of a signed head (what `creditfactory audit head` prints and bundles carry):
    {"format":"creditfactory-audit-sth/1","tree_size":…,"root_hash":<64 hex>,
     "timestamp":"…Z","algorithm":"Ed25519","key_id":<64 hex>,"signature":<128 hex>}
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from creditfactory.audit.errors import BadAuditEntry, BadTreeHead
from creditfactory.audit.leaf import canonical_json, format_time, parse_time
from creditfactory.audit.merkle import HASH_SIZE

__all__ = [
    "STH_FORMAT",
    "SignedTreeHead",
    "TreeHead",
    "key_id",
    "sign_tree_head",
    "verify_tree_head",
]

STH_FORMAT = "creditfactory-audit-sth/1"
_DOMAIN = b"creditfactory-audit-tree-head/1\n"
_SIGNATURE_SIZE = 64


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The log's state: `tree_size` leaves with MTH `root_hash` (32 bytes), as of `timestamp`."""

    tree_size: int
    root_hash: bytes
    timestamp: datetime

    def message(self) -> bytes:
        """The exact bytes that are signed (see module docstring)."""
        body = {
            "root_hash": self.root_hash.hex(),
            "timestamp": format_time(self.timestamp),
            "tree_size": self.tree_size,
        }
        return _DOMAIN + canonical_json(body).encode("utf-8")


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """A tree head with its Ed25519 signature and the signer's key id."""

    head: TreeHead
    signature: bytes
    key_id: str

    def to_json(self) -> dict[str, Any]:
        """The JSON object form (module docstring)."""
        return {
            "format": STH_FORMAT,
            "tree_size": self.head.tree_size,
            "root_hash": self.head.root_hash.hex(),
            "timestamp": format_time(self.head.timestamp),
            "algorithm": "Ed25519",
            "key_id": self.key_id,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, data: Any) -> SignedTreeHead:
        """Parse the JSON object form; raises BadTreeHead naming the first bad field."""
        if not isinstance(data, Mapping):
            raise BadTreeHead("signed_tree_head: must be a JSON object")
        if data.get("format") != STH_FORMAT or data.get("algorithm") != "Ed25519":
            raise BadTreeHead(f"signed_tree_head.format: must be {STH_FORMAT} with Ed25519")
        size = data.get("tree_size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BadTreeHead("signed_tree_head.tree_size: must be an integer >= 0")
        try:
            timestamp = parse_time(str(data.get("timestamp")))
        except BadAuditEntry as exc:
            raise BadTreeHead(f"signed_tree_head.{exc}") from exc
        head = TreeHead(size, hex_field(data, "root_hash", HASH_SIZE), timestamp)
        signature = hex_field(data, "signature", _SIGNATURE_SIZE)
        return cls(head, signature, hex_field(data, "key_id", HASH_SIZE).hex())


def hex_field(data: Mapping[str, Any], name: str, size: int) -> bytes:
    """`data[name]` decoded from lowercase hex of exactly `size` bytes; raises BadTreeHead."""
    value = data.get(name)
    if not isinstance(value, str) or len(value) != 2 * size or value != value.lower():
        raise BadTreeHead(f"{name}: must be {2 * size} lowercase hex characters")
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise BadTreeHead(f"{name}: must be {2 * size} lowercase hex characters") from exc


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 hex of the raw 32-byte Ed25519 public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign_tree_head(head: TreeHead, private_key: Ed25519PrivateKey) -> SignedTreeHead:
    """Sign `head` with `private_key`."""
    signature = private_key.sign(head.message())
    return SignedTreeHead(head, signature, key_id(private_key.public_key()))


def verify_tree_head(signed: SignedTreeHead, public_key: Ed25519PublicKey) -> bool:
    """True iff `signed.signature` is `public_key`'s Ed25519 signature over the head's message."""
    try:
        public_key.verify(signed.signature, signed.head.message())
    except InvalidSignature:
        return False
    return True
