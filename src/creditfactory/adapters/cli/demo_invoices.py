"""`creditfactory demo --invoices DIR`: the Chinese thin-file flow on CUMCM 2020 C.

The scorecard is trained on the 123 rated firms (附件1) from their invoice features. The 302
unrated firms (附件2) apply over HTTP with the synthetic USCC, applicant type and declarations of
data/fixtures/cn_records/firms.csv, each with a consent for invoices, registry, courts and tax;
the API pulls their own invoices (`CsvInvoiceSource`) and the fixture records through the
consent gate, verifies the declarations, scores, decides and offers (no auto-accept). The demo
then allocates the budget (default 1 亿 CNY) across the approved offers by expected margin per yuan
(rate − PD × LGD), accepts the chosen offers over HTTP (contract + disbursement), and writes
`var/reports/cumcm_allocation.md` and `.csv`. Amount requested: 1,000,000 CNY per firm (the
problem's 10万–100万 range); the policy sizes the limit. As-of date: 2020-01-01 (the data end).
"""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from creditfactory.adapters.gateways.cn_fixtures import CONSENT_CATEGORIES, FirmFixture, read_firms
from creditfactory.config import CN_RECORDS, Settings

__all__ = ["allocate", "run_invoices"]

AS_OF = date(2020, 1, 1)
REQUESTED = "1000000"
LGD = 0.45


def allocate(offers: list[dict[str, Any]], budget: float) -> list[dict[str, Any]]:
    """Greedy by expected margin per yuan (rate − pd_12m × LGD), highest first, whole offers
    while they fit, then the remainder as a partial amount is skipped (offers are accepted whole).
    Returns the chosen offers."""
    ranked = sorted(offers, key=lambda o: -(o["rate"] - o["pd_12m"] * LGD))
    chosen, left = [], budget
    for offer in ranked:
        if offer["amount"] <= left:
            chosen.append(offer)
            left -= offer["amount"]
    return chosen


def _firms(directory: Path) -> list[dict[str, str]]:
    with (directory / "enterprises_without_credit_record.csv").open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _apply(
    client: httpx.Client, key: str, firm: dict[str, str], who: FirmFixture
) -> dict[str, Any]:
    body = {
        "applicant": who.applicant(),
        "amount": REQUESTED,
        "term_months": 12,
        "auto_accept": False,
        "declared": who.declared(),
        "consent": {"categories": list(CONSENT_CATEGORIES), "version": "auth-2024-01"},
    }
    headers = {"X-API-Key": key, "Idempotency-Key": f"cumcm-{firm['企业代号']}"}
    response = client.post("/api/v1/applications", json=body, headers=headers)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def run_invoices(
    settings: Settings,
    directory: Path,
    port: int,
    workers: int,
    serve: bool,
    budget: str,
    console: Console,
) -> None:
    """Run the invoices demo (module docstring)."""
    from creditfactory.adapters.cli.demo import _fresh_database, _serve_or_exit, _train, start_api

    directory = directory.resolve()
    _fresh_database(settings)
    spec_path = _train("cumcm-2020c", directory.parent, settings.var_dir / "model-cumcm", None)
    firms = _firms(directory)
    env = {"CREDITFACTORY_INVOICES_DIR": str(directory), "CREDITFACTORY_AS_OF": AS_OF.isoformat(),
           "CREDITFACTORY_DATA_SOURCES": "default"}  # fmt: skip
    server, key = start_api(spec_path, port, env)
    by_firm = {f.firm_id: f for f in read_firms(CN_RECORDS / "firms.csv")}
    started = time.perf_counter()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        results = [(f, _apply(client, key, f, by_firm[f["企业代号"]])) for f in firms]
        offers = [
            {"firm": f["企业代号"], "offer_id": r["offer"]["offer_id"],
             "amount": float(r["offer"]["amount"]), "rate": float(r["offer"]["annual_rate"]),
             "pd_12m": float(r["decision"]["pd_12m"])}
            for f, r in results if r["offer"] is not None
        ]  # fmt: skip
        chosen = allocate(offers, float(budget))
        for offer in chosen:
            client.post(f"/api/v1/offers/{offer['offer_id']}/accept", headers={"X-API-Key": key})
    seconds = time.perf_counter() - started
    path = _report(settings.var_dir / "reports", results, chosen, float(budget))
    lent = sum(o["amount"] for o in chosen)
    console.print(
        f"{len(firms)} firms applied in {seconds:.1f} s; {len(offers)} approved offers; "
        f"{len(chosen)} funded for {lent:,.0f} of {float(budget):,.0f} CNY; report {path}"
    )
    _serve_or_exit(server, serve, settings)


def _report(
    out: Path,
    results: list[tuple[dict[str, str], dict[str, Any]]],
    chosen: list[dict[str, Any]],
    budget: float,
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    funded = {o["firm"]: o for o in chosen}
    rows = []
    for firm, app in results:
        decision = app["decision"]
        offer = funded.get(firm["企业代号"])
        rows.append({
            "firm_id": firm["企业代号"], "name": firm["企业名称"], "status": app["status"],
            "grade": decision["grade"], "pd_12m": decision["pd_12m"], "limit": decision["limit"],
            "annual_rate": decision["annual_rate"] or "", "funded": offer["amount"] if offer else 0,
            "reasons": "; ".join(r["en"] for r in decision["reasons"][:3]),
        })  # fmt: skip
    with (out / "cumcm_allocation.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    lent = sum(o["amount"] for o in chosen)
    el = sum(o["amount"] * o["pd_12m"] * LGD for o in chosen)
    avg = sum(o["amount"] * o["rate"] for o in chosen) / lent if lent else 0.0
    lines = [
        "# CUMCM 2020 C — 302 unrated firms, budget allocation", "",
        f"- as of {AS_OF}; budget {budget:,.0f} CNY; requested {REQUESTED} CNY per firm, 12 months",
        f"- outcomes: {statuses}",
        f"- funded: {len(chosen)} firms, {lent:,.0f} CNY ({lent / budget:.1%} of budget)",
        f"- amount-weighted rate {avg:.2%}; expected loss (PD × LGD {LGD} × amount) {el:,.0f} CNY",
        "- ranking: expected margin per yuan = rate − PD × LGD, greedy until the budget is used",
        "", "| firm | status | grade | PD | limit | rate | funded |", "|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for r in sorted(rows, key=lambda r: -float(r["funded"]))[:40]:
        lines.append(
            f"| {r['firm_id']} | {r['status']} | {r['grade']} | {float(r['pd_12m']):.3f} | "
            f"{r['limit']} | {r['annual_rate']} | {float(r['funded']):,.0f} |"
        )
    (out / "cumcm_allocation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out / "cumcm_allocation.md"
