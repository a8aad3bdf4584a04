"""Officer routes under /api/v1: the maker-checker queue, the checked actions, officers,
policy and model uploads. Every route passes `security.authorize`; the kind-specific rules
(`<kind>.request` / `.approve` / `.execute`, checker ≠ maker, one open item per subject) are in
`creditfactory.access` and enforced by the service layer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources import files
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from creditfactory.adapters.api.responses import (
    ApplicationView,
    ApprovalItem,
    ApprovalList,
    ModelPublished,
    ModelStored,
    OfficerCreated,
    OfficerList,
    OfficerRole,
    PolicyPublished,
    PolicyStored,
    WriteOffResult,
    answers,
)
from creditfactory.adapters.api.schemas import StrictBody, example
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


POLICY: Final = {
    "shipped": {
        "summary": "the shipped credit policy credit-policy-2026.2",
        "value": json.loads(
            files("creditfactory.decisioning").joinpath("policies/credit-policy-2026.2.json")
            .read_text(encoding="utf-8")
        ),
    }
}  # fmt: skip
SPEC: Final = {
    "abbreviated": {
        "summary": "a frozen spec as `creditfactory model train --out DIR` writes it "
        "(DIR/spec.json; abbreviated here: characteristics, calibration and training elided)",
        "value": {"model_id": "sba-case-scorecard", "model_type": "scorecard",
                  "schema": "creditfactory-scorecard/1", "features": ["NAICS", "NoEmp"],
                  "characteristics": [], "calibration": {}, "training": {}},
    }
}  # fmt: skip
"""Examples of the two document bodies (issue #14): a served spec is not public (its points
would show how to game the score), so the spec example is abbreviated."""


class ApprovalCreate(StrictBody):
    """Maker step: ask for a checked action on a subject ("loan:<id>", …)."""

    model_config = example({"kind": "role_change", "subject": "officer:off_123f4619a524",
                            "params": {"role": "auditor"}, "note": "新任审计 New auditor"})  # fmt: skip

    kind: str = Field(max_length=32)
    subject: str = Field(min_length=3, max_length=200)
    params: dict[str, str] = Field(default_factory=dict)
    note: str = Field(default="", max_length=500)


class Decision(StrictBody):
    """Checker step note."""

    model_config = example({"note": "已核对 Checked"})

    note: str = Field(default="", max_length=500)


class Execute(StrictBody):
    """A checked action names the approved item it consumes."""

    model_config = example({"approval_id": "apr_dcf7c6cd79df4231b8ca9de0361b7694"})

    approval_id: str | None = Field(default=None, max_length=64)


class OfficerCreate(StrictBody):
    """A new officer: no role until a role change is approved; at `branch_id` (default: the
    creator's branch), which must lie in the creator's branch scope."""

    model_config = example({"username": "wang.auditor", "password": "a long passphrase 2026"})

    username: str = Field(pattern=r"^[a-z0-9_.-]{3,48}$")
    password: str = Field(min_length=12, max_length=200)
    branch_id: str | None = Field(default=None, max_length=32)


@router.get("/approvals", **answers(ApprovalList))
def get_approvals(
    deps: Deps,
    who: Who,
    status: Literal["pending", "approved", "rejected", "executed"] | None = "pending",
) -> dict[str, Any]:
    """The maker-checker queue (pending items by default), oldest first: items on the
    officer's branch scope's applications, loans and officers, and bank-wide ones."""
    data = approval_flow.list_approvals(deps, status, scope_of(who.branch_id))
    return {"data": data, "count": len(data)}


@router.post("/approvals", **answers(ApprovalItem))
def post_approval(body: ApprovalCreate, deps: Deps, who: Who, request: Request) -> dict[str, Any]:
    """Maker: open an item (409 while the subject has one open; 404 for an application, loan
    or officer outside the maker's branch scope, as for a missing one)."""
    access = _security(request).access
    require_subject_in_scope(deps, who.branch_id, body.subject)
    return approval_flow.request_approval(
        deps, access, body.kind, body.subject, body.params, who.officer_id, who.role, body.note
    )


@router.post("/approvals/{approval_id}/approve", **answers(ApprovalItem))
def post_approve(
    approval_id: str, body: Decision, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Checker (never the maker): approve; the action then runs at its own route."""
    access = _security(request).access
    return approval_flow.decide_approval(deps, access, approval_id, who.officer_id, who.role, True)


@router.post("/approvals/{approval_id}/reject", **answers(ApprovalItem))
def post_reject(
    approval_id: str, body: Decision, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Checker (never the maker): reject; the subject is free again."""
    access = _security(request).access
    return approval_flow.decide_approval(deps, access, approval_id, who.officer_id, who.role, False)


@router.post("/loans/{loan_id}/write-off", **answers(WriteOffResult))
def post_write_off(
    loan_id: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """核销 with an approved write_off item (403 without one)."""
    access = _security(request).access
    return approval_flow.execute_write_off(
        deps, access, loan_id, body.approval_id, who.officer_id, who.role
    )


@router.post("/applications/{application_id}/override", **answers(ApplicationView))
def post_override(
    application_id: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Re-offer at an approved limit or price (403 without an approved item)."""
    access = _security(request).access
    return checked_actions.execute_override(
        deps, access, application_id, body.approval_id, who.officer_id, who.role
    )


@router.post("/policies", **answers(PolicyStored))
def post_policy(
    deps: Deps, who: Who, document: Annotated[dict[str, Any], Body(openapi_examples=POLICY)]
) -> dict[str, Any]:
    """Upload a credit-policy document (a draft until published)."""
    return checked_actions.upload_policy(
        deps, json.dumps(document, ensure_ascii=False), who.officer_id
    )


@router.post("/policies/{version}/publish", **answers(PolicyPublished))
def post_policy_publish(
    version: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Publish a policy version with an approved policy_publication item."""
    access = _security(request).access
    return checked_actions.execute_policy_publication(
        deps, access, version, body.approval_id, who.officer_id, who.role
    )


@router.post("/models", **answers(ModelStored))
def post_model(
    deps: Deps, who: Who, spec: Annotated[dict[str, Any], Body(openapi_examples=SPEC)]
) -> dict[str, Any]:
    """Upload a frozen scorecard spec (kept by its sha256; a draft until published)."""
    return checked_actions.upload_model(deps, json.dumps(spec), who.officer_id)


@router.post("/models/{digest}/publish", **answers(ModelPublished))
def post_model_publish(
    digest: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Publish a stored spec with an approved model_publication item."""
    access = _security(request).access
    return checked_actions.execute_model_publication(
        deps, access, digest, body.approval_id, who.officer_id, who.role
    )


@router.get("/officers", **answers(OfficerList))
def get_officers(deps: Deps, who: Who) -> dict[str, Any]:
    """Officers of the caller's branch scope with their roles and branches (never password
    hashes)."""
    with deps.uow() as uow:
        data = uow.officers.listed(scope_of(who.branch_id))
    return {"data": data, "count": len(data)}


@router.post("/officers", **answers(OfficerCreated))
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


@router.put("/officers/{officer_id}/role", **answers(OfficerRole))
def put_role(
    officer_id: str, body: Execute, deps: Deps, who: Who, request: Request
) -> dict[str, Any]:
    """Give the officer the role of an approved role_change item (403 without one)."""
    access = _security(request).access
    return checked_actions.execute_role_change(
        deps, access, officer_id, body.approval_id, who.officer_id, who.role
    )
