"""The auditor's pages (issue 14) and the audit trail every loan page shows.

- `GET /audit?kind=loan|application|customer|officer&value=<id>`: every audit entry of the
  object in log order, each with its inclusion proof against the current signed tree head,
  checked in the browser (`static/audit-proof.js`: SHA-256 and the RFC 9162 path walk, nothing
  fetched) and downloadable as an offline bundle (`GET /api/v1/audit/entries/{n}/bundle`, the
  document `creditfactory audit check-bundle --public-key` checks).
- `GET /audit/verify`: the whole log verified on the server as `creditfactory audit verify`
  does (every leaf and node recomputed, business rows against their evidence), naming the first
  tampered entry.

`proven(request, entries)` adds the proofs to entries from `service_layer.loan_desk` (the loan
page uses it too).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditfactory.adapters.api.audit_routes import signing_key
from creditfactory.adapters.api.security import authorize
from creditfactory.adapters.storage.audit_store import SqlAuditStore, read_snapshot, row_digesters
from creditfactory.adapters.web.listing import known_params
from creditfactory.adapters.web.nav import N_
from creditfactory.adapters.web.render import render
from creditfactory.audit import prove, signed_head, verify_log
from creditfactory.service_layer.loan_desk import LOOKUPS, audit_trail
from creditfactory.service_layer.ownership import require_officer_reaches

__all__ = ["KIND_LABELS", "proven", "router"]

router = APIRouter(dependencies=[Depends(authorize)])

_SCOPED: Final = {"loan": "loan_id", "application": "application_id",
                   "customer": "borrower_id", "officer": "officer_id"}  # fmt: skip
"""A lookup's id as the ownership check knows it: an officer looks up only objects of their
branch subtree (`service_layer.ownership`), like every page that names an object."""
KIND_LABELS: Final = {"loan": N_("Loan"), "application": N_("Application"),
                      "customer": N_("Customer (borrower id)"), "officer": N_("Officer")}  # fmt: skip


def proven(request: Request, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """`entries` (sequence, …) each with ``leaf`` (the canonical JSON the log hashed),
    ``path`` (the inclusion proof, hex, comma-separated) and ``tree_size``, and the signed
    tree head they are proven against (``head``, signed at ``signed_at``)."""
    now = request.app.state.deps.clock.now()
    with request.app.state.engine.connect() as db:
        read_snapshot(db)
        store = SqlAuditStore(db)
        sth = signed_head(store, now, signing_key(request))
        rows = []
        for entry in entries:
            record = store.get_record(entry["sequence"])
            if record is None:  # not in an append-only log: a deleted row, which verify names
                continue
            proof = prove(store, entry["sequence"], sth.head.tree_size)
            rows.append({**entry, "leaf": record.leaf_data().decode("utf-8"),
                         "path": ",".join(h.hex() for h in proof.path),
                         "tree_size": proof.tree_size})  # fmt: skip
    return {"head": sth.to_json(), "signed_at": sth.head.timestamp, "entries": rows}


def may_download(request: Request) -> bool:
    """True when the signed-in role may fetch proof bundles (`audit.read`)."""
    security = request.app.state.security
    return bool(security.access.allows(request.state.principal.role, "audit.read"))


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request) -> Response:
    """The lookup form and, with `kind` and `value`, the entries with their proofs."""
    known_params(request, {"kind", "value"})
    kind = request.query_params.get("kind", "loan")
    value = request.query_params.get("value", "")
    trail = None
    if value or "kind" in request.query_params:
        deps = request.app.state.deps
        entries = audit_trail(deps, kind, value)  # ValidationError first: a 422 naming it
        require_officer_reaches(
            deps, request.state.principal.branch_id, {_SCOPED[kind]: value.strip()}
        )  # outside the scope: 404
        trail = proven(request, entries)
    return render(request, "audit/index.html", kinds=[(k, KIND_LABELS[k]) for k in LOOKUPS],
                  kind=kind, value=value, trail=trail, downloads=True)  # fmt: skip


@router.get("/audit/verify", include_in_schema=False)
def audit_verify(request: Request) -> Response:
    """Verify the whole log (module docstring)."""
    known_params(request, set())
    with request.app.state.engine.connect() as db:
        read_snapshot(db)
        store = SqlAuditStore(db)
        report = verify_log(store, digesters=row_digesters(db))
    return render(request, "audit/verify.html", report=report)
