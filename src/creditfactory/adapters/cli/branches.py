"""`creditfactory branches add|list`: the organisation (总行 / 分行 / 支行) as data.

- `branches add BRANCH_ID --name 浦东支行 [--name-en "Pudong sub-branch"] --level sub_branch
  --parent SH`: a 分行 (`--level branch`) hangs under the head office `HQ`, a 支行 under a 分行
  or the head office. Bad input exits 2 naming the option (`--level`, `--parent`, …).
- `branches list [--format table|json]`: the tree, head office first.

Officers are placed at a branch with `users add --branch`, channel keys with `users channel-key
--branch` (the applications a key submits belong to its branch); see docs/access.md.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.factory_ports import OfficeDeps
from creditfactory.service_layer.organisation import add_branch, list_branches

__all__ = ["register"]

branches_app = typer.Typer(help="Branches: 总行 / 分行 / 支行.", no_args_is_help=True)
console = Console()


def _deps(app: App) -> OfficeDeps:
    return OfficeDeps(
        uow=lambda: FactoryUnitOfWork(app.engine, app.clock), clock=app.clock, ids=app.ids
    )


@branches_app.command("add")
def add(
    branch_id: Annotated[str, typer.Argument(help="1–32 letters, digits, '_', '.', '-'")],
    name: Annotated[str, typer.Option("--name", help="Chinese name, e.g. 浦东支行")],
    level: Annotated[str, typer.Option("--level", help="branch (分行) | sub_branch (支行)")],
    parent: Annotated[str, typer.Option("--parent", help="the branch above (HQ: 总行)")],
    name_en: Annotated[str, typer.Option("--name-en", help="English name")] = "",
) -> None:
    """Add a 分行 or 支行 under an existing branch."""
    app = bootstrap()
    try:
        added = add_branch(
            _deps(app), branch_id, name, name_en, level.strip().lower(), parent,
            f"cli:{getpass.getuser()}",
        )  # fmt: skip
    except ValidationError as exc:  # name the option the operator typed
        option = {"branch_id": "BRANCH_ID", "parent": "--parent", "level": "--level",
                  "name": "--name"}.get(exc.field, exc.field)  # fmt: skip
        raise ValidationError(option, exc.rule) from None
    console.print(f"added {added['level_zh']} {added['branch_id']} {added['name']} "
                  f"under {added['parent_id']}")  # fmt: skip


@branches_app.command("list")
def list_(output: Annotated[str, typer.Option("--format", help="table | json")] = "table") -> None:
    """Every branch: the head office, then 分行, then 支行."""
    output = output.strip().lower()
    if output not in ("table", "json"):
        raise ValidationError("--format", f"table | json, got {output!r}")
    listed = list_branches(_deps(bootstrap(existing=True)))
    if output == "json":
        typer.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    table = Table(title="branches 机构")
    for column in ("branch", "level 层级", "name 名称", "name (en)", "parent 上级"):
        table.add_column(column)
    for b in listed:
        table.add_row(b["branch_id"], b["level_zh"], b["name"], b["name_en"], b["parent_id"] or "")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `creditfactory branches …`."""
    app.add_typer(branches_app, name="branches")
