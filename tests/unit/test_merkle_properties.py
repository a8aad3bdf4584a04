"""Merkle invariants under hypothesis: every proof of every leaf verifies; every single-bit
change of a leaf hash, root or proof element is rejected; a forked log fails consistency; the
storage-backed tree gives byte-identical roots and proofs to the reference, in O(log n) reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.audit import AuditError, merkle, tree
from creditfactory.audit.memory import InMemoryAuditStore

leaves_strategy = st.lists(st.binary(max_size=12), min_size=1, max_size=70)


def _flips(value: bytes) -> list[bytes]:
    """Every single-bit change of `value`."""
    return [
        value[:i] + bytes([value[i] ^ (1 << bit)]) + value[i + 1 :]
        for i in range(len(value))
        for bit in range(8)
    ]


def _store_with(leaves: list[bytes], batch: int) -> InMemoryAuditStore:
    store = InMemoryAuditStore()
    hashes = [merkle.leaf_hash(d) for d in leaves]
    for start in range(0, len(hashes), batch):
        tree.append_leaf_hashes(store, start, hashes[start : start + batch])
    return store


@given(leaves_strategy)
def test_inclusion_proof_verifies_for_every_leaf(leaves: list[bytes]) -> None:
    n, top = len(leaves), merkle.root(leaves)
    for i in range(n):
        proof = merkle.inclusion_proof(leaves, i, n)
        assert merkle.verify_inclusion(i, n, merkle.leaf_hash(leaves[i]), proof, top)


@settings(max_examples=25, deadline=None)
@given(leaves_strategy, st.data())
def test_every_bit_flip_breaks_inclusion(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    i = data.draw(st.integers(0, n - 1))
    proof, leaf, top = (
        merkle.inclusion_proof(leaves, i, n),
        merkle.leaf_hash(leaves[i]),
        merkle.root(leaves),
    )
    check: Callable[..., bool] = merkle.verify_inclusion
    assert check(i, n, leaf, proof, top)
    assert not any(check(i, n, bad, proof, top) for bad in _flips(leaf))
    assert not any(check(i, n, leaf, proof, bad) for bad in _flips(top))
    for k, element in enumerate(proof):
        for bad in _flips(element):
            assert not check(i, n, leaf, [*proof[:k], bad, *proof[k + 1 :]], top)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=2, max_size=70), st.data())
def test_every_bit_flip_breaks_consistency(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    m = data.draw(st.integers(1, n - 1))
    old, new = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(leaves, m, n)
    assert merkle.verify_consistency(m, n, old, new, proof)
    assert not any(merkle.verify_consistency(m, n, bad, new, proof) for bad in _flips(old))
    assert not any(merkle.verify_consistency(m, n, old, bad, proof) for bad in _flips(new))
    for k, element in enumerate(proof):
        for bad in _flips(element):
            assert not merkle.verify_consistency(m, n, old, new, [*proof[:k], bad, *proof[k + 1 :]])


@given(st.lists(st.binary(max_size=12), min_size=2, max_size=70), st.data())
def test_forked_log_fails_consistency(leaves: list[bytes], data: st.DataObject) -> None:
    """The log served later rewrote leaf `j` < old_size: no proof of it can match the old head."""
    n = len(leaves)
    m = data.draw(st.integers(1, n - 1))
    j = data.draw(st.integers(0, m - 1))
    forked = [*leaves[:j], leaves[j] + b"\x00forged", *leaves[j + 1 :]]
    old_root = merkle.root(leaves[:m])
    proof = merkle.consistency_proof(forked, m, n)
    assert not merkle.verify_consistency(m, n, old_root, merkle.root(forked), proof)


@given(leaves_strategy, st.integers(1, 9), st.data())
def test_stored_tree_matches_reference(
    leaves: list[bytes], batch: int, data: st.DataObject
) -> None:
    store = _store_with(leaves, batch)
    n = len(leaves)
    assert store.leaf_count() == n
    size = data.draw(st.integers(1, n))
    i, m = data.draw(st.integers(0, size - 1)), data.draw(st.integers(1, size))
    assert tree.root_at(store, size) == merkle.root(leaves[:size])
    assert tree.inclusion_proof(store, i, size) == merkle.inclusion_proof(leaves, i, size)
    assert tree.consistency_proof(store, m, size) == merkle.consistency_proof(leaves, m, size)


def test_stored_proofs_read_o_log_n_nodes() -> None:
    leaves = [i.to_bytes(4, "big") for i in range(5000)]
    store = _store_with(leaves, 512)
    assert len(store.nodes) == 2 * 5000 - bin(5000).count("1")  # each perfect subtree once
    for index, size in ((0, 5000), (4999, 5000), (1234, 4097), (4096, 4097)):
        store.read_calls = store.node_reads = 0
        tree.inclusion_proof(store, index, size)
        assert store.read_calls == 1
        assert store.node_reads <= 2 * size.bit_length()
    store.node_reads = 0
    tree.consistency_proof(store, 1111, 5000)
    assert store.node_reads <= 2 * (5000).bit_length()


@given(leaves_strategy, st.data())
def test_extended_frontier_folds_to_the_reference_root(
    leaves: list[bytes], data: st.DataObject
) -> None:
    """A frontier caught up with leaves appended elsewhere equals the one the store writes, and
    folding it right to left gives RFC 6962's root of all the leaves."""
    hashes = [merkle.leaf_hash(d) for d in leaves]
    known = data.draw(st.integers(0, len(hashes)))
    store = InMemoryAuditStore()
    frontier = tree.append_leaf_hashes(store, 0, hashes[:known])
    caught_up = tree.extend_frontier(frontier, known, hashes[known:])
    assert caught_up == tree.append_leaf_hashes(store, known, hashes[known:])
    acc = caught_up[-1][1]
    for _, left in reversed(caught_up[:-1]):
        acc = merkle.node_hash(left, acc)
    assert acc == merkle.root(leaves)


def test_a_frontier_of_another_size_is_refused() -> None:
    frontier = tree.append_leaf_hashes(InMemoryAuditStore(), 0, [merkle.leaf_hash(b"a")] * 3)
    with pytest.raises(AuditError):
        tree.extend_frontier(frontier, 4, [])
