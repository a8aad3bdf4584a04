"""Officer accounts from the command line: list them, add one without a role, create the first
administrator, issue a channel API key.

Roles after the first administrator come only through an approved role change (maker-checker,
docs/access.md). Every command here writes its audit leaf. Passwords are read from standard input
(`--password-stdin`) so they never appear in shell history or the process list.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.storage.identity_tables import officers
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.errors import ValidationError

users_app = typer.Typer(help="Officer accounts and channel keys.", no_args_is_help=True)
console = Console()
ADMIN = "administrator"


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
    """Officers with their role and whether they are active."""
    app = bootstrap()
    with app.engine.connect() as db:
        rows = db.execute(
            select(officers.c.username, officers.c.role, officers.c.active).order_by(
                officers.c.username
            )
        ).all()
    table = Table(title="officers 工作人员")
    for column in ("username", "role", "active"):
        table.add_column(column)
    for username, role, active in rows:
        table.add_row(username, role, "yes" if active else "no")
    console.print(table)


@users_app.command("add")
def add(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Add an officer with no role (a role comes through an approved role change)."""
    app = bootstrap()
    officer_id = _security(app).create_officer(
        username, _password(password_stdin), "none", app.clock.now()
    )
    console.print(f"created {officer_id} without a role; request a role change to grant one")


@users_app.command("bootstrap-admin")
def bootstrap_admin(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Create the first administrator; refused once any administrator exists."""
    app = bootstrap()
    with app.engine.connect() as db:
        exists = db.execute(select(officers.c.officer_id).where(officers.c.role == ADMIN)).first()
    if exists is not None:
        raise ValidationError("username", "an administrator exists: use an approved role change")
    password = _password(password_stdin)
    officer_id = _security(app).create_officer(
        username, password, ADMIN, app.clock.now(), actor="system:bootstrap"
    )
    console.print(f"created administrator {officer_id}")


@users_app.command("channel-key")
def channel_key(channel_id: str) -> None:
    """Issue an API key for a channel; it is printed once (only its hash is stored)."""
    app = bootstrap()
    key = _security(app).create_api_key(channel_id, app.clock.now())
    console.print(key, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `creditfactory users …`."""
    app.add_typer(users_app, name="users")
