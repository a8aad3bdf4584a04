"""Who acts on the command line: an officer who proves it (issue 13 defect 12).

A command that acts in an officer's name (`monitor assign|investigate|dispose|dismiss|
release-floor --actor USER`, `rates import|approve|reject --officer USER`) reads that officer's
password from standard input (`--password-stdin`, one line, so it stays out of shell history and
the process list), checks it like the sign-in does — same argon2id hash, same throttle, the
address being `cli:<OS login>` — and then requires the officer's CURRENT role to hold the
command's permission in the access document. A name alone is no longer believed.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.api.security import Security
from creditfactory.bootstrap import App
from creditfactory.kernel.errors import ValidationError

__all__ = [
    "CLI_ROLE",
    "Officer",
    "PasswordStdin",
    "acting",
    "authenticated",
    "officer_of",
    "security_for",
]

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="read the acting officer's password from stdin"),
]
Officer = Annotated[str | None, typer.Option("--officer", help="act as this officer (username)")]
CLI_ROLE = "risk_manager"


def security_for(app: App) -> Security:
    """The identity checks over the app's database."""
    return Security(app.engine, app.settings.secret_key, app.clock, DEFAULT_ACCESS)


def officer_of(app: App, username: str, password_stdin: bool) -> tuple[str, str]:
    """(officer id, current role) of `username` once their password (stdin) checks. raises
    ValidationError("password") without --password-stdin, Unauthorized ("credentials: …"),
    LoginThrottled — each exit 2."""
    if not password_stdin:
        raise ValidationError(
            "password", "give --password-stdin and pipe the officer's password in"
        )
    password = sys.stdin.readline().rstrip("\n")
    return security_for(app).authenticate(username, password, f"cli:{getpass.getuser()}")


def acting(app: App, username: str | None, password_stdin: bool) -> tuple[str, str]:
    """(who, role) of a checked action's step (`rates …`, `model approve`): the officer
    `username` once authenticated (`officer_of`), or without one `cli:<OS login>` in the role
    `CLI_ROLE` — whoever runs a deployment's command line can write to its database anyway, so
    the record names their login, and maker-checker still holds (one login cannot check its own
    item)."""
    if username is None:
        return f"cli:{getpass.getuser()}", CLI_ROLE
    return officer_of(app, username, password_stdin)


def authenticated(app: App, username: str, password_stdin: bool, permission: str) -> str:
    """The officer id of `username` once authenticated (`officer_of`) with a role holding
    `permission`. raises as `officer_of`, and PermissionDenied ("role: …", exit 2)."""
    officer_id, role = officer_of(app, username, password_stdin)
    DEFAULT_ACCESS.require(role, permission)
    return officer_id
