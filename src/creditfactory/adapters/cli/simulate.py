"""`creditfactory simulate --borrowers N --months M --seed S [--out DIR] [--format text|json]`.

Generates a synthetic book calibrated to CUMCM 2020 C invoices (adapters/batch/simulate_book.py)
with injected problems, writes it to DIR (enterprises.csv, loans.csv, invoices.csv,
events.jsonl — the monitoring feed format —, transactions.csv, truth.csv), runs monitoring at every
month-end and prints precision and recall per signal family; plots (levels.png, hit_rates.png,
precision_recall.png) and report.json go to DIR too.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from creditfactory.adapters.cli.jobs import batch_job
from creditfactory.kernel.errors import ValidationError

CUMCM = Path(__file__).resolve().parents[5] / "shared" / "data" / "cumcm2020c_sme_invoices"
# Bounds: ≥ 4 book months for the monitoring windows; ≤ 240 (20 years) keeps dates in range and
# the run in minutes; ≥ 10 borrowers for the injected families; ≤ 2,000,000 fits in memory.
MONTHS_RANGE = (4, 240)
BORROWERS_RANGE = (10, 2_000_000)


def _check_bounds(value: int, field: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise ValidationError(field, f"must be between {low:,} and {high:,}, got {value:,}")


def _check_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError("out", f"cannot create {out}: {exc.strerror or exc}") from None


def _write(book: Any, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "enterprises.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["borrower_id", "uscc", "name", "controller_id"])
        w.writerows([b, v["uscc"], v["name"], v["controller"]] for b, v in book.borrowers.items())
    with (out / "loans.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            ["loan_id", "borrower_id", "amount", "disbursed_on", "entrusted_payee", "dpd_by_month"]
        )
        for x in book.loans:
            d = x.disbursement
            w.writerow(
                [
                    d.loan_id,
                    d.borrower_id,
                    d.amount,
                    d.disbursed_on,
                    d.entrusted_payee or "",
                    " ".join(map(str, x.dpd_by_month)),
                ]
            )
    with (out / "invoices.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["borrower_id", "direction", "invoice_date", "counterparty", "amount"])
        w.writerows(
            [b, i.direction, i.invoice_date, i.counterparty, i.amount]
            for b, inv in book.invoices.items()
            for i in inv
        )
    (out / "events.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in book.events), encoding="utf-8"
    )
    with (out / "transactions.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["txn_id", "payer", "payee", "amount", "booked_on", "payee_category", "loan_id"])
        w.writerows(
            [
                t.txn_id,
                t.payer,
                t.payee,
                t.amount,
                t.booked_on,
                t.payee_category.value,
                t.loan_id or "",
            ]
            for ts in book.transfers.values()
            for t in ts
        )
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["borrower_id", "family", "onset"])
        w.writerows(book.truth)


def register(app: typer.Typer) -> None:
    """Add `simulate` to the root command."""

    @app.command("simulate")
    def simulate(
        borrowers: Annotated[int, typer.Option(help="number of borrowers (10..2,000,000)")] = 2000,
        months: Annotated[int, typer.Option(help="book months to simulate (4..240)")] = 12,
        seed: Annotated[int, typer.Option(help="random seed")] = 42,
        out: Annotated[Path, typer.Option(help="output directory")] = Path("var/simulated_book"),
        fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    ) -> None:
        """Simulate a book with injected problems, monitor it, print precision / recall per family."""
        _check_bounds(borrowers, "borrowers", BORROWERS_RANGE)
        _check_bounds(months, "months", MONTHS_RANGE)
        fmt = fmt.strip().lower()
        if fmt not in ("text", "json"):
            raise ValidationError("format", "text or json")
        _check_out(out)
        sim, plot = batch_job("simulate_book"), batch_job("monitoring_report")
        calibration = sim.cumcm_calibration(CUMCM)
        book = sim.simulate_book(borrowers, months, seed, calibration)
        _write(book, out)
        ev = batch_job("simulate_eval").evaluate(book)
        plot.plot_levels(ev.levels_by_month, out / "levels.png")
        plot.plot_hit_rates(ev.hits_by_kind, ev.borrowers, out / "hit_rates.png")
        plot.plot_precision_recall(ev.families, out / "precision_recall.png")
        report = {
            "borrowers": borrowers,
            "months": months,
            "seed": seed,
            "calibration_firms": len(calibration),
            **ev.as_dict(),
        }
        (out / "report.json").write_text(
            json.dumps(report, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if fmt == "json":
            typer.echo(json.dumps(report, default=str, ensure_ascii=False))
            return
        table = Table(
            title=f"Detection per signal family ({borrowers} borrowers, {months} months, seed {seed})"
        )
        for col in ("family", "injected", "flagged", "TP", "precision", "recall"):
            table.add_column(col, justify="right" if col != "family" else "left")
        for family, r in ev.families.items():
            table.add_row(
                family,
                str(r["injected"]),
                str(r["flagged"]),
                str(r["true_positives"]),
                f"{r['precision']:.3f}",
                f"{r['recall']:.3f}",
            )
        console = Console()
        console.print(table)
        console.print(f"feed: {ev.ingest}")
        console.print(f"last month levels: {ev.levels_by_month[-1]}")
        console.print(f"book and plots written to {out}")
