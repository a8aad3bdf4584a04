"""Read-only audit routes (auditor, risk manager, administrator): the signed tree head, and an
inclusion proof or offline bundle for one entry — the same documents as `creditfactory audit
head | prove | bundle`, checkable with `audit check-bundle --public-key`."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, Depends, Request

from creditfactory.adapters.api.responses import AuditBundle, AuditProof, SignedTreeHead, answers
from creditfactory.adapters.api.security import authorize
from creditfactory.adapters.storage.audit_keys import load_signing_key
from creditfactory.adapters.storage.audit_store import SqlAuditStore
from creditfactory.audit import make_bundle, prove, signed_head
from creditfactory.config import Settings

__all__ = ["router", "signing_key"]

router = APIRouter(prefix="/api/v1/audit", dependencies=[Depends(authorize)], tags=["audit"])


def signing_key(request: Request) -> Ed25519PrivateKey:
    """The app's audit signing key (`app.state.signing_key`, else loaded from the settings once)."""
    key: Ed25519PrivateKey | None = request.app.state.signing_key
    if key is None:
        key = load_signing_key(Settings())
        request.app.state.signing_key = key
    return key


def _parts(request: Request, sequence: int) -> tuple[Any, Any, Any]:
    now = request.app.state.deps.clock.now()
    with request.app.state.engine.connect() as db:
        store = SqlAuditStore(db)
        sth = signed_head(store, now, signing_key(request))
        proof = prove(store, sequence, sth.head.tree_size)  # EntryNotInLog → 404
        return store.get_record(sequence), proof, sth


@router.get("/head", **answers(SignedTreeHead))
def get_head(request: Request) -> dict[str, Any]:
    """The signed tree head of the whole log."""
    now = request.app.state.deps.clock.now()
    with request.app.state.engine.connect() as db:
        head: dict[str, Any] = signed_head(SqlAuditStore(db), now, signing_key(request)).to_json()
    return head


@router.get("/entries/{sequence}/proof", **answers(AuditProof))
def get_proof(sequence: int, request: Request) -> dict[str, Any]:
    """Inclusion proof of entry `sequence` against the current signed head."""
    _, proof, sth = _parts(request, sequence)
    return {
        "sequence": proof.sequence,
        "tree_size": proof.tree_size,
        "leaf_hash": proof.leaf_hash.hex(),
        "inclusion_proof": [h.hex() for h in proof.path],
        "signed_tree_head": sth.to_json(),
    }


@router.get("/entries/{sequence}/bundle", **answers(AuditBundle))
def get_bundle(sequence: int, request: Request) -> dict[str, Any]:
    """Leaf, payload, inclusion proof and signed head, for offline checking."""
    record, proof, sth = _parts(request, sequence)
    bundle: dict[str, Any] = make_bundle(record, proof, sth)
    return bundle
