"""`creditfactory demo`: the README's main job — the 310 flow on real applications, two data sets.

1. SBA backtest: create the SQLite database, train the scorecard on the bundled SBA case data
   (`data/sba_loans_case`: U.S. SBA 7(a) loans, California, NAICS 53; U.S. public domain;
   `Selected == 1` half), start the API on 127.0.0.1:8000, send the 1,051 held-out loans
   (`Selected == 0`) as applications over HTTP, print the summary and a backtest against the known
   outcomes. The loans are in US dollars: the amounts go through the CNY engine one-for-one as a
   mechanical backtest and every amount printed for them is labelled US$. Each applicant
   consents to its record being pulled: the SBA's own approval-time record of the loan
   (data/fixtures/sba_records, `adapters.gateways.sba_fixtures`) verifies the applicant facts
   it declares (industry, staff, jobs, …); the summary counts the decisions citing them.
2. The home market: train on CUMCM 2020 C's 123 rated firms, let the 302 unrated firms apply with
   their own VAT invoices through the consent gate, allocate the 1 亿 CNY budget under the risk
   appetite and write the allocation report (`demo_invoices`). `--invoices DIR` names the data
   directory (default `<shared data>/cumcm2020c_sme_invoices`, as `shared_data_dir` resolves it).

Then serve the staff workbench (one signed-in officer per role printed) over the CUMCM model until Ctrl-C (`--no-serve` exits).
"""

from __future__ import annotations

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

from creditfactory.adapters.cli.demo_branches import (
    INVOICE_BRANCH,
    SBA_BRANCH,
    register_key,
    seed_branches,
)
from creditfactory.adapters.gateways.sba_fixtures import (
    held_out_rows,
    sba_name,
    sba_subject,
)
from creditfactory.config import SBA_RECORDS, Settings
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.scoring.spec import load_spec
from creditfactory.scoring.training.datasets import sba_504, sba_declared, sba_revolving

__all__ = [
    "BackgroundServer",
    "invoice_dir",
    "model_figures",
    "pd_horizon_text",
    "register",
    "start_api",
    "verified_share",
]

REPO = Path(__file__).resolve().parents[4]
SBA_TERM_MONTHS = 36  # every held-out SBA row applies for a 36-month loan (see _sba_application)
SBA_DATASET = "U.S. SBA 7(a) loans, California, NAICS 53 (US$)"
REJECTED = "rejected (422)"
SBA_NOTE = (
    "U.S. SBA 7(a) loans (California, real estate NAICS 53) served through the CNY engine only as "
    "a mechanical backtest on known outcomes: dollar amounts pass one-for-one as amounts, so every "
    "amount below is in US$ and the rates are the engine's CNY prices (LPR-based), not SBA rates."
)
ASGI_FACTORY = "creditfactory.adapters.api.asgi:create_from_env"
SBA_SOURCES = {
    "CREDITFACTORY_DATA_SOURCES": "default",
    "CREDITFACTORY_REGISTRY_RECORDS": str(SBA_RECORDS),
    **{f"CREDITFACTORY_{n}": "off"
       for n in ("INVOICES_DIR", "INVOICE_SUBJECTS", "COURT_RECORDS", "TAX_RECORDS")},
}  # fmt: skip
"""The SBA run's sources: the SBA approval-time record only (US firms: no Chinese invoice,
court or tax source knows them)."""
SBA_CONSENT = {"categories": ["registry"], "version": "demo-sba-record-2026.1"}
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
    spec: Path, port: int, branch_id: str, env: dict[str, str] | None = None
) -> tuple[BackgroundServer, str]:
    """Serve the API over `spec` on 127.0.0.1:`port` with a fresh channel key registered at
    `branch_id` (its applications belong to that branch); returns both."""
    key = f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"
    register_key(Settings(), key, branch_id)
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


