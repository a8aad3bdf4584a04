"""``creditfactory model stability --business-date D [--window-days N] [--format table|json]``:
live score PSI and CSI per characteristic of the decisions stored in the N days (default 30)
up to and including D, against each spec's development sample (docs/monitoring.md).

JSON: ``{"score_psi", "characteristics": [{"name", "csi", "status", …}], "status", …}`` for the
served spec (window, counts, thresholds, per-bin shares, other specs and alerts beside it).
A watch or act status raises a model-level monitoring alert (once per business date and spec).
Exit codes: 0 checked (stable, watch, insufficient or no reference); 3 when any status is act;
2 bad input (one line naming the option: a date that is not a date or is after today in China,
a window outside 1–366 days, an unknown format). `servicing eod` runs the same check
(`nightly_stability`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from creditfactory.adapters.storage.monitoring_store import MonitoringSqlUnitOfWork
from creditfactory.adapters.storage.stability_store import SqlDecisionHistory
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.clock import not_after_today
from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring.stability import StabilityStatus
from creditfactory.service_layer.model_stability import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    ModelStability,
    SpecWindow,
    check_model_stability,
    raise_stability_alerts,
    stability_window,
)

__all__ = ["EXIT_ACT", "nightly_stability", "stability_command", "stability_line"]

EXIT_ACT = 3  # a stability status reads "act": the model needs a decision (recalibrate, refit)
STATUS_ZH = {
    StabilityStatus.STABLE: "稳定",
    StabilityStatus.WATCH: "关注",
    StabilityStatus.ACT: "需处置",
    StabilityStatus.INSUFFICIENT: "样本不足",
    StabilityStatus.NO_REFERENCE: "无开发基准",
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("business_date", f"a date YYYY-MM-DD, got {text!r}") from None


def nightly_stability(
    app: App, business_date: date, window_days: int = DEFAULT_WINDOW_DAYS
) -> ModelStability:
    """Check the window's decisions and raise the alerts (idempotent per business date)."""
    check = check_model_stability(SqlDecisionHistory(app.engine), business_date, window_days)
    return raise_stability_alerts(
        lambda: MonitoringSqlUnitOfWork(app.engine, app.clock), app.clock, check
    )


def _status(status: StabilityStatus) -> str:
    return f"{status.value} {STATUS_ZH[status]}"


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def stability_line(check: ModelStability) -> str:
    """One line for the end-of-day report: status, served spec, counts, drifted items, alerts."""
    head = f"model stability 模型稳定性 {check.business_date}: {_status(check.status)}"
    if not check.windows:
        return f"{head} (no decisions in the {check.window_days} days to {check.business_date})"
    w = check.windows[0]
    score = w.stability.score
    drifted = [
        f"{c.name} {_value(c.value)} {c.status.value}"
        for c in w.stability.characteristics
        if c.status in (StabilityStatus.WATCH, StabilityStatus.ACT)
    ]
    model = "unknown spec" if w.spec is None else w.spec.model_id
    line = (f"{head} ({model} {w.spec_digest[:12]}, {w.stability.decisions} decisions in "
            f"{check.window_days} days; score PSI {_value(score.value)} {score.status.value}")  # fmt: skip
    line += f"; CSI {', '.join(drifted)})" if drifted else ")"
    for a in check.alerts:
        line += f"; alert {a.alert_id} {a.outcome} ({a.level.value})"
    return line


def _window_table(w: SpecWindow, title: str) -> Table:
    table = Table(title=title)
    for column in ("item 项目", "中文", "English", "PSI / CSI", "status 状态"):
        table.add_column(column, justify="right" if column == "PSI / CSI" else "left")
    s = w.stability
    table.add_row("score", "评分", "score", _value(s.score.value), _status(s.score.status))
    for c in s.characteristics:
        zh = c.name if w.spec is None else w.spec.label(c.name, "zh")
        en = c.name if w.spec is None else w.spec.label(c.name, "en")
        table.add_row(c.name, zh, en, _value(c.value), _status(c.status))
    return table


def _print_table(check: ModelStability) -> None:
    console = Console()
    start, _ = stability_window(check.business_date, check.window_days)
    console.print(
        f"Model stability 模型稳定性 — business date {check.business_date}, "
        f"{check.window_days} days from {start.date()} (China time); "
        f"thresholds: stable < 0.1 ≤ watch ≤ 0.25 < act; at least {check.min_decisions} decisions"
    )
    if not check.windows:
        console.print("no decisions in the window 窗口内无决策 — status insufficient 样本不足")
    for i, w in enumerate(check.windows):
        role = "served 在用" if i == 0 else "also decided 其他模型"
        model = "unknown spec" if w.spec is None else w.spec.model_id
        title = (f"{role}: {model} ({w.spec_digest[:12]}), {w.stability.decisions} decisions, "
                 f"{_status(w.status)}")  # fmt: skip
        console.print(_window_table(w, title))
        for n in w.stability.reference:
            console.print(
                f"reference 基准: {n.name} without {', '.join(n.left_out)} "
                f"({n.rows_left_out} of {n.rows} development rows) — never served 在用流程不产生"
            )
    for a in check.alerts:
        console.print(f"alert 预警 {a.alert_id}: {a.outcome} ({a.level.value})")
    console.print(f"status 总体状态: {_status(check.status)}")


def stability_command(
    business_date: Annotated[str, typer.Option("--business-date", help="YYYY-MM-DD")],
    window_days: Annotated[
        int, typer.Option("--window-days", help=f"days up to D, 1–{MAX_WINDOW_DAYS}")
    ] = DEFAULT_WINDOW_DAYS,
    fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
) -> None:
    """Score PSI and CSI per characteristic of the stored decisions up to D; exit 3 on "act"."""
    chosen = fmt.strip().lower()
    if chosen not in ("table", "json"):
        raise ValidationError("format", f"table or json, got {fmt!r}")
    day = _date(business_date)
    stability_window(day, window_days)  # the window is checked before any work
    app = bootstrap(existing=True)
    check = nightly_stability(app, not_after_today(day, app.clock), window_days)
    if chosen == "json":
        typer.echo(json.dumps(check.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print_table(check)
    if check.acts:
        raise typer.Exit(EXIT_ACT)
