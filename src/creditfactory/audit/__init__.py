"""audit — the append-only, tamper-evident evidence log (RFC 6962 / RFC 9162 Merkle tree).

Every state change appends one leaf (`AuditEntry` → canonical JSON) in the same transaction as
the change. Tree heads (size, root, time) are signed with Ed25519 and can be published; inclusion
and consistency proofs are checked offline by anyone with the public key.

Modules:
    merkle     hashing, MTH, reference proofs, and the verifiers (never trust a proof unchecked)
    leaf       AuditEntry / AuditRecord and the canonical JSON leaf format
    ports      NodeStore / EntryStore / AuditStore protocols (storage lives in adapters)
    tree       storage-backed tree: append, roots and proofs from O(log n) stored subtree hashes
    log        use cases: append (inside the caller's transaction), heads, prove
    tree_head  TreeHead / SignedTreeHead and Ed25519 signing
    bundle     offline proof bundles and their checker
    verify     full verification, naming the first tampered entry; business-row digesters
    memory     in-memory AuditStore for tests and benches
    errors     the context's error tree
"""

from creditfactory.audit.bundle import BUNDLE_FORMAT, BundleCheck, check_bundle, make_bundle
from creditfactory.audit.errors import (
    AuditError,
    BadAuditEntry,
    BadTreeHead,
    EntryNotInLog,
    NonCanonicalPayload,
    SigningKeyUnavailable,
)
from creditfactory.audit.leaf import AuditEntry, AuditRecord, canonical_json, sha256_hex
from creditfactory.audit.log import InclusionProof, append, current_head, prove, signed_head
from creditfactory.audit.memory import InMemoryAuditStore
from creditfactory.audit.ports import AuditStore, EntryStore, NodeKey, NodeStore
from creditfactory.audit.tree_head import (
    SignedTreeHead,
    TreeHead,
    key_id,
    sign_tree_head,
    verify_tree_head,
)
from creditfactory.audit.verify import (
    DigesterRegistry,
    Finding,
    RowDigester,
    VerifyReport,
    verify_log,
)

__all__ = [
    "BUNDLE_FORMAT",
    "AuditEntry",
    "AuditError",
    "AuditRecord",
    "AuditStore",
    "BadAuditEntry",
    "BadTreeHead",
    "BundleCheck",
    "DigesterRegistry",
    "EntryNotInLog",
    "EntryStore",
    "Finding",
    "InMemoryAuditStore",
    "InclusionProof",
    "NodeKey",
    "NodeStore",
    "NonCanonicalPayload",
    "RowDigester",
    "SignedTreeHead",
    "SigningKeyUnavailable",
    "TreeHead",
    "VerifyReport",
    "append",
    "canonical_json",
    "check_bundle",
    "current_head",
    "key_id",
    "make_bundle",
    "prove",
    "sha256_hex",
    "sign_tree_head",
    "signed_head",
    "verify_log",
    "verify_tree_head",
]
