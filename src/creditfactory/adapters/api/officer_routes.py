"""Officer routes under /api/v1: the maker-checker queue, the checked actions, officers,
policy and model uploads. Every route passes `security.authorize`; the kind-specific rules
(`<kind>.request` / `.approve` / `.execute`, checker ≠ maker, one open item per subject) are in
`creditfactory.access` and enforced by the service layer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from creditfactory.adapters.api.schemas import StrictBody
from creditfactory.adapters.api.security import Principal, Security, authorize
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer import approval_flow, checked_actions
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.ownership import (
    require_branch_in_scope,
    require_subject_in_scope,
    scope_of,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", dependencies=[Depends(authorize)], tags=["officers"])
Who = Annotated[Principal, Depends(authorize)]


def _deps(request: Request) -> FactoryDeps:
    deps: FactoryDeps = request.app.state.deps
    return deps


def _security(request: Request) -> Security:
    security: Security = request.app.state.security
    return security


Deps = Annotated[FactoryDeps, Depends(_deps)]


class ApprovalCreate(StrictBody):
    """Maker step: ask for a checked action on a subject ("loan:<id>", …)."""

    kind: str = Field(max_length=32)
    subject: str = Field(min_length=3, max_length=200)
    params: dict[str, str] = Field(default_factory=dict)
    note: str = Field(default="", max_length=500)


class Decision(StrictBody):
    """Checker step note."""

    note: str = Field(default="", max_length=500)


class Execute(StrictBody):
    """A checked action names the approved item it consumes."""

    approval_id: str | None = Field(default=None, max_length=64)


class OfficerCreate(StrictBody):
    """A new officer: no role until a role change is approved; at `branch_id` (default: the
    creator's branch), which must lie in the creator's branch scope."""

    username: str = Field(pattern=r"^[a-z0-9_.-]{3,48}$")
    password: str = Field(min_length=12, max_length=200)
    branch_id: str | None = Field(default=None, max_length=32)


@router.get("/approvals")
def get_approvals(
    deps: Deps,
    who: Who,
    status: Literal["pending", "approved", "rejected", "executed"] | None = "pending",
) -> dict[str, Any]:
    """The maker-checker queue (pending items by default), oldest first: items on the
    officer's branch scope's applications, loans and officers, and bank-wide ones."""
    data = approval_flow.list_approvals(deps, status, scope_of(who.branch_id))
    return {"data": data, "count": len(data)}


@router.post("/approvals")
def post_approval(body: ApprovalCreate, deps: Deps, who: Who, request: Request) -> dict[str, Any]:
    """Maker: open an item (409 while the subject has one open; 404 for an application, loan
    or officer outside the maker's branch scope, as for a missing one)."""
    access = _security(request).access
    require_subject_in_scope(deps, who.branch_id, body.subject)
    return approval_flow.request_approval(
        deps, access, body.kind, body.subject, body.params, who.officer_id, who.role, body.note
    )


@router.post("/approvals/{approval_id}/approve")
def post_approve(
    approval_id: str, body: Decision, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Checker (never the maker): approve; the action then runs at its own route."""
    access = _security(request).access
    return approval_flow.decide_approval(deps, access, approval_id, who.officer_id, who.role, True)


@router.post("/approvals/{approval_id}/reject")
def post_reject(
    approval_id: str, body: Decision, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Checker (never the maker): reject; the subject is free again."""
    access = _security(request).access
    return approval_flow.decide_approval(deps, access, approval_id, who.officer_id, who.role, False)


@router.post("/loans/{loan_id}/write-off")
def post_write_off(
    loan_id: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """核销 with an approved write_off item (403 without one)."""
    access = _security(request).access
    return approval_flow.execute_write_off(
        deps, access, loan_id, body.approval_id, who.officer_id, who.role
    )


@router.post("/applications/{application_id}/override")
def post_override(
    application_id: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Re-offer at an approved limit or price (403 without an approved item)."""
    access = _security(request).access
    return checked_actions.execute_override(
        deps, access, application_id, body.approval_id, who.officer_id, who.role
    )


@router.post("/policies")
def post_policy(
    deps: Deps, who: Who, document: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Upload a credit-policy document (a draft until published)."""
    import json

    return checked_actions.upload_policy(
        deps, json.dumps(document, ensure_ascii=False), who.officer_id
    )


@router.post("/policies/{version}/publish")
def post_policy_publish(
    version: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Publish a policy version with an approved policy_publication item."""
    access = _security(request).access
    return checked_actions.execute_policy_publication(
        deps, access, version, body.approval_id, who.officer_id, who.role
    )


@router.post("/models")
def post_model(deps: Deps, who: Who, spec: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Upload a frozen scorecard spec (kept by its sha256; a draft until published)."""
    import json

    return checked_actions.upload_model(deps, json.dumps(spec), who.officer_id)


@router.post("/models/{digest}/publish")
def post_model_publish(
    digest: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Publish a stored spec with an approved model_publication item."""
    access = _security(request).access
    return checked_actions.execute_model_publication(
        deps, access, digest, body.approval_id, who.officer_id, who.role
    )


@router.get("/officers")
def get_officers(deps: Deps, who: Who) -> dict[str, Any]:
    """Officers of the caller's branch scope with their roles and branches (never password
    hashes)."""
    with deps.uow() as uow:
        data = uow.officers.listed(scope_of(who.branch_id))
    return {"data": data, "count": len(data)}


@router.post("/officers")
def post_officer(body: OfficerCreate, who: Who, request: Request) -> dict[str, Any]:
    """Create an officer without a role (roles change only through maker-checker)."""
    branch_id = body.branch_id or who.branch_id
    require_branch_in_scope(_deps(request), who.branch_id, branch_id)
    try:
        officer_id = _security(request).create_officer(
            body.username, body.password, "none", datetime.now(UTC), actor=who.officer_id,
            branch_id=branch_id,
        )  # fmt: skip
    except IntegrityError:
        raise ValidationError("username", "already taken") from None
    return {"officer_id": officer_id, "role": "none", "branch_id": branch_id}


@router.put("/officers/{officer_id}/role")
def put_role(
    officer_id: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Give the officer the role of an approved role_change item (403 without one)."""
    access = _security(request).access
    return checked_actions.execute_role_change(
        deps, access, officer_id, body.approval_id, who.officer_id, who.role
    )
