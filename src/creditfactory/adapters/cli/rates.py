"""`creditfactory rates …`: LPR fixings as operated data (docs/pricing.md, "Operating the LPR").

- `rates import PATH [--officer USERNAME --password-stdin] [--note TEXT] [--correction]`: a CSV file (header
  `effective_date,one_year,over_five_year,confidence,source`, rates in percent) or a JSON file
  (a list of such objects, or `{"fixings": [...]}`), UTF-8, at most 1 MB; every row is checked
  and a bad one exits 2 naming `rows[<n>].<field>` with nothing stored; the fixings are stored pending with a
  rates_publication maker-checker item. Prints the import id and the approval id. A row that
  changes a published fixing (another value, or another date in its month) exits 2 unless
  `--correction` with the reason in `--note`; the approval item then shows old → new.
- `rates approve IMPORT_ID [--officer USERNAME --password-stdin]` / `rates reject IMPORT_ID …`: the checker step
  (never the maker): approving publishes the fixings, and servers follow within their polling
  interval.
- `rates list [--status S] [--format table|json]`: the series in force (version, last fixing,
  current until, stale today) and the imported fixings.

Who acts: `--officer USERNAME --password-stdin` is an active officer who proves it (password on
stdin, checked and throttled like the sign-in: `officer_auth`) and acts with their role. Without
it the command acts as `cli:<login>` in the role `risk_manager`: whoever runs the command line of
a deployment can write to its database anyway, so the record names their OS login; maker-checker
still holds (the same login cannot approve its own import).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.cli.officer_auth import Officer, PasswordStdin, acting
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork, reader_for
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.errors import ValidationError
from creditfactory.pricing.lpr_import import FIELDS
from creditfactory.service_layer import approval_flow, rates_flow
from creditfactory.service_layer.factory_ports import ApplicationNotFound, OfficeDeps

__all__ = ["read_fixings", "register"]

rates_app = typer.Typer(help="LPR fixings: import, approve / reject, list.", no_args_is_help=True)
console = Console()


def _deps(app: App) -> OfficeDeps:
    return OfficeDeps(
        uow=lambda: FactoryUnitOfWork(app.engine, app.clock),
        read=reader_for(app.engine, app.clock),
        clock=app.clock,
        ids=app.ids,
    )


MAX_FILE_BYTES = 1_000_000  # 1,000 fixings of ~500 characters at most; refused before parsing


def _text_of(path: Path) -> str:
    """The UTF-8 text of `path`, read bounded. raises ValidationError("path")."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError("path", f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("path", f"{path} is over {MAX_FILE_BYTES:,} bytes (1,000 fixings)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "path", f"{path} is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})"
        ) from None


def _json_rows(path: Path, text: str) -> list[Any]:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: '[' nested 100,000 deep
        reason = exc if isinstance(exc, ValueError) else "nested too deeply"
        raise ValidationError("path", f"{path} is not JSON: {reason}") from None
    rows = doc.get("fixings") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        raise ValidationError("path", f'{path}: a JSON list of fixings or {{"fixings": [...]}}')
    return rows


def _csv_rows(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(text.splitlines())
    try:
        header = reader.fieldnames
        if header is None or len(header) != len(FIELDS) or set(header) != set(FIELDS):
            raise ValidationError(
                "path", f"{path}: a CSV header of exactly " + ",".join(FIELDS) + ", each once"
            )
        return [dict(row) for row in reader]
    except csv.Error as exc:  # a field over the csv module's limit (131,072 characters), …
        raise ValidationError("path", f"{path} line {reader.line_num + 1}: {exc}") from None


def read_fixings(path: Path) -> list[Any]:
    """The rows of a CSV or JSON fixings file (module docstring) of at most 1 MB, UTF-8. raises
    ValidationError("path") naming the file (and the line of a broken CSV)."""
    text = _text_of(path)
    if path.suffix.lower() == ".json":
        return _json_rows(path, text)
    return _csv_rows(path, text)


@rates_app.command("import")
def import_(
    path: Path,
    officer: Officer = None,
    password_stdin: PasswordStdin = False,
    note: Annotated[str, typer.Option(help="why (kept with the approval item)")] = "",
    correction: Annotated[
        bool, typer.Option("--correction", help="change published fixings (reason in --note)")
    ] = False,
) -> None:
    """Import LPR fixings as pending; a second officer publishes them (`rates approve`)."""
    app = bootstrap()
    deps = _deps(app)
    maker, role = acting(app, officer, password_stdin)
    view, created = rates_flow.import_rates(deps, DEFAULT_ACCESS, read_fixings(path), maker,
                                            role, note, correction)  # fmt: skip
    first, last = view["fixings"][0]["effective_date"], view["fixings"][-1]["effective_date"]
    verb = "imported" if created else "already imported"
    console.print(
        f"{verb} {len(view['fixings'])} fixings {first} … {last} as {view['import_id']} "
        f"({view['status']}, by {view['imported_by']}); approval {view['approval_id']}: "
        f"another officer runs `creditfactory rates approve {view['import_id']}`"
    )


def _decide(import_id: str, officer: str | None, password_stdin: bool, approved: bool) -> None:
    app = bootstrap()
    deps = _deps(app)
    checker, role = acting(app, officer, password_stdin)
    with deps.uow() as uow:
        item = rates_flow.approval_of(uow, import_id)
    if item is None:
        raise ApplicationNotFound(f"import_id: no import {import_id!r}")
    decided = approval_flow.decide_approval(deps, DEFAULT_ACCESS, item.approval_id, checker, role,
                                            approved)  # fmt: skip
    outcome = "published" if approved else "rejected"
    console.print(f"{import_id} {outcome} by {checker} (approval {decided['approval_id']})")


@rates_app.command("approve")
def approve(import_id: str, officer: Officer = None, password_stdin: PasswordStdin = False) -> None:
    """Checker: publish a pending import (never its maker)."""
    _decide(import_id, officer, password_stdin, True)


@rates_app.command("reject")
def reject(import_id: str, officer: Officer = None, password_stdin: PasswordStdin = False) -> None:
    """Checker: reject a pending import (never its maker)."""
    _decide(import_id, officer, password_stdin, False)


@rates_app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="pending | published | rejected")] = None,
    output: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """The LPR series in force and the imported fixings."""
    output = output.strip().lower()  # JSON / Json as well, like `model … --format`
    if output not in ("table", "json"):
        raise ValidationError("format", f"table | json, got {output!r}")
    listed = rates_flow.list_rates(_deps(bootstrap(existing=True)), status)
    if output == "json":
        typer.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    last = listed["last_fixing"]
    console.print(
        f"LPR series {listed['series_version']}: last fixing {last['effective_date']} "
        f"1Y {last['one_year']} % / 5Y+ {last['over_five_year']} % [{last['confidence']}], "
        f"current until {listed['current_until']}"
        + (" — STALE today: decisions are referred" if listed["stale"] else "")
    )
    table = Table(title="imported LPR fixings 导入的贷款市场报价利率")
    for column in ("date", "1Y %", "5Y+ %", "tag", "status"):
        table.add_column(column, no_wrap=True)
    # the import id is what `rates approve` takes: folded whole at 80 columns, never truncated
    for column in ("import", "by", "checked by"):
        table.add_column(column, overflow="fold")
    for row in listed["imported"]:
        table.add_row(row["effective_date"], row["one_year"], row["over_five_year"],
                      row["confidence"], row["status"], row["import_id"], row["imported_by"],
                      row["decided_by"] or "")  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `creditfactory rates …`."""
    app.add_typer(rates_app, name="rates")
