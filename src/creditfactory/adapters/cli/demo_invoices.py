"""The Chinese thin-file flow of `creditfactory demo` on CUMCM 2020 C (part of the default run).

The scorecard is trained on the 123 rated firms (附件1) from their invoice features. The 302
unrated firms (附件2) apply over HTTP with the synthetic USCC, applicant type and declarations of
data/fixtures/cn_records/firms.csv, each with a consent for invoices, registry, courts and tax;
the API pulls their own invoices (`CsvInvoiceSource`) and the fixture records through the
consent gate, verifies the declarations, scores, decides and offers (no auto-accept).
Amount requested: 1,000,000 CNY per firm, 12 months; the policy sizes the limit. As-of date:
2020-01-01 (the data end).

The 1 亿 CNY budget is then allocated across the approved offers by `pricing.allocation` (solved by
`adapters.batch.allocation_solver`): the largest economic profit (return above the cost of the
risk, capital included), then the most lent, then the least EL, under the risk appetite
`pricing.appetite.CUMCM_APPETITE` (EL budget, grade caps, 10万–100万 per firm, RAROC ≥ hurdle) —
set, like the decisions' cut-offs (credit-policy-cumcm-2026.1), for this data set's PDs.
Offers funded at their full amount are accepted; a firm allocated less applies again for that
amount (auto-accept). Report: `var/reports/cumcm_allocation.html` (appetite, frontier chart, each
firm's amount and why, zh + en) and `.csv`.
"""

from __future__ import annotations

import csv
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from creditfactory.adapters.batch.allocation_solver import (
    FrontierPoint,
    frontier,
    shadow_prices,
    solve,
)
from creditfactory.adapters.cli.allocation_report import (
    PROVENANCE,
    appetite_text,
    shadow_text,
    write_report,
)
from creditfactory.adapters.gateways.cn_fixtures import CONSENT_CATEGORIES, FirmFixture, read_firms
from creditfactory.config import CN_RECORDS, Settings
from creditfactory.decisioning import policy_for
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.allocation import (
    Candidate,
    FirmAllocation,
    ShadowPrices,
    book_totals,
    candidate,
    explain,
    not_offered,
    violations,
)
from creditfactory.pricing.appetite import CUMCM_APPETITE, RiskAppetite

__all__ = ["InvoiceRun", "run_invoices"]

AS_OF = date(2020, 1, 1)
REQUESTED = "1000000"
# the pricing LGD of the policy a server serving the CUMCM model starts with
# (decisioning/policies/credit-policy-cumcm-2026.1: cut-offs set on CUMCM's own PDs)
LGD = policy_for("cumcm-2020c").lgd
DATASET = "CUMCM 2020 C (302 unrated Chinese SMEs, VAT invoices 附件2)"


@dataclass
class InvoiceRun:
    """What the flow produced, for the summary and the report."""

    applications: list[tuple[dict[str, str], dict[str, Any]]]
    candidates: list[Candidate]
    amounts: dict[str, Money]
    booked: dict[str, Money]
    lines: list[FirmAllocation]
    frontier: list[FrontierPoint]
    prices: ShadowPrices
    appetite: RiskAppetite
    seconds: float


def _firms(directory: Path) -> list[dict[str, str]]:
    with (directory / "enterprises_without_credit_record.csv").open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@functools.cache
def _fixtures() -> dict[str, FirmFixture]:
    """Each firm's applicant identity and declarations (data/fixtures/cn_records/firms.csv)."""
    return {f.firm_id: f for f in read_firms(CN_RECORDS / "firms.csv")}


def _apply(
    client: httpx.Client, key: str, firm: dict[str, str], amount: str, auto: bool
) -> dict[str, Any]:
    who = _fixtures()[firm["企业代号"]]
    body = {
        "applicant": who.applicant(),
        "amount": amount,
        "term_months": 12,
        "auto_accept": auto,
        "declared": who.declared(),
        "consent": {"categories": list(CONSENT_CATEGORIES), "version": "auth-2024-01"},
    }
    headers = {"X-API-Key": key, "Idempotency-Key": f"cumcm-{firm['企业代号']}-{amount}"}
    response = client.post("/api/v1/applications", json=body, headers=headers)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def _candidate(firm: dict[str, str], app: dict[str, Any]) -> Candidate:
    decision, offer = app["decision"], app["offer"]
    return candidate(
        firm["企业代号"], decision["grade"], Decimal(str(decision["pd_12m"])), LGD,
        Rate.of(offer["annual_rate"]), Money.of(offer["amount"]), AS_OF,
    )  # fmt: skip


