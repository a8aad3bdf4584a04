"""`creditfactory demo`: the README's main job — the 310 flow on real applications.

SBA mode (default): create the SQLite database, train the scorecard on the bundled SBA case data
(`data/sba_loans_case`, U.S. public domain; `Selected == 1` half), start the API on
127.0.0.1:8000, send the 1,051 held-out loans (`Selected == 0`) as applications over HTTP,
print the summary and a backtest against the known outcomes, then serve until Ctrl-C.

Invoices mode (`--invoices DIR`): train on CUMCM 2020 C's 123 rated firms, let the 302 unrated
firms apply with their own VAT invoices (CsvInvoiceSource, with consent), allocate a 1 亿 CNY
budget across the approved offers, and save a report (markdown + CSV).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas
import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from creditfactory.config import Settings
from creditfactory.origination.application import demo_uscc
from creditfactory.scoring.training.datasets import sba_declared

__all__ = ["BackgroundServer", "register", "start_api"]

REPO = Path(__file__).resolve().parents[4]
ASGI_FACTORY = "creditfactory.adapters.api.asgi:create_from_env"
console = Console()


@dataclass
class BackgroundServer:
    """uvicorn serving the API (by import string, so the CLI does not import the API package)
    on a daemon thread."""

    host: str = "127.0.0.1"
    port: int = 8000

    def start(self, timeout_s: float = 60.0) -> None:
        """Start and wait until the socket listens."""
        config = uvicorn.Config(
            ASGI_FACTORY, factory=True, host=self.host, port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start on {self.host}:{self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        while self.thread.is_alive():
            self.thread.join(timeout=1.0)


def start_api(
    spec: Path, port: int, env: dict[str, str] | None = None
) -> tuple[BackgroundServer, str]:
    """Serve the API over `spec` on 127.0.0.1:`port` with a fresh channel key; returns both."""
    key = f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"
    os.environ.update(
        {
            "CREDITFACTORY_MODEL_SPEC": str(spec),
            "CREDITFACTORY_BOOTSTRAP_API_KEY": key,
            **(env or {}),
        }
    )
    server = BackgroundServer(port=port)
    with console.status(f"starting the API on http://127.0.0.1:{port} …"):
        server.start()
    return server, key


def _train(dataset: str, data_dir: Path, out: Path, split: str | None) -> Path:
    os.environ["CREDITFACTORY_SHARED_DATA"] = str(data_dir)
    from creditfactory.scoring.training.pipeline import train, write_outputs

    with console.status(f"training the scorecard on {dataset} (optbinning + logistic)…"):
        trained = train(dataset, split_column=split, cv_repeats=1)
        write_outputs(trained, out)
    figures = trained.result["validation"]
    console.print(
        f"model [bold]{trained.spec.model_id}[/]: {len(trained.spec.features)} characteristics, "
        f"validation AUC {figures['auc']:.3f}, KS {figures['ks']:.3f} → {out / 'report.html'}"
    )
    return out / "spec.json"


def _fresh_database(settings: Settings) -> None:
    url = settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _send(
    client: httpx.Client, key: str, rows: list[tuple[str, dict[str, Any]]], workers: int
) -> list[tuple[str, dict[str, Any], float]]:
    def one(item: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any], float]:
        ref, body = item
        started = time.perf_counter()
        response = client.post(
            "/api/v1/applications", json=body, headers={"X-API-Key": key, "Idempotency-Key": ref}
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return ref, response.json(), elapsed

    results = []
    with Progress(console=console) as progress, ThreadPoolExecutor(workers) as pool:
        task = progress.add_task("applications over HTTP", total=len(rows))
        for result in pool.map(one, rows):
            results.append(result)
            progress.advance(task)
    return results


def _sba_rows() -> list[dict[str, Any]]:
    with (REPO / "data" / "sba_loans_case" / "SBAcase.11.13.17.csv").open(
        encoding="utf-8-sig"
    ) as f:
        return [r for r in csv.DictReader(f) if r["Selected"] == "0"]


def _sba_application(row: dict[str, str], declared: dict[str, Any]) -> dict[str, Any]:
    return {
        "applicant": {
            "applicant_type": "enterprise",
            "name": row["Name"][:200] or "unnamed",
            "uscc": demo_uscc(int(row["LoanNr_ChkDgt"])),
        },
        "amount": f"{float(row['GrAppv']):.2f}",
        "term_months": max(1, min(int(float(row["Term"])), 36)),
        "declared": declared,
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _latency(results: list[tuple[str, dict[str, Any], float]]) -> tuple[float, float]:
    ms = sorted(r[2] * 1000 for r in results)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.99 * len(ms)))]


def _summary(results: list[tuple[str, dict[str, Any], float]], seconds: float) -> None:
    status = Counter(r[1]["status"] for r in results)
    declines = Counter(
        f"{x['code']} {x['en']}"
        for r in results
        if r[1]["status"] == "declined"
        for x in r[1]["decision"]["reasons"]
        if x["kind"] == "knockout"
    )
    funded = [r[1] for r in results if r[1]["status"] == "disbursed"]
    amount = sum(float(a["offer"]["amount"]) for a in funded)
    rate = sum(float(a["offer"]["annual_rate"]) * float(a["offer"]["amount"]) for a in funded)
    el = sum(float(a["decision"]["expected_loss"]) for a in funded)
    p50, p99 = _latency(results)
    table = Table(title="310 flow — summary", show_header=False)
    table.add_row(
        "applications", f"{len(results)} in {seconds:.1f} s ({len(results) / seconds:.0f}/s)"
    )
    for name in ("disbursed", "declined", "referred"):
        table.add_row(
            f"  {name}", f"{status.get(name, 0)} ({_pct(status.get(name, 0) / len(results))})"
        )
    table.add_row("amount disbursed", f"{amount:,.2f} CNY in {len(funded)} loans")
    table.add_row("average rate (amount-weighted)", _pct(rate / amount) if amount else "—")
    table.add_row("expected loss (1 year)", f"{el:,.2f} CNY")
    table.add_row("latency apply → disbursed", f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    console.print(table)
    top = Table(title="top decline reasons (an application can have several)")
    top.add_column("reason")
    top.add_column("declined applications citing it", justify="right")
    for reason, n in declines.most_common(5):
        top.add_row(reason, str(n))
    console.print(top)


def _interest(principal: float, annual_rate: float, months: int) -> float:
    r = annual_rate / 12
    payment = principal * r / (1 - (1 + r) ** -months) if r else principal / months
    return payment * months - principal


def _backtest(
    results: list[tuple[str, dict[str, Any], float]], rows: dict[str, dict[str, str]]
) -> None:
    groups: dict[str, list[int]] = {}
    earned = lost = 0.0
    for ref, app, _ in results:
        row = rows[ref]
        default = int(row["Default"])
        groups.setdefault(app["status"], []).append(default)
        if app["status"] != "disbursed":
            continue
        amount, rate = float(app["offer"]["amount"]), float(app["offer"]["annual_rate"])
        if default:  # realised SBA loss share of the approved amount
            lost += amount * float(row["ChgOffPrinGr"]) / max(float(row["GrAppv"]), 1.0)
        else:
            earned += _interest(amount, rate, app["offer"]["term_months"])
    table = Table(title="backtest against the known SBA outcomes (held-out half)")
    table.add_column("decision")
    table.add_column("applications", justify="right")
    table.add_column("defaulted", justify="right")
    table.add_column("default rate", justify="right")
    for name, flags in sorted(groups.items()):
        table.add_row(name, str(len(flags)), str(sum(flags)), _pct(sum(flags) / len(flags)))
    console.print(table)
    console.print(
        f"interest earned on repaid loans {earned:,.2f} CNY; principal lost on defaults "
        f"{lost:,.2f} CNY; net {earned - lost:,.2f} CNY (before funding and operating cost)"
    )


def _demo_viewer(settings: Settings) -> tuple[str, str] | None:
    """A read-only (auditor) officer for looking at the console, in development only: the demo
    database is fresh each run, so the password is new each run and printed once."""
    if settings.environment != "development":
        return None
    from creditfactory.access import DEFAULT_ACCESS
    from creditfactory.adapters.api.security import Security
    from creditfactory.bootstrap import bootstrap

    app = bootstrap(settings, migrate=False)
    password = secrets.token_urlsafe(12)
    security = Security(app.engine, settings.secret_key, app.clock, DEFAULT_ACCESS)
    security.create_officer("demo", password, "auditor", app.clock.now(), actor="system:demo")
    return "demo", password


def _serve_or_exit(server: BackgroundServer, serve: bool, settings: Settings) -> None:
    if not serve:
        server.stop()
        return
    console.print(f"serving: console http://{server.host}:{server.port}/  ·  API docs "
                  f"http://{server.host}:{server.port}/docs  ·  Ctrl-C to stop")  # fmt: skip
    viewer = _demo_viewer(settings)
    if viewer is not None:
        console.print(
            f"console sign-in (read-only auditor, this run only): {viewer[0]} / {viewer[1]}"
        )
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()


def run_sba(settings: Settings, port: int, workers: int, serve: bool) -> None:
    """The default demo (module docstring)."""
    _fresh_database(settings)
    spec_path = _train("sba-case", REPO / "data", settings.var_dir / "model", "Selected")
    server, key = start_api(spec_path, port)
    features = list(json.loads(spec_path.read_text(encoding="utf-8"))["features"])
    rows = _sba_rows()
    # the served characteristics, recoded as at training (scoring.training.datasets.sba_recode)
    declared = sba_declared(pandas.DataFrame(rows), features)
    items = [
        (f"sba-{r['LoanNr_ChkDgt']}", _sba_application(r, d))
        for r, d in zip(rows, declared, strict=True)
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        started = time.perf_counter()
        results = _send(client, key, items, workers)
        seconds = time.perf_counter() - started
    _summary(results, seconds)
    _backtest(results, {f"sba-{r['LoanNr_ChkDgt']}": r for r in rows})
    _serve_or_exit(server, serve, settings)


def register(app: typer.Typer) -> None:
    """Add `demo`."""

    @app.command("demo")
    def demo(
        invoices: Path | None = typer.Option(None, help="CUMCM 2020 C invoice directory"),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="keep serving afterwards"),
        port: int = typer.Option(8000, help="port on 127.0.0.1"),
        workers: int = typer.Option(4, help="concurrent HTTP clients"),
        budget: str = typer.Option("100000000", help="invoices mode: budget in CNY (1 亿)"),
    ) -> None:
        """Run the 310 flow on real applications and print the summary and backtest."""
        settings = Settings()
        if invoices is None:
            run_sba(settings, port, workers, serve)
            return
        from creditfactory.adapters.cli.demo_invoices import run_invoices

        run_invoices(settings, invoices, port, workers, serve, budget, console)
