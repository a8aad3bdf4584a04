"""`creditfactory monitor …`: post-loan monitoring (docs/monitoring.md).

Contract:
    monitor enrol FILE.csv              borrowers to watch: borrower_id, uscc, name, controller_id,
                                        related_parties (space-separated)
    monitor ingest FILE [--format jsonl|csv]
                                        accepted / duplicates / rejects (line, reason) /
                                        out-of-order lines; rejects are kept in monitoring_rejects
    monitor poll URL                    the same from an HTTP feed ({"lines", "next_cursor"})
    monitor ingest-transactions FILE [--feed-format jsonl|csv]
                                        account transactions (fund flows), same report
    monitor ingest-invoices FILE [--feed-format csv|jsonl]
                                        VAT invoices in the CUMCM layout (.gz read as is)
    monitor run --business-date D       incremental scan, warnings, alerts, grade floors; D may
                                        not be after today (China time, by the app's clock): a
                                        run blocks every earlier date for good
    monitor alerts [--status S]         the alert queue with SLA state
    monitor assign ID --to USER --actor USER --password-stdin
    monitor investigate ID --actor USER --password-stdin
    monitor dispose ID --action A [--action B] --actor USER --password-stdin [--note TEXT]
                    [--downgrade-to GRADE] [--business-date D]   (D: the 加速到期 date)
    monitor release-floor LOAN --actor USER --password-stdin --reason TEXT [--to GRADE]
                                        a risk officer lowers a warning floor (audited)
    monitor dismiss ID --reason TEXT --actor USER --password-stdin
    monitor report [--out DIR]          level distribution per run, alert ageing, hit rates (PNG)
All take --format text|json where they print. Bad input → exit 2 with one line.
The actions in an officer's name authenticate them (`adapters/cli/officer_auth.py`): the
password comes on stdin, the role must hold `monitoring.act` (`monitoring.release_floor` to
release a floor); a wrong password, a throttled name or a role without it → exit 2.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import insert, select

from creditfactory.adapters.cli.jobs import batch_job
from creditfactory.adapters.cli.officer_auth import PasswordStdin, authenticated
from creditfactory.adapters.storage.monitoring_store import (
    AlertNotFound,
    MonitoringSqlUnitOfWork,
    SqlAlertRepository,
)
from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_borrowers,
    monitoring_runs,
    monitoring_signal_state,
)
from creditfactory.adapters.storage.repositories import LoanNotFound
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.clock import not_after_today
from creditfactory.kernel.errors import ValidationError
from creditfactory.monitoring.alerts import Alert, DispositionAction
from creditfactory.monitoring.errors import InvalidFloorRelease
from creditfactory.monitoring.services import (
    assign_alert,
    dismiss_alert,
    dispose_alert,
    investigate_alert,
    release_grade_floor,
)
from creditfactory.servicing.classification import LoanGrade

monitor_app = typer.Typer(
    help="Post-loan monitoring: feeds, scans, warnings, alerts.", no_args_is_help=True
)
Fmt = Annotated[str, typer.Option("--format", help="text or json")]
ACT = "monitoring.act"  # the permission of the alert actions (access-2026.3)


def _format(fmt: str) -> str:
    """text or json, any case; checked before any work so a bad value changes nothing."""
    chosen = fmt.strip().lower()
    if chosen not in ("text", "json"):
        raise ValidationError("format", "text or json")
    return chosen


def _out(payload: Any, fmt: str) -> None:
    if _format(fmt) == "json":
        typer.echo(json.dumps(payload, default=str, ensure_ascii=False))
    else:
        typer.echo(json.dumps(payload, default=str, ensure_ascii=False, indent=2))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("business_date", "a date YYYY-MM-DD") from None


def _not_future(business_date: date, app: App) -> date:
    """Refuse a business date after today: a run there would block every real date before it."""
    return not_after_today(business_date, app.clock)


@monitor_app.command("enrol")
def enrol(path: Path, fmt: Fmt = "text") -> None:
    """Register borrowers to watch (CSV)."""
    if not path.exists():
        raise ValidationError("file", f"{path} does not exist")
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            {"borrower_id": r["borrower_id"], "uscc": r["uscc"], "name": r.get("name", ""),
             "controller_id": r.get("controller_id") or None, "related_parties": ",".join((r.get("related_parties") or "").split())}
            for r in csv.DictReader(f)
        ]  # fmt: skip
    app = bootstrap()
    with app.engine.begin() as conn:
        known = set(conn.execute(select(monitoring_borrowers.c.borrower_id)).scalars())
        new = [r for r in rows if r["borrower_id"] not in known]
        if new:
            conn.execute(insert(monitoring_borrowers), new)
    _out({"enrolled": len(new), "already": len(rows) - len(new)}, fmt)


@monitor_app.command("ingest")
def ingest(
    path: Path,
    feed_format: Annotated[str, typer.Option("--feed-format", help="jsonl or csv")] = "jsonl",
    fmt: Fmt = "text",
) -> None:
    """Ingest a feed file; prints what was accepted, ignored and rejected (with line numbers)."""
    if feed_format not in ("jsonl", "csv"):
        raise ValidationError("feed_format", "jsonl or csv")
    if not path.exists():
        raise ValidationError("file", f"{path} does not exist")
    app = bootstrap()
    with app.engine.begin() as conn:
        summary = batch_job("monitoring_ingest").ingest_file(
            conn, path, feed_format, app.clock.now()
        )
    _out(summary.as_dict(), fmt)


def _flow_ingest(path: Path, feed_format: str, fmt: str, job: str) -> None:
    if feed_format not in ("jsonl", "csv"):
        raise ValidationError("feed_format", "jsonl or csv")
    if not path.exists():
        raise ValidationError("file", f"{path} does not exist")
    app = bootstrap()
    with app.engine.begin() as conn:
        summary = getattr(batch_job("monitoring_flow_ingest"), job)(
            conn, path, feed_format, app.clock.now()
        )
    _out(summary.as_dict(), fmt)


@monitor_app.command("ingest-transactions")
def ingest_transactions(
    path: Path,
    feed_format: Annotated[str, typer.Option("--feed-format", help="jsonl or csv")] = "jsonl",
    fmt: Fmt = "text",
) -> None:
    """Ingest an account-transaction feed (fund flows); rejects are kept with line numbers."""
    _flow_ingest(path, feed_format, fmt, "ingest_transactions_file")


@monitor_app.command("ingest-invoices")
def ingest_invoices(
    path: Path,
    feed_format: Annotated[str, typer.Option("--feed-format", help="csv or jsonl")] = "csv",
    fmt: Fmt = "text",
) -> None:
    """Ingest VAT invoices in the CUMCM layout; rejects are kept with line numbers."""
    _flow_ingest(path, feed_format, fmt, "ingest_invoices_file")


def _grade(text: str, name: str) -> LoanGrade:
    try:
        return LoanGrade(text)
    except ValueError:
        raise ValidationError(name, f"one of {', '.join(g.value for g in LoanGrade)}") from None


@monitor_app.command("poll")
def poll(url: str, fmt: Fmt = "text") -> None:
    """Poll an HTTP event feed until it has no next page."""
    app = bootstrap()
    with app.engine.begin() as conn:
        ingest = batch_job("monitoring_ingest")
        summary, cursor = ingest.poll_feed(conn, ingest.HttpEventFeed(url), url, app.clock.now())
    _out({**summary.as_dict(), "cursor": cursor}, fmt)


@monitor_app.command("run")
def run(
    business_date: Annotated[str, typer.Option("--business-date", help="YYYY-MM-DD")],
    fmt: Fmt = "text",
) -> None:
    """Scan the book for `business_date` (new events only), write warnings, raise alerts.

    `business_date` must not be after today (China time): runs only move forward.
    """
    day, fmt = _date(business_date), _format(fmt)
    app = bootstrap()
    summary = batch_job("monitoring_run").run_monitoring(
        app.engine, app.clock, app.ids, _not_future(day, app)
    )
    _out(summary.as_dict(), fmt)


def _alert_row(a: Alert, app: App) -> dict[str, Any]:
    now = app.clock.now()
    return {"alert_id": a.alert_id, "borrower_id": a.borrower_id, "level": a.level.value, "status": a.status.value,
            "assignee": a.assignee, "age_days": a.age_days(now), "due_at": a.due_at, "breached": a.breached(now),
            "contributors": list(a.contributors), "actions": [x.value for x in a.actions], "reason": a.reason}  # fmt: skip


@monitor_app.command("alerts")
def alerts(
    status: Annotated[
        str | None, typer.Option(help="open, assigned, investigating, disposed, dismissed")
    ] = None,
    fmt: Fmt = "text",
) -> None:
    """List alerts with their SLA state."""
    app = bootstrap(existing=True)
    with app.engine.connect() as conn:
        rows = [_alert_row(a, app) for a in SqlAlertRepository(conn).list(status)]
    _out(rows, fmt)


def _work(action: Any) -> None:
    try:
        action()
    except AlertNotFound as exc:
        raise ValidationError("alert_id", str(exc).split(": ", 1)[-1]) from None


@monitor_app.command("assign")
def assign(
    alert_id: str,
    to: Annotated[str, typer.Option("--to")],
    actor: Annotated[str, typer.Option()],
    password_stdin: PasswordStdin = False,
    fmt: Fmt = "text",
) -> None:
    """Assign an alert."""
    app = bootstrap()
    actor = authenticated(app, actor, password_stdin, ACT)
    _work(
        lambda: assign_alert(
            MonitoringSqlUnitOfWork(app.engine, app.clock), app.clock, alert_id, to, actor
        )
    )
    _out({"alert_id": alert_id, "status": "assigned"}, fmt)


@monitor_app.command("investigate")
def investigate(
    alert_id: str,
    actor: Annotated[str, typer.Option()],
    password_stdin: PasswordStdin = False,
    fmt: Fmt = "text",
) -> None:
    """Start investigating an alert."""
    app = bootstrap()
    actor = authenticated(app, actor, password_stdin, ACT)
    _work(
        lambda: investigate_alert(
            MonitoringSqlUnitOfWork(app.engine, app.clock), app.clock, alert_id, actor
        )
    )
    _out({"alert_id": alert_id, "status": "investigating"}, fmt)


@monitor_app.command("dispose")
def dispose(
    alert_id: str,
    action: Annotated[list[str], typer.Option("--action")],
    actor: Annotated[str, typer.Option()],
    password_stdin: PasswordStdin = False,
    note: str = "",
    downgrade_to: Annotated[str, typer.Option(help="floor for downgrade")] = "SPECIAL_MENTION",
    business_date: Annotated[
        str | None,
        typer.Option("--business-date", help="加速到期 date, not after today (default today)"),
    ] = None,
    fmt: Fmt = "text",
) -> None:
    """Dispose an alert with actions: freeze_undrawn_limit (freezes the facilities), accelerate
    (加速到期 of every active loan), downgrade (grade floor), request_information and
    add_collateral (recorded tasks)."""
    try:
        actions = tuple(DispositionAction(a.strip().lower()) for a in action)
    except ValueError:
        raise ValidationError(
            "action", f"one of {', '.join(a.value for a in DispositionAction)}"
        ) from None
    floor = _grade(downgrade_to, "downgrade_to")
    app = bootstrap()
    on = _not_future(_date(business_date), app) if business_date else None
    actor = authenticated(app, actor, password_stdin, ACT)
    _work(
        lambda: dispose_alert(
            MonitoringSqlUnitOfWork(app.engine, app.clock),
            app.clock,
            alert_id,
            actions,
            actor,
            note,
            floor,
            on,
        )
    )
    _out({"alert_id": alert_id, "status": "disposed", "actions": [a.value for a in actions]}, fmt)


@monitor_app.command("release-floor")
def release_floor(
    loan_id: str,
    actor: Annotated[str, typer.Option()],
    reason: Annotated[str, typer.Option()],
    password_stdin: PasswordStdin = False,
    to: Annotated[str, typer.Option(help="the lower floor (default PASS: no floor)")] = "PASS",
    fmt: Fmt = "text",
) -> None:
    """Release (lower) a loan's warning grade floor — a risk officer's audited decision; the
    next end-of-day re-grades the loan. Monitoring raises it again only on a worse warning."""
    floor = _grade(to, "to")
    if not reason.strip():
        raise ValidationError("reason", "required non-empty text")
    app = bootstrap()
    actor = authenticated(app, actor, password_stdin, "monitoring.release_floor")
    try:
        release = release_grade_floor(
            MonitoringSqlUnitOfWork(app.engine, app.clock), app.clock, loan_id, actor, reason, floor
        )
    except InvalidFloorRelease as exc:
        raise ValidationError("to", str(exc).split(": ", 1)[-1]) from None
    except LoanNotFound:
        raise ValidationError("loan_id", f"no loan {loan_id!r}") from None
    _out({"loan_id": loan_id, "from": release.from_floor, "to": release.to_floor,
          "level": release.level.value, "actor": actor}, fmt)  # fmt: skip


@monitor_app.command("dismiss")
def dismiss(
    alert_id: str,
    reason: Annotated[str, typer.Option()],
    actor: Annotated[str, typer.Option()],
    password_stdin: PasswordStdin = False,
    fmt: Fmt = "text",
) -> None:
    """Dismiss an alert with a reason."""
    app = bootstrap()
    actor = authenticated(app, actor, password_stdin, ACT)
    _work(
        lambda: dismiss_alert(
            MonitoringSqlUnitOfWork(app.engine, app.clock), app.clock, alert_id, reason, actor
        )
    )
    _out({"alert_id": alert_id, "status": "dismissed"}, fmt)


@monitor_app.command("report")
def report(
    out: Annotated[Path, typer.Option(help="directory for the PNG plots")] = Path(
        "var/monitoring_report"
    ),
    fmt: Fmt = "text",
) -> None:
    """Warning-level distribution per run, alert ageing and signal hit rates (with plots)."""
    app = bootstrap(existing=True)
    with app.engine.connect() as conn:
        runs = [
            {"business_date": r.business_date, **json.loads(r.levels)["borrower"]}
            for r in conn.execute(select(monitoring_runs).order_by(monitoring_runs.c.business_date))
        ]
        hits = Counter[str]()
        for kind, n in conn.execute(
            select(monitoring_signal_state.c.kind, monitoring_signal_state.c.hits)
        ):
            hits[kind] += int(n)
        borrowers = len(list(conn.execute(select(monitoring_borrowers.c.borrower_id)).scalars()))
        ages: dict[str, list[int]] = defaultdict(list)
        for a in SqlAlertRepository(conn).list():
            ages[a.status.value].append(a.age_days(app.clock.now()))
    out.mkdir(parents=True, exist_ok=True)
    plot = batch_job("monitoring_report")
    plots = []
    if runs:
        plots.append(str(plot.plot_levels(runs, out / "levels.png")))
    if hits:
        plots.append(str(plot.plot_hit_rates(hits, borrowers, out / "hit_rates.png")))
    if ages:
        plots.append(str(plot.plot_alert_ageing(ages, out / "alert_ageing.png")))
    _out({"runs": runs, "hits_by_kind": dict(hits), "alert_ages": ages, "plots": plots}, fmt)


def register(app: typer.Typer) -> None:
    """Add `monitor` to the root command."""
    app.add_typer(monitor_app, name="monitor")