def _book(
    client: httpx.Client,
    key: str,
    firms: dict[str, dict[str, str]],
    offers: dict[str, dict[str, Any]],
    amounts: dict[str, Money],
) -> dict[str, Money]:
    """Accept each offer funded in full; re-apply (auto-accept) for a smaller allocation. Returns
    the amount disbursed per firm."""
    booked = {}
    for firm_id, amount in amounts.items():
        if amount.is_zero():
            continue
        offer = offers[firm_id]
        if Money.of(offer["amount"]) == amount:
            response = client.post(
                f"/api/v1/offers/{offer['offer_id']}/accept", headers={"X-API-Key": key}
            )
            response.raise_for_status()
            booked[firm_id] = amount
            continue
        app = _apply(client, key, firms[firm_id], f"{amount.amount:.2f}", auto=True)
        if app["status"] == "disbursed":
            booked[firm_id] = Money.of(app["offer"]["amount"])
    return booked


def run_invoices(
    settings: Settings, directory: Path, key: str, port: int, workers: int, budget: Money
) -> InvoiceRun:
    """Apply, allocate, book and report (module docstring), against the API serving the CUMCM
    model on `port`."""
    appetite = CUMCM_APPETITE.with_budget(budget)
    firms = _firms(directory)
    started = time.perf_counter()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        with ThreadPoolExecutor(workers) as pool:
            apps = list(pool.map(lambda f: _apply(client, key, f, REQUESTED, False), firms))
        applications = list(zip(firms, apps, strict=True))
        offers = {f["企业代号"]: a["offer"] for f, a in applications if a["offer"] is not None}
        candidates = [_candidate(f, a) for f, a in applications if a["offer"] is not None]
        amounts = solve(candidates, appetite)
        broken = violations(candidates, amounts, appetite)
        if broken:  # the solver's rows are the appetite's limits: this is a defect, not input
            raise RuntimeError(f"allocation breaks the risk appetite: {broken}")
        booked = _book(client, key, {f["企业代号"]: f for f in firms}, offers, amounts)
    seconds = time.perf_counter() - started
    prices = shadow_prices(candidates, appetite)
    by_id = {line.firm_id: line for line in explain(candidates, amounts, appetite, prices)}
    lines = [by_id.get(f["企业代号"]) or _no_offer(f, a) for f, a in applications]
    points = frontier(candidates, appetite)
    return InvoiceRun(
        applications, candidates, amounts, booked, lines, points, prices, appetite, seconds
    )


def _no_offer(firm: dict[str, str], app: dict[str, Any]) -> FirmAllocation:
    reasons = app["decision"]["reasons"]
    zh = "；".join(r["zh"] for r in reasons[:2]) or "—"
    en = "; ".join(r["en"] for r in reasons[:2]) or "—"
    return not_offered(firm["企业代号"], app["status"], zh, en)


def print_summary(run: InvoiceRun, out: Path, console: Console) -> Path:
    """Print the allocation summary (CNY, PD horizon 12 months, data set named); write the report."""
    path = write_report(out, run, AS_OF, DATASET)
    status: dict[str, int] = {}
    for _, app in run.applications:
        status[app["status"]] = status.get(app["status"], 0) + 1
    zero = Money.zero()
    lent, el, ret = book_totals(run.candidates, run.amounts)
    a = run.appetite
    table = Table(title=f"1 亿 allocation — {DATASET}; amounts in CNY (元)", show_header=False)
    table.add_row(
        "applications", f"{len(run.applications)} in {run.seconds:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(status.items())),
    )  # fmt: skip
    table.add_row("data", f"{PROVENANCE[1]} ({PROVENANCE[0]})")
    table.add_row("risk appetite", appetite_text(run))
    table.add_row(
        "funded", f"{sum(1 for x in run.amounts.values() if x)} firms, {lent.amount:,.0f} CNY of "
        f"{a.budget.amount:,.0f} CNY; disbursed over HTTP {sum(run.booked.values(), zero).amount:,.0f} CNY",
    )  # fmt: skip
    table.add_row(
        "expected loss (PD 12-month × LGD)",
        f"{el.amount:,.0f} CNY of the {a.el_budget.amount:,.0f} CNY EL budget",
    )
    table.add_row(
        "economic profit (1 year)",
        f"{ret.amount:,.0f} CNY (after EL, funding, operating cost, tax and the hurdle's charge "
        "on capital; offers priced at their RAROC minimum earn 0)",
    )
    table.add_row("shadow prices (economic profit a year per extra CNY)", shadow_text(run.prices))
    console.print(table)
    grades = Table(title=f"funded by grade — {DATASET}; PD horizon 12 months")
    for column in ("grade", "approved offers", "funded", "CNY", "cap (share of budget)"):
        grades.add_column(column, justify="right" if column != "grade" else "left")
    for grade in sorted({c.grade for c in run.candidates}):
        members = [c for c in run.candidates if c.grade == grade]
        amount, _, _ = book_totals(members, run.amounts)
        grades.add_row(
            grade, str(len(members)), str(sum(1 for c in members if run.amounts.get(c.firm_id))),
            f"{amount.amount:,.0f}", f"{a.grade_caps.get(grade, Decimal(0)):.0%}",
        )  # fmt: skip
    console.print(grades)
    console.print(f"allocation report (frontier, each firm's amount and why): {path}")
    return path
