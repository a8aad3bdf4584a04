"""The administrator's desk (issue 14, "Administrator"): one officer's page and the role change
through maker-checker — an administrator requests it (maker), a DIFFERENT administrator approves
it, which then gives the officer the role at once (the checker executes the approved item:
`checked_actions.execute_role_change`, consuming it with its audit leaf), or rejects it.

Every step goes through the one maker-checker mechanism (`approval_flow`, `access.maker_checker`):
the checker is never the maker, one open item per officer, each step an audit leaf.
"""

from __future__ import annotations

from typing import Any

from creditfactory.access import AccessPolicy, ApprovalKind
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.approval_flow import decide_approval, request_approval
from creditfactory.service_layer.checked_actions import execute_role_change
from creditfactory.service_layer.factory_ports import ApplicationNotFound, FactoryDeps

__all__ = ["decide_role_change", "officer_page", "request_role_change", "role_change_officer"]


def officer_page(deps: FactoryDeps, officer_id: str) -> dict[str, Any]:
    """The officer (officer_id, username, role, active, branch_id, branch_name) with every
    maker-checker item on them (`items`, newest first, `ApprovalItem.to_dict`) and the open one
    (`open`, or None). raises ApplicationNotFound (404)."""
    with deps.uow() as uow:
        officer = uow.officers.get(officer_id)
        if officer is None:
            raise ApplicationNotFound(f"officer_id: no officer {officer_id!r}")
        items = [i.to_dict() for i in uow.approvals.of_subject(f"officer:{officer_id}")]
    opened = next((i for i in items if i["status"] in ("pending", "approved")), None)
    return {**officer, "items": items, "open": opened}


def request_role_change(
    deps: FactoryDeps, access: AccessPolicy, officer_id: str, role: str, maker: str,
    maker_role: str, note: str,
) -> dict[str, Any]:  # fmt: skip
    """Maker: ask for `officer_id` to get `role`. raises ValidationError("role") for an unknown
    role, MakerCheckerViolation / PermissionDenied (403), SubjectBusy (409)."""
    if role not in access.roles or role == "channel":
        raise ValidationError("role", "one of the officer roles")
    return request_approval(deps, access, ApprovalKind.ROLE_CHANGE.value,
                            f"officer:{officer_id}", {"role": role}, maker, maker_role, note)  # fmt: skip


def role_change_officer(deps: FactoryDeps, approval_id: str) -> str:
    """The officer a role-change item acts on. raises ApplicationNotFound (404),
    ValidationError("approval_id") for an item of another kind."""
    with deps.uow() as uow:
        item = uow.approvals.get(approval_id)
    if item is None:
        raise ApplicationNotFound(f"approval_id: no item {approval_id!r}")
    if item.kind is not ApprovalKind.ROLE_CHANGE:
        raise ValidationError("approval_id", f"{approval_id} is a {item.kind.value} item")
    return str(item.subject).removeprefix("officer:")


def decide_role_change(
    deps: FactoryDeps, access: AccessPolicy, approval_id: str, checker: str, checker_role: str,
    approved: bool,
) -> dict[str, Any]:  # fmt: skip
    """Checker (never the maker): approve — and give the officer the role at once — or reject
    a pending role change. Returns the item (rejected) or the officer's new role (approved).
    raises ApplicationNotFound, ValidationError (not a role change), MakerCheckerViolation
    (403: the maker, or a role that may not check), ItemNotPending (409)."""
    officer_id = role_change_officer(deps, approval_id)
    decided = decide_approval(deps, access, approval_id, checker, checker_role, approved)
    if not approved:
        return decided
    return execute_role_change(deps, access, officer_id, approval_id, checker, checker_role)
