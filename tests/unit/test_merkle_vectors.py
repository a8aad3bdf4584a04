"""creditfactory.audit.merkle against the published RFC 6962 vectors of transparency-dev/merkle
(../shared/cases/rfc6962_merkle.json): roots by size, leaf hashes, and every inclusion and
consistency case — each test named after its case file; wantErr cases must be rejected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.shared import SHARED

from creditfactory.audit import merkle

CASE_FILE = SHARED / "cases" / "rfc6962_merkle.json"


def _cases(key: str) -> list[Any]:
    # Collected at import; when ../shared is absent the `vectors` fixture skips or fails (CI).
    if not Path(CASE_FILE).exists():
        return [pytest.param(None, id="shared-cases-missing")]
    data = json.loads(CASE_FILE.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["file"].removeprefix("testdata/")) for case in data[key]]


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    from tests.shared import load_case

    return load_case("rfc6962_merkle.json")  # type: ignore[no-any-return]


def _b(hex_list: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hex_list]


def test_root_hash_by_tree_size(vectors: dict[str, Any]) -> None:
    leaves = _b(vectors["leaf_inputs_hex"])
    roots = vectors["root_hash_by_tree_size_hex"]
    assert len(roots) == 9
    for size, want in roots.items():
        assert merkle.root(leaves[: int(size)]).hex() == want, size


def test_empty_tree_is_sha256_of_nothing(vectors: dict[str, Any]) -> None:
    assert merkle.root([]) == merkle.EMPTY_ROOT
    assert merkle.EMPTY_ROOT.hex() == vectors["root_hash_by_tree_size_hex"]["0"]


def test_leaf_hashes(vectors: dict[str, Any]) -> None:
    leaves = _b(vectors["leaf_inputs_hex"])
    assert [merkle.leaf_hash(d).hex() for d in leaves] == vectors["leaf_hashes_hex"]


@pytest.mark.parametrize("case", _cases("inclusion_proof_cases"))
def test_inclusion_case(case: dict[str, Any], vectors: dict[str, Any]) -> None:
    ok = merkle.verify_inclusion(
        case["leafIdx"],
        case["treeSize"],
        bytes.fromhex(case["leafHash_hex"]),
        _b(case["proof_hex"]),
        bytes.fromhex(case["root_hex"]),
    )
    assert ok is (not case["wantErr"])
    leaves = _b(vectors["leaf_inputs_hex"])
    standard = vectors["root_hash_by_tree_size_hex"].get(str(case["treeSize"]))
    if ok and case["root_hex"] == standard:  # a valid proof over the standard leaves: rebuild it
        built = merkle.inclusion_proof(leaves, case["leafIdx"], case["treeSize"])
        assert [h.hex() for h in built] == case["proof_hex"]


@pytest.mark.parametrize("case", _cases("consistency_proof_cases"))
def test_consistency_case(case: dict[str, Any], vectors: dict[str, Any]) -> None:
    ok = merkle.verify_consistency(
        case["size1"],
        case["size2"],
        bytes.fromhex(case["root1_hex"]),
        bytes.fromhex(case["root2_hex"]),
        _b(case["proof_hex"]),
    )
    assert ok is (not case["wantErr"])
    roots = vectors["root_hash_by_tree_size_hex"]
    if ok and case["root2_hex"] == roots.get(str(case["size2"])) and case["size1"] > 0:
        leaves = _b(vectors["leaf_inputs_hex"])
        built = merkle.consistency_proof(leaves, case["size1"], case["size2"])
        assert [h.hex() for h in built] == case["proof_hex"]


def test_every_proof_over_the_vector_leaves_verifies(vectors: dict[str, Any]) -> None:
    leaves = _b(vectors["leaf_inputs_hex"])
    roots = {int(k): bytes.fromhex(v) for k, v in vectors["root_hash_by_tree_size_hex"].items()}
    for n in range(1, 9):
        for i in range(n):
            proof = merkle.inclusion_proof(leaves, i, n)
            assert merkle.verify_inclusion(i, n, merkle.leaf_hash(leaves[i]), proof, roots[n])
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(leaves, m, n)
            assert merkle.verify_consistency(m, n, roots[m], roots[n], proof)


def test_tampered_proofs_derived_from_the_vectors_are_rejected(vectors: dict[str, Any]) -> None:
    """transparency-dev's own tamper list applied to every (m, n) over the 8 leaves."""
    leaves = _b(vectors["leaf_inputs_hex"])
    roots = {int(k): bytes.fromhex(v) for k, v in vectors["root_hash_by_tree_size_hex"].items()}
    garbage = b"\xab" * 32
    for n in range(2, 9):
        for m in range(1, n):
            proof = merkle.consistency_proof(leaves, m, n)
            for bad in (proof[:-1], [*proof, garbage], [garbage, *proof], [*proof, roots[n]]):
                assert not merkle.verify_consistency(m, n, roots[m], roots[n], bad)
            assert not merkle.verify_consistency(m, n, roots[n], roots[m], proof)
            assert not merkle.verify_consistency(m, n, roots[m], roots[n], [])
            assert not merkle.verify_consistency(0, n, merkle.EMPTY_ROOT, roots[n], proof)
        for i in range(n):
            proof, leaf = merkle.inclusion_proof(leaves, i, n), merkle.leaf_hash(leaves[i])
            for bad in (proof[:-1], [*proof, garbage], [garbage, *proof], [*proof, roots[n]]):
                assert not merkle.verify_inclusion(i, n, leaf, bad, roots[n])
            assert not merkle.verify_inclusion(i + 1, n, leaf, proof, roots[n])
            # (a different tree_size can share the path shape, e.g. leaf 0 of 3 and of 4: the
            # size is bound by the signed head, not by the hashes, so that is not asserted here)
            assert not merkle.verify_inclusion(i, 2 * n + 1, leaf, proof, roots[n])
            assert not merkle.verify_inclusion(-1, n, leaf, proof, roots[n])


def test_programmer_errors_raise() -> None:
    leaves = [b"a", b"b"]
    with pytest.raises(ValueError):
        merkle.inclusion_proof(leaves, 2, 2)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(leaves, 0, 3)
    with pytest.raises(ValueError):
        merkle.consistency_proof(leaves, 0, 2)
    with pytest.raises(ValueError):
        merkle.consistency_proof(leaves, 2, 1)


def test_negative_sizes_are_rejected_not_raised() -> None:
    h = merkle.leaf_hash(b"")
    assert not merkle.verify_inclusion(0, -1, h, [], h)
    assert not merkle.verify_consistency(-1, 1, h, h, [])
    assert not merkle.verify_consistency(1, -1, h, h, [])