def _train(
    dataset: str,
    data_dir: Path,
    out: Path,
    split: str | None,
    label: tuple[str, str],
    no_oot: str = "not in the training result",
    method: str = "scorecard",
) -> tuple[Path, Any]:
    """Train `method` and write the spec under `out`; print the model's figures. `label`: the
    data set's name and what its bad definition implies for the PD horizon; `no_oot`: why the
    data set has no out-of-time test, if it has none. Returns the spec's path and the
    `TrainedModel`."""
    os.environ["CREDITFACTORY_SHARED_DATA"] = str(data_dir)
    from creditfactory.scoring.training.pipeline import train, write_outputs

    with console.status(f"training the {method} model on {dataset}…"):
        trained = train(dataset, method, split_column=split, cv_repeats=1)
        write_outputs(trained, out)
    spec = json.loads((out / "spec.json").read_text(encoding="utf-8"))
    console.print(
        f"[bold]{label[0]}[/] — model {trained.spec.model_id}: {len(trained.spec.features)} "
        f"characteristics ({', '.join(trained.spec.features)}); report {out / 'report.html'}"
    )
    for line in model_figures(trained.result, spec.get("pd_horizon"), label[1], no_oot):
        console.print(f"  {line}")
    return out / "spec.json", trained


def model_figures(
    result: dict[str, Any],
    horizon: dict[str, Any] | None,
    unstated: str,
    no_oot: str = "not in the training result",
) -> list[str]:
    """The served model's honest figures from the training result (out of sample): validation AUC
    with its CI, Brier and KS; out-of-time AUC; the benchmark; the PD horizon. A figure the result
    does not hold is said to be missing, never invented; `no_oot` says why there is no
    out-of-time test (a data set without dates has none)."""
    v = result.get("validation") or {}
    ci, std = v.get("auc_ci"), v.get("auc_std")
    lines = [
        f"validation ({v.get('split', 'hold-out')}): AUC {_fig(v.get('auc'))}"
        + (f" ± {std:.3f}" if isinstance(std, int | float) else "")
        + (f" (95% CI {ci[0]:.3f}–{ci[1]:.3f})" if ci else " (no CI in the result)")
        + f", Brier {_fig(v.get('brier'))}, KS {_fig(v.get('ks'))}"
    ]
    oot = result.get("out_of_time")
    if oot:
        periods = "; ".join(f"{k} {oot[k]}" for k in ("train", "test") if oot.get(k))
        lines.append(
            f"out-of-time: AUC {_fig(oot.get('auc'))}, Brier {_fig(oot.get('brier'))}"
            + (f" ({periods})" if periods else "")
        )
    else:
        lines.append(f"out-of-time: {no_oot}")
    bench = result.get("benchmark")
    if bench:
        lines.append(f"benchmark {bench.get('name')}: AUC {_fig(bench.get('auc'))}")
    lines.append(f"PD horizon: {pd_horizon_text(horizon, unstated)}")
    return lines


