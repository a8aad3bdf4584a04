"""`creditfactory users role USERNAME ROLE --officer ADMIN --password-stdin [--note WHY]`: a role
change from the command line, through the same maker-checker item as the API's (kind
`role_change`, subject `officer:<id>`; docs/access.md). The first administrator running it asks
(maker); a different administrator running the same command approves and executes it, and the
officer has the role. A deployment can so give its risk managers their role before the first
`serve` — which needs them when the model fails its report's checks (`creditfactory model
approve`, service_layer.model_approval). Bad input exits 2 with one line (unknown officer, a
pending change for another role, the maker checking)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from creditfactory.access import DEFAULT_ACCESS, ApprovalStatus
from creditfactory.adapters.cli.officer_auth import PasswordStdin, officer_of
from creditfactory.adapters.cli.users import users_app
from creditfactory.adapters.storage.identity_tables import officers
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.bootstrap import bootstrap
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.approval_flow import decide_approval, request_approval
from creditfactory.service_layer.checked_actions import execute_role_change
from creditfactory.service_layer.factory_ports import OfficeDeps

__all__ = ["register", "role"]


def role(
    username: Annotated[str, typer.Argument(help="the officer who gets the role")],
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help="e.g. risk_manager")],
    officer: Annotated[str, typer.Option("--officer", help="the acting administrator")],
    password_stdin: PasswordStdin = False,
    note: Annotated[str, typer.Option(help="why (kept with the approval item)")] = "",
) -> None:
    """Give an officer a role: one administrator asks, a different one confirms (four eyes)."""
    app = bootstrap()
    who, who_role = officer_of(app, officer, password_stdin)
    with app.engine.connect() as db:
        target = db.execute(
            select(officers.c.officer_id).where(officers.c.username == username)
        ).scalar_one_or_none()
    if target is None:
        raise ValidationError("username", f"no officer {username!r}")
    deps = OfficeDeps(uow=lambda: FactoryUnitOfWork(app.engine, app.clock), clock=app.clock,
                      ids=app.ids)  # fmt: skip
    subject = f"officer:{target}"
    with deps.uow() as uow:
        current = uow.approvals.open_for(subject)
    if current is None:
        item = request_approval(deps, DEFAULT_ACCESS, "role_change", subject, {"role": new_role},
                                who, who_role, note)  # fmt: skip
        typer.echo(f"approval {item['approval_id']}: {who} asks {new_role} for {username}; a "
                   f"different administrator runs `creditfactory users role {username} {new_role} "
                   "--officer …` to confirm")  # fmt: skip
        return
    if current.params.get("role") != new_role:
        raise ValidationError("role", f"the pending change {current.approval_id} asks for "
                              f"{current.params.get('role')}: confirm that, or reject it")  # fmt: skip
    if current.status is ApprovalStatus.PENDING:
        decide_approval(deps, DEFAULT_ACCESS, current.approval_id, who, who_role, True)
    execute_role_change(deps, DEFAULT_ACCESS, target, current.approval_id, who, who_role)
    typer.echo(f"approval {current.approval_id}: {username} is now {new_role} (asked by "
               f"{current.maker}, confirmed by {who})")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add `users role` to the `users` group."""
    users_app.command("role")(role)
