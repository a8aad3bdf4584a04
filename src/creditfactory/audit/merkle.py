"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verifiers, over in-memory leaves.

Owns: leaf and node hashing, the Merkle Tree Hash (MTH), inclusion and consistency proofs (the
reference implementation, built from the leaves) and the verifiers that every other part of the
audit context and every offline checker relies on.

Hashing (RFC 6962 §2.1, RFC 9162 §2.1.1): leaf hash = SHA-256(0x00 ‖ d), node hash =
SHA-256(0x01 ‖ left ‖ right), the empty tree hashes to SHA-256(b""), and a list of n > 1 leaves
splits at k, the largest power of two below n.

Verifier contract (the lesson of immudb GHSA-672p-m5jq-mrh8, whose verifier skipped part of a proof):
`verify_inclusion` and `verify_consistency` use every proof element, require the exact proof length
for the sizes given, require every element and the leaf hash to be 32 bytes, and return False —
never raise — for any bad proof, including negative or out-of-range sizes and indices. Only the
proof builders (`inclusion_proof`, `consistency_proof`) raise, with ValueError, on programmer
errors (an index or size outside the leaves given).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_of_hashes",
    "split_point",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data): the 32-byte hash of one leaf's data (RFC 6962 §2.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): the 32-byte hash of an interior node (RFC 6962 §2.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two strictly below n (n ≥ 2), where RFC 6962 splits n leaves."""
    if n < 2:  # noqa: PLR2004 - the RFC defines the split for n > 1 only
        raise ValueError(f"split_point needs n >= 2, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a tree given its leaf HASHES (not data); SHA-256(b"") for none.

    Pairs level by level and carries an unpaired last node up unchanged, which gives the same
    tree as splitting at the largest power of two (the left subtree is always perfect).
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the leaf DATA `leaves` (RFC 6962 §2.1); 32 bytes, SHA-256(b"") when empty."""
    return root_of_hashes([leaf_hash(d) for d in leaves])


def inclusion_proof(leaves: Sequence[bytes], index: int, tree_size: int) -> list[bytes]:
    """PATH(index, D[0:tree_size]) (RFC 6962 §2.1.1): the audit path, leaf level first.

    Args:
        leaves: leaf data; only the first `tree_size` are used.
        index: leaf index, 0 ≤ index < tree_size.
        tree_size: size of the tree the proof is for, ≤ len(leaves).
    Raises:
        ValueError: index or tree_size outside those bounds (a programmer error).
    """
    if not 0 <= index < tree_size <= len(leaves):
        raise ValueError(f"need 0 <= index ({index}) < tree_size ({tree_size}) <= {len(leaves)}")
    hashes = [leaf_hash(d) for d in leaves[:tree_size]]
    return _path(index, hashes)


def _path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    n = len(hashes)
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*_path(m, hashes[:k]), root_of_hashes(hashes[k:])]
    return [*_path(m - k, hashes[k:]), root_of_hashes(hashes[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) (RFC 6962 §2.1.2); empty when the sizes are equal.

    Raises:
        ValueError: unless 0 < old_size ≤ new_size ≤ len(leaves). A proof from the empty tree is
            not defined (RFC 9162 §2.1.4) and `verify_consistency` rejects one.
    """
    if not 0 < old_size <= new_size <= len(leaves):
        raise ValueError(
            f"need 0 < old_size ({old_size}) <= new_size ({new_size}) <= {len(leaves)}"
        )
    hashes = [leaf_hash(d) for d in leaves[:new_size]]
    return _subproof(old_size, hashes, complete=True)


def _subproof(m: int, hashes: Sequence[bytes], *, complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root_of_hashes(hashes)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete=complete), root_of_hashes(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], complete=False), root_of_hashes(hashes[:k])]


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _inclusion_length(index: int, tree_size: int) -> int:
    """Exact audit-path length for `index` in a tree of `tree_size`: the levels below the point
    where the paths to `index` and to the last leaf part (inner), plus the left-sibling ancestors
    above it (border)."""
    inner = (index ^ (tree_size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def verify_inclusion(
    index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """True iff `proof` shows the leaf hash `leaf_hash` at `index` in the tree of `tree_size`
    leaves whose MTH is `root` (RFC 9162 §2.1.3.2).

    False — never an exception — when index ≥ tree_size, a size or index is negative, the leaf
    hash or any proof element is not 32 bytes, the proof is longer or shorter than the path for
    (index, tree_size), or the recomputed root differs.
    """
    if not (0 <= index < tree_size) or not _is_hash(leaf_hash) or not _is_hash(root):
        return False
    if len(proof) != _inclusion_length(index, tree_size) or not all(map(_is_hash, proof)):
        return False
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True iff `proof` shows the tree (old_size, old_root) is a prefix of (new_size, new_root)
    (RFC 9162 §2.1.4.2).

    Rules, each returning False rather than raising: old_size > new_size or a negative size;
    old_size == 0 (a proof from the empty tree proves nothing, RFC 9162 defines 0 < first); equal
    sizes need an empty proof and byte-equal roots; otherwise the proof must be non-empty, exactly
    as long as the algorithm consumes, all 32-byte elements, and reproduce both roots.
    """
    if old_size <= 0 or new_size < old_size:
        return False
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    if not proof or not all(map(_is_hash, proof)) or not _is_hash(old_root):
        return False
    if not _is_hash(new_root):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # old tree is a perfect left subtree: its root is the seed
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