def _fig(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "—"


def pd_horizon_text(horizon: dict[str, Any] | None, unstated: str) -> str:
    """The PD horizon of a spec's `pd_horizon` in words; `unstated` says what the data's bad
    definition implies when the spec names none."""
    if not horizon:
        return f"not stated by the spec — {unstated}"
    if horizon.get("basis", "months") == "months":
        return f"{horizon.get('months', 12):g} months (decisions' pd_12m is that PD)"
    return (
        "life of the loan; decisions' pd_12m is converted to 12 months (constant hazard over the "
        f"{horizon.get('reference_months') or 12:g}-month reference loan life, whatever the term "
        "asked)" + (f" — {horizon['note']}" if horizon.get("note") else "")
    )


DEMO_SIGN_OFF = (
    "demo: a mechanical demonstration of the flow on public data, not lending; the failed checks "
    "are printed beside the model's figures"
)
"""Why the demo serves its spec (whose checks may fail): the maker's note of its sign-off."""


def sign_off(database_url: str, spec_path: Path, note: str = DEMO_SIGN_OFF) -> str:
    """Record, through the real maker-checker flow (`service_layer.model_approval.sign_off`),
    the approval of serving `spec_path` on `database_url` (migrated first) — every served spec
    needs one, whatever its report's verdict: `demo:modeller` asks with `note`, `demo:validator`
    approves, both in the role that holds model publication (two officers of a deployment do it
    with `creditfactory model approve`). Returns the approval id."""
    from creditfactory.access import DEFAULT_ACCESS
    from creditfactory.adapters.cli.officer_auth import CLI_ROLE
    from creditfactory.adapters.storage.engine import make_engine
    from creditfactory.adapters.storage.migrations import upgrade_schema
    from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
    from creditfactory.kernel.clock import SystemClock
    from creditfactory.kernel.ids import RandomIds
    from creditfactory.scoring.spec import dump_spec
    from creditfactory.service_layer import model_approval
    from creditfactory.service_layer.factory_ports import OfficeDeps

    spec = load_spec(spec_path.read_text(encoding="utf-8"))
    engine, clock = make_engine(database_url), SystemClock()
    try:
        upgrade_schema(engine)
        deps = OfficeDeps(uow=lambda: FactoryUnitOfWork(engine, clock), clock=clock,
                          ids=RandomIds())  # fmt: skip
        text = dump_spec(spec)
        for officer in ("demo:modeller", "demo:validator"):
            item = model_approval.sign_off(deps, DEFAULT_ACCESS, text, officer, CLI_ROLE, note)
    finally:
        engine.dispose()
    return str(item["approval_id"])


def _served(settings: Settings, spec_path: Path) -> None:
    """Record and print the spec's serving sign-off, with the checks of its report it fails."""
    from creditfactory.service_layer.model_approval import failed_checks

    failed = failed_checks(load_spec(spec_path.read_text(encoding="utf-8")))
    approval = sign_off(settings.database_url, spec_path)
    checks = f"{len(failed)} failed ({'; '.join(failed)})" if failed else "every check passed"
    console.print(
        f"  serving checks: {checks} — served only under "
        f"maker-checker approval {approval} (asked by demo:modeller, approved by demo:validator: "
        f'"{DEMO_SIGN_OFF}"); every decision record names it'
    )


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
        if response.status_code == 422:  # refused at intake (problem+json naming the field)
            return ref, {"status": REJECTED, "problem": response.json()}, elapsed
        response.raise_for_status()
        return ref, response.json(), elapsed

    results = []
    with Progress(console=console) as progress, ThreadPoolExecutor(workers) as pool:
        task = progress.add_task("applications over HTTP", total=len(rows))
        for result in pool.map(one, rows):
            results.append(result)
            progress.advance(task)
    return results


def _sba_application(row: dict[str, str], declared: dict[str, Any]) -> dict[str, Any]:
    return {
        "applicant": {
            "applicant_type": "enterprise",
            "name": sba_name(row),
            "uscc": sba_subject(row),
        },  # fmt: skip
        "amount": f"{float(row['GrAppv']):.2f}",
        # one requested term for all: the recorded Term is post-outcome for defaults (issue 12); the
        # PD does not depend on it (converted over the spec's reference loan life)
        "term_months": SBA_TERM_MONTHS,
        "declared": declared,
        "consent": SBA_CONSENT,
        # the loan asked for: the programme (the recorded 50 % share is SBAExpress's; every other
        # share is read as standard 7(a), whose rule then sets the share — origination.loan_terms)
        # and the product (a revolving line when the record says so)
        "programme": "sba_express" if float(row["Portion"]) == 0.5 else "sba_7a",
        "revolving_line": row["RevLineCr"] == "Y",
    }


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _latency(results: list[tuple[str, dict[str, Any], float]]) -> tuple[float, float]:
    ms = sorted(r[2] * 1000 for r in results)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.99 * len(ms)))]


def _synthetic(fact: dict[str, Any]) -> bool:
    """A verified fact from a synthetic fixture: its source or version says so (the bundled
    registry / court / tax records, data/fixtures/cn_records/SOURCE.md)."""
    return "synthetic" in f"{fact.get('source') or ''} {fact.get('version') or ''}".lower()


