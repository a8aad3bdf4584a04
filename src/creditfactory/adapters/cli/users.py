"""Officer accounts from the command line: list them, add one without a role, create the first
two administrators, deactivate an officer, reset a password, end an officer's sessions, issue and
revoke a channel API key.

First start (issue 13 defect 4): a role change needs a maker and a different administrator as
checker, so `bootstrap-admin` creates administrators until two active ones exist — the four eyes
from the start — and is refused after that. It is also the documented break-glass path: should
fewer than two administrators remain active, the operator of the deployment (who can write to its
database anyway) may create one again; every use is an audit leaf by `system:bootstrap` naming the
OS login. Roles after that come only through an approved role change (maker-checker,
docs/access.md).

`deactivate`, `reset-password`, `revoke` and `revoke-key` are the operator's containment actions
(a leaver, a lost password, a stolen token or key): they take effect at once (sessions end on the
server), need a `--reason`, and are audited with the operator's OS login. Passwords are read from
standard input (`--password-stdin`, one per line) so they never appear in shell history or the
process list.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.storage.identity_tables import officers
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.errors import ValidationError

users_app = typer.Typer(help="Officer accounts and channel keys.", no_args_is_help=True)
console = Console()
ADMIN = "administrator"
FOUR_EYES = 2  # administrators bootstrap creates: a role change needs a maker and a checker


def _security(app: App) -> Security:
    return Security(app.engine, app.settings.secret_key, app.clock, DEFAULT_ACCESS)


def _password(from_stdin: bool) -> str:
    if not from_stdin:
        raise ValidationError("password", "give --password-stdin and pipe the password in")
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise ValidationError("password", "must be at least 12 characters")
    return password


@users_app.command("list")
def list_users() -> None:
    """Officers with their role, branch and whether they are active."""
    app = bootstrap(existing=True)
    with app.engine.connect() as db:
        rows = db.execute(
            select(
                officers.c.username, officers.c.role, officers.c.branch_id, officers.c.active
            ).order_by(officers.c.username)
        ).all()
    table = Table(title="officers 工作人员")
    for column in ("username", "role", "branch", "active"):
        table.add_column(column)
    for username, role, branch_id, active in rows:
        table.add_row(username, role, branch_id, "yes" if active else "no")
    console.print(table)


Branch = Annotated[
    str, typer.Option("--branch", help="branch id (creditfactory branches list); HQ: 总行")
]


@users_app.command("add")
def add(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    branch: Branch = HEAD_OFFICE,
) -> None:
    """Add an officer with no role (a role comes through an approved role change) at a branch:
    they see its applications and loans and those of the branches below it."""
    app = bootstrap()
    officer_id = _security(app).create_officer(
        username, _password(password_stdin), "none", app.clock.now(), branch_id=branch
    )
    console.print(f"created {officer_id} without a role; request a role change to grant one")


@users_app.command("bootstrap-admin")
def bootstrap_admin(
    usernames: Annotated[list[str], typer.Argument(help="one or two usernames")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Create the first administrators (one password per line on stdin) until two are active;
    refused once two active administrators exist (module docstring)."""
    app = bootstrap()
    with app.engine.connect() as db:
        active = db.execute(
            select(officers.c.username).where(officers.c.role == ADMIN, officers.c.active)
        ).all()
    if len(active) + len(usernames) > FOUR_EYES:
        raise ValidationError(
            "username",
            f"{len(active)} active administrators exist; bootstrap makes at most {FOUR_EYES}: "
            "use an approved role change",
        )
    passwords = [_password(password_stdin) for _ in usernames]
    for username, password in zip(usernames, passwords, strict=True):
        officer_id = _security(app).create_officer(
            username, password, ADMIN, app.clock.now(), actor=f"system:bootstrap:{_operator()}"
        )
        console.print(f"created administrator {officer_id}")
    if len(active) + len(usernames) < FOUR_EYES:
        console.print("one more administrator is needed before any role can be granted (four eyes)")


Reason = Annotated[str, typer.Option("--reason", help="why (kept in the audit leaf)")]


def _containment(reason: str) -> tuple[Security, str, str]:
    """The identity checks, the acting operator ("cli:<OS login>") and the checked reason of a
    containment command. raises ValidationError("reason") for less than 5 characters."""
    if len(reason.strip()) < 5:
        raise ValidationError("reason", "say why in at least 5 characters")
    return _security(bootstrap()), f"cli:{_operator()}", reason.strip()


def _operator() -> str:
    return getpass.getuser()


@users_app.command("deactivate")
def deactivate(username: str, reason: Reason = "") -> None:
    """Deactivate an officer: no sign-in, every session ends at once."""
    security, actor, why = _containment(reason)
    officer_id = security.deactivate(username, actor, why)
    console.print(f"deactivated {officer_id}; its sessions are ended")


@users_app.command("reset-password")
def reset_password(
    username: str,
    reason: Reason = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Set a new password (stdin); the officer's sessions end and their failure count clears."""
    security, actor, why = _containment(reason)
    officer_id = security.reset_password(username, _password(password_stdin), actor, why)
    console.print(f"password of {officer_id} reset; its sessions are ended")


@users_app.command("revoke")
def revoke(username: str, reason: Reason = "") -> None:
    """End every session of an officer (a token that leaked)."""
    security, actor, why = _containment(reason)
    ended = security.revoke_sessions(username, actor, why)
    console.print(f"{ended} session(s) of {username} ended")


@users_app.command("channel-key")
def channel_key(channel_id: str, branch: Branch = HEAD_OFFICE) -> None:
    """Issue an API key for a channel at a branch (the applications it submits belong to that
    branch); it is printed once (only its hash is stored)."""
    app = bootstrap()
    key = _security(app).create_api_key(channel_id, app.clock.now(), branch)
    console.print(key, soft_wrap=True)


@users_app.command("revoke-key")
def revoke_key(key_id: str, reason: Reason = "") -> None:
    """Revoke a channel API key by its id (the 16 hex characters after `cfk_`)."""
    security, actor, why = _containment(reason)
    channel = security.revoke_api_key(key_id, actor, why)
    console.print(f"key {key_id} of channel {channel} revoked")


def register(app: typer.Typer) -> None:
    """Add `creditfactory users …`."""
    app.add_typer(users_app, name="users")
