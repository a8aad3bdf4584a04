"""The administrator's pages (issue 14, "Administrator"): users and their roles, every role change
through maker-checker.

- `GET /admin/users`: the officers of the viewer's branch scope (the list component: paging,
  sorting, filters, CSV/xlsx), with role, branch, whether active and an open role change; the
  form that adds an officer WITHOUT a role at a branch of the scope (a role comes only through
  an approved role change).
- `GET /admin/users/{officer_id}`: one officer, their role changes (maker, checker, status), the
  maker's form (ask for a role, with a note) and, on a pending item, the checker's approve /
  reject buttons — shown to another administrator only; the maker sees that a second
  administrator must check (the rule is enforced by `access.maker_checker` either way).
- `POST /admin/users`, `POST /admin/users/{officer_id}/role`,
  `POST /admin/approvals/{approval_id}/approve | reject`: the forms, through
  `service_layer.admin_desk` (maker-checker, audit leaves); the page again on success (303), or
  with the refusal in words and its status (422 a bad value, 403 four eyes, 409 busy/decided).

Branch scope: `security.authorize` refuses (404) an officer or item outside the viewer's branches;
the list is filtered in SQL (`admin_views.officers_list`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from creditfactory.access import (
    ROLES,
    ItemNotPending,
    MakerCheckerViolation,
    PermissionDenied,
    SubjectBusy,
)
from creditfactory.adapters.api.security import Security, authorize
from creditfactory.adapters.storage.admin_views import officers_list
from creditfactory.adapters.web.forms import may, read_form
from creditfactory.adapters.web.listing import Column, ListView, known_params, list_page
from creditfactory.adapters.web.nav import N_
from creditfactory.adapters.web.render import render
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.admin_desk import (
    decide_role_change,
    officer_page,
    request_role_change,
    role_change_officer,
)
from creditfactory.service_layer.organisation import list_branches
from creditfactory.service_layer.ownership import require_branch_in_scope, scope_of

__all__ = ["OFFICERS", "OFFICER_ROLES", "router"]

router = APIRouter(dependencies=[Depends(authorize)])

OFFICER_ROLES: Final = tuple(r for r in ROLES if r != "channel")
ANSWERS: Final = (
    N_("yes"), N_("no"), N_("none"), N_("loan_officer"), N_("credit_approver"),
    N_("risk_manager"), N_("auditor"), N_("administrator"), N_("pending"), N_("approved"),
    N_("rejected"), N_("executed"),
)  # fmt: skip
"""Words the pages show through the catalogue (active yes/no, roles, an item's status)."""


def _present(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "active": "yes" if row["active"] else "no", "pending": row["pending"] or ""}


OFFICERS: Final = ListView(
    name="officers",
    present=_present,
    columns=(
        Column("username", N_("Username"), filter="contains"),
        Column("officer_id", N_("Officer"), kind="id", link="/admin/users/{}"),
        Column("role", N_("Role"), filter="equals", choices=(*OFFICER_ROLES, "none")),
        Column("branch", N_("Branch"), filter="contains"),
        Column("active", N_("Active"), sortable=False),
        Column("pending", N_("Open change"), sortable=False),
        Column("created_at", N_("Created"), kind="time", filter="date_range"),
    ),
    default_sort="username",
)
"""The users list, by username; the officer id links to the officer's page."""


def _scope(request: Request) -> Any:
    return scope_of(request.state.principal.branch_id)


def _users(request: Request, error: str = "", status_code: int = 200) -> Response:
    branches = list_branches(request.app.state.deps)
    return list_page(
        request, OFFICERS, officers_list(_scope(request)), "admin/users.html",
        status_code=status_code, error=error, branches=branches,
        may_create=may(request, "user.manage"),
    )  # fmt: skip


@router.get("/admin/users", include_in_schema=False)
def users(request: Request) -> Response:
    """The users list and the add-user form (module docstring)."""
    return _users(request)


def _user(request: Request, officer_id: str, error: str = "", status_code: int = 200) -> Response:
    officer = officer_page(request.app.state.deps, officer_id)
    who = request.state.principal
    opened = officer["open"]
    return render(
        request, "admin/user.html", status_code=status_code, officer=officer, error=error,
        roles=OFFICER_ROLES, iso=datetime.fromisoformat,
        may_request=may(request, "role_change.request") and opened is None,
        may_check=may(request, "role_change.approve") and opened is not None
        and opened["status"] == "pending" and opened["maker"] != who.officer_id,
        is_maker=opened is not None and opened["maker"] == who.officer_id,
    )  # fmt: skip


@router.get("/admin/users/{officer_id}", include_in_schema=False)
def user(officer_id: str, request: Request) -> Response:
    """One officer and their role changes (module docstring)."""
    known_params(request, set())
    return _user(request, officer_id)


def _acted(again: Callable[[str, int], Response], done: str, act: Callable[[], object]) -> Response:
    """Run `act`; `done` after it (303), or the page again with the refusal and its status."""
    try:
        act()
    except ValidationError as refused:
        return again(str(refused), 422)
    except (MakerCheckerViolation, PermissionDenied) as refused:
        return again(str(refused), 403)
    except (SubjectBusy, ItemNotPending) as refused:
        return again(str(refused), 409)
    return RedirectResponse(done, status_code=303)


@router.post("/admin/users", include_in_schema=False)
async def add_user(request: Request) -> Response:
    """Add an officer without a role at a branch of the viewer's scope."""
    form = await read_form(request)
    who = request.state.principal
    security: Security = request.app.state.security

    def act() -> None:
        username, password = form.get("username", ""), form.get("password", "")
        branch_id = form.get("branch_id") or who.branch_id
        if len(password) < 12:
            raise ValidationError("password", "at least 12 characters")
        if not username or len(username) > 48:
            raise ValidationError("username", "1–48 characters")
        require_branch_in_scope(request.app.state.deps, who.branch_id, branch_id)
        try:
            security.create_officer(username, password, "none", datetime.now(UTC),
                                    actor=who.officer_id, branch_id=branch_id)  # fmt: skip
        except IntegrityError:
            raise ValidationError("username", "already taken") from None

    def again(error: str, status: int) -> Response:
        return _users(request, error, status)

    return await run_in_threadpool(_acted, again, "/admin/users", act)


@router.post("/admin/users/{officer_id}/role", include_in_schema=False)
async def ask_role(officer_id: str, request: Request) -> Response:
    """Maker: ask for a role change with a note."""
    form = await read_form(request)
    deps, who = request.app.state.deps, request.state.principal
    access = request.app.state.security.access

    def act() -> None:
        request_role_change(deps, access, officer_id, form.get("role", ""), who.officer_id,
                            who.role, form.get("note", "")[:500])  # fmt: skip

    def again(error: str, status: int) -> Response:
        return _user(request, officer_id, error, status)

    return await run_in_threadpool(_acted, again, f"/admin/users/{officer_id}", act)


async def _decide(approval_id: str, request: Request, approved: bool) -> Response:
    deps, who = request.app.state.deps, request.state.principal
    access = request.app.state.security.access
    officer_id = await run_in_threadpool(role_change_officer, deps, approval_id)

    def act() -> None:
        decide_role_change(deps, access, approval_id, who.officer_id, who.role, approved)

    def again(error: str, status: int) -> Response:
        return _user(request, officer_id, error, status)

    return await run_in_threadpool(_acted, again, f"/admin/users/{officer_id}", act)


@router.post("/admin/approvals/{approval_id}/approve", include_in_schema=False)
async def approve(approval_id: str, request: Request) -> Response:
    """Checker (another administrator): approve — the officer has the role at once."""
    return await _decide(approval_id, request, True)


@router.post("/admin/approvals/{approval_id}/reject", include_in_schema=False)
async def reject(approval_id: str, request: Request) -> Response:
    """Checker: reject; the officer keeps their role."""
    return await _decide(approval_id, request, False)