def verified_share(results: list[dict[str, Any]]) -> str:
    """How many decisions cite verified facts: the decision record's `verification` (`verified`:
    facts a data source returned, `declared_only`, `contradictions`), split by real data (e.g. the
    CUMCM invoices) and synthetic fixtures; or a note when the decisions carry no such record."""
    records = [a["decision"].get("verification") for a in results]
    if not any(isinstance(r, dict) and r for r in records):
        return "decisions carry no verified/declared record"
    facts = [r.get("verified") or [] if isinstance(r, dict) else [] for r in records]
    cited = sum(1 for f in facts if f)
    real = sum(1 for f in facts if any(not _synthetic(x) for x in f))
    fixture = sum(1 for f in facts if any(_synthetic(x) for x in f))
    contradicted = sum(1 for r in records if isinstance(r, dict) and r.get("contradictions"))
    worst = sum(1 for r in records if isinstance(r, dict) and r.get("scored_conservatively"))
    return (
        f"{cited} of {len(results)} decisions cite verified facts ({_pct(cited / len(results))}): "
        f"{real} verified by real data, {fixture} by synthetic fixtures (not real records); "
        f"{contradicted} with a declaration contradicted by verified data; {worst} with an "
        "unverified fact scored at its worst value"
    )


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
    table = Table(title=f"310 flow — {SBA_DATASET}; amounts in US$", show_header=False)
    table.add_row(
        "applications", f"{len(results)} in {seconds:.1f} s ({len(results) / seconds:.0f}/s)"
    )
    for name in ("disbursed", "declined", "referred", REJECTED):
        if name == REJECTED and not status.get(name):
            continue
        table.add_row(
            f"  {name}", f"{status.get(name, 0)} ({_pct(status.get(name, 0) / len(results))})"
        )
    table.add_row("amount disbursed", f"US$ {amount:,.2f} in {len(funded)} loans")
    table.add_row("average rate (amount-weighted)", _pct(rate / amount) if amount else "—")
    table.add_row("expected loss (1 year, PD 12-month × LGD)", f"US$ {el:,.2f}")
    table.add_row("verified data", verified_share([r[1] for r in results if "decision" in r[1]]))
    table.add_row("latency apply → disbursed", f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    console.print(table)
    refused = Counter(r[1]["problem"]["detail"] for r in results if r[1]["status"] == REJECTED)
    for detail, n in refused.most_common(3):
        console.print(f"{REJECTED} at intake (HTTP 422), {n} applications: {detail}")
    top = Table(title="top decline reasons, SBA held-out half (an application can have several)")
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
    table = Table(title=f"backtest against the known outcomes — {SBA_DATASET} (held-out half)")
    table.add_column("decision")
    table.add_column("applications", justify="right")
    table.add_column("defaulted", justify="right")
    table.add_column("default rate", justify="right")
    for name, flags in sorted(groups.items()):
        table.add_row(name, str(len(flags)), str(sum(flags)), _pct(sum(flags) / len(flags)))
    console.print(table)
    console.print(
        f"interest earned on repaid loans US$ {earned:,.2f}; principal lost on defaults "
        f"US$ {lost:,.2f}; net US$ {earned - lost:,.2f} (before funding and operating cost)"
    )


def _demo_officers(settings: Settings) -> list[tuple[str, str, str]]:
    """One officer per role (username "demo_<role>", role, password) for signing in to the
    workbench, in development only: the demo database is fresh each run, so the passwords are
    new each run and printed once."""
    if settings.environment != "development":
        return []
    from creditfactory.access import DEFAULT_ACCESS, ROLES
    from creditfactory.adapters.api.security import Security
    from creditfactory.bootstrap import bootstrap

    app = bootstrap(settings, migrate=False)
    security = Security(app.engine, settings.secret_key, app.clock, DEFAULT_ACCESS)
    officers = []
    for role in (r for r in ROLES if r != "channel"):
        password = secrets.token_urlsafe(12)
        security.create_officer(
            f"demo_{role}", password, role, app.clock.now(), actor="system:demo"
        )
        officers.append((f"demo_{role}", role, password))
    return officers


def _serve_or_exit(server: BackgroundServer, serve: bool, settings: Settings) -> None:
    if not serve:
        server.stop()
        return
    console.print(f"serving: workbench http://{server.host}:{server.port}/  ·  API docs "
                  f"http://{server.host}:{server.port}/docs  ·  Ctrl-C to stop")  # fmt: skip
    officers = _demo_officers(settings)
    if officers:
        table = Table(title="workbench sign-in, one officer per role (passwords: this run only)")
        for column in ("role", "username", "password"):
            table.add_column(column, no_wrap=True)
        for username, role, password in officers:
            table.add_row(role, username, password)
        console.print(table)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()


def lpr_business_date() -> str:
    """The business date the demo decides on: today when the bundled LPR series is current today,
    else its last fixing date (the series is sourced only so far, and a stale LPR refers every
    application — docs/pricing.md). Printed, so the reader knows."""
    from creditfactory.kernel.clock import SystemClock
    from creditfactory.pricing.lpr import default_lpr_series, stale_after
    from creditfactory.pricing.policy import DEFAULT_POLICY

    series, today = default_lpr_series(), SystemClock().now().date()
    if today <= stale_after(series.end, DEFAULT_POLICY.lpr_grace_business_days):
        return today.isoformat()
    console.print(
        f"business date {series.end} (today {today}): the bundled LPR series ends at its "
        f"{series.end} fixing, the last one sourced; on today's date every application would be "
        "referred for a stale LPR. A deployment imports current fixings: `creditfactory rates "
        "import` (docs/pricing.md)."
    )
    return series.end.isoformat()


def _lpr_used(results: list[tuple[str, dict[str, Any], float]]) -> None:
    used = Counter(
        (lpr["fixing_date"], lpr["confidence"], lpr["series_version"], lpr["stale"])
        for _, app, _ in results
        if (lpr := app["decision"].get("lpr"))
    )
    tags = {"C": "confirmed", "P": "partly confirmed", "U": "unverified"}
    for (fixing, tag, version, stale), n in used.most_common():
        console.print(
            f"priced on the LPR fixing of {fixing} [{tag}: {tags.get(tag, tag)}], series "
            f"{version}{', STALE' if stale else ''}: {n} decisions"
        )


def run_sba(settings: Settings, port: int, workers: int) -> BackgroundServer:
    """The SBA backtest (module docstring, 1.); returns the server, still running."""
    console.rule("1. SBA backtest on known outcomes (US$)")
    console.print(SBA_NOTE)
    label = (SBA_DATASET, "SBA's Default is a charge-off at any time in the loan's life")
    spec_path, _ = _train("sba-case", REPO / "data", settings.var_dir / "model", "Selected", label)
    _served(settings, spec_path)
    env = {"CREDITFACTORY_AS_OF": lpr_business_date(), **SBA_SOURCES}
    server, key = start_api(spec_path, port, SBA_BRANCH, env)
    # the backtest replays only loans the platform offers, the population the model was developed
    # on: no 504 loans (a programme it does not offer; scoring.training.datasets.
    # SBA_504_EXCLUSION) and no revolving lines (it books term loans; intake refuses them:
    # origination.loan_terms.term_loan_only; SBA_REVOLVING_EXCLUSION)
    held_out = held_out_rows()
    frame = pandas.DataFrame(held_out)
    outside, revolving = sba_504(frame), sba_revolving(frame)
    rows = [r for r, out in zip(held_out, outside | revolving, strict=True) if not out]
    console.print(
        f"held-out loans replayed: {len(rows)} of {len(held_out)} — {int(outside.sum())} 504 "
        "loans (recorded share 1.00) and "
        f"{int((revolving & ~outside).sum())} revolving lines are outside the population served, "
        "as in training (the platform books 7(a) / SBAExpress term loans; intake would refuse a "
        "revolving line with 422)"
    )
    # the served characteristics, recoded as at training (scoring.training.datasets.sba_recode)
    declared = sba_declared(
        pandas.DataFrame(rows), load_spec(spec_path.read_text(encoding="utf-8"))
    )
    items = [
        (f"sba-{r['LoanNr_ChkDgt']}", _sba_application(r, d))
        for r, d in zip(rows, declared, strict=True)
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        started = time.perf_counter()
        results = _send(client, key, items, workers)
        seconds = time.perf_counter() - started
    _summary(results, seconds)
    console.print(
        "verified against: the SBA's own approval-time record of each loan (SBAcase.11.13.17.csv, "
        "data/fixtures/sba_records/SOURCE.md), the same values the applicants declare here — a "
        "changed declaration would contradict it and be referred, scored on the record's value"
    )
    _lpr_used([r for r in results if "decision" in r[1]])
    _backtest(results, {f"sba-{r['LoanNr_ChkDgt']}": r for r in rows})
    return server


def run_cumcm(
    settings: Settings, directory: Path, port: int, workers: int, budget: Money
) -> BackgroundServer:
    """The Chinese invoice flow and the 1 亿 allocation (module docstring, 2.); returns the server."""
    from creditfactory.adapters.cli import demo_cv
    from creditfactory.adapters.cli.allocation_report import PROVENANCE
    from creditfactory.adapters.cli.demo_invoices import AS_OF, print_summary, run_invoices

    console.rule("2. 中国小微企业 invoice flow and the 1 亿 allocation (CNY)")
    label = (
        "CUMCM 2020 C (123 rated Chinese SMEs, 附件1)",
        "是否违约 is the bank's default flag on its one-year loans: about 12 months",
    )
    no_oot = (
        "none — CUMCM 2020 C has one default flag per firm (123 rated firms) and no loan or "
        "application dates, so there is no vintage to test out of time; the figures above are "
        "cross-validated"
    )
    spec_path, trained = _train(
        "cumcm-2020c", directory.parent, settings.var_dir / "model-cumcm", None, label, no_oot,
        method="ordinal",
    )  # fmt: skip
    digest = trained.spec.training["training_data_sha256"]
    for line in demo_cv.lines(trained.result, digest):
        console.print(f"  {line}")
    _served(settings, spec_path)
    for name in SBA_SOURCES:  # the bundled Chinese sources again, not the SBA run's
        os.environ.pop(name, None)
    env = {"CREDITFACTORY_INVOICES_DIR": str(directory), "CREDITFACTORY_AS_OF": AS_OF.isoformat(),
           "CREDITFACTORY_DATA_SOURCES": "default"}  # fmt: skip
    server, key = start_api(spec_path, port, INVOICE_BRANCH, env)
    run = run_invoices(settings, directory, key, port, workers, budget)
    console.print(f"verified data: {verified_share([app for _, app in run.applications])}")
    console.print(f"data provenance: {PROVENANCE[1]}")
    print_summary(run, settings.var_dir / "reports", console)
    return server


def invoice_dir(option: Path | None) -> Path | None:
    """`--invoices DIR`, or the default `<shared data>/cumcm2020c_sme_invoices` (None when the
    default is absent: the invoice flow is skipped with a line). raises ValidationError("invoices")
    when a directory given has no `enterprises_without_credit_record.csv`."""
    from creditfactory.scoring.training.datasets import shared_data_dir

    directory = (option or shared_data_dir() / "cumcm2020c_sme_invoices").resolve()
    if (directory / "enterprises_without_credit_record.csv").is_file():
        return directory
    if option is not None:
        raise ValidationError("invoices", f"no enterprises_without_credit_record.csv in {option}")
    return None


def _budget(text: str) -> Money:
    try:
        budget = Money.of(text)
    except (ValidationError, ArithmeticError, ValueError):
        raise ValidationError("budget", f"must be an amount in CNY, got {text!r}") from None
    if budget.amount <= 0:
        raise ValidationError("budget", f"must be > 0, got {text!r}")
    return budget


def register(app: typer.Typer) -> None:
    """Add `demo`."""

    @app.command("demo")
    def demo(
        invoices: Path | None = typer.Option(
            None, help="CUMCM 2020 C invoice directory (default: the shared data's)"
        ),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="keep serving afterwards"),
        port: int = typer.Option(8000, help="port on 127.0.0.1"),
        workers: int = typer.Option(4, help="concurrent HTTP clients"),
        budget: str = typer.Option("100000000", help="the allocation's budget in CNY (1 亿)"),
    ) -> None:
        """Run the 310 flow on the SBA backtest and the Chinese invoice flow with the 1 亿
        allocation; print both summaries."""
        settings = Settings()
        directory, amount = invoice_dir(invoices), _budget(budget)
        started = time.perf_counter()
        _fresh_database(settings)
        seed_branches(settings, console)
        server = run_sba(settings, port, workers)
        if directory is None:
            console.print(
                "CUMCM 2020 C data not found under the shared data directory: the invoice flow is "
                "skipped (pass --invoices DIR)"
            )
        else:
            server.stop()
            server = run_cumcm(settings, directory, port, workers, amount)
        console.print(f"demo finished in {time.perf_counter() - started:.0f} s")
        _serve_or_exit(server, serve, settings)
