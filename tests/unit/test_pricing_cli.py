"""`creditfactory price` and `price optimise`: the acceptance contract, JSON shape, bad-input exits."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from tests.shared import shared_path
from typer.testing import CliRunner

from creditfactory.adapters.cli import price

BASE = ["--pd", "0.02", "--lgd", "0.45", "--ead", "500000", "--term-months", "12"]
CONTRACT = [*BASE, "--as-of", "2024-06-30", "--format", "json"]


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        """Test root, so that `price` is a sub-command as in the real app."""

    price.register(root)
    return root


def run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["price", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("method", ["raroc", "cost_plus", "base_rate_plus", "profitability"])
def test_contract_json(app: typer.Typer, method: str) -> None:
    code, output = run(app, "--method", method, *CONTRACT, "--hurdle", "0.12")
    assert code == 0, output
    payload = json.loads(output)
    for key in ("offered_annual_rate", "components_bp", "expected_loss", "capital", "raroc"):
        assert isinstance(payload[key], str | dict)
    assert payload["expected_loss"] == "4500.00"  # 0.02 × 0.45 × 500,000
    assert payload["lpr"] == {
        "tenor": "1Y",
        "rate": "0.03450000",
        "fixing_date": "2024-02-20",
        "confidence": "C",
    }
    rate = Decimal(payload["offered_annual_rate"])
    assert rate == Decimal("0.0345") + Decimal(payload["spread_bp"]) / 10_000
    assert all(isinstance(v, str) for v in payload["components_bp"].values())
    assert payload["explanation"]["borrower_zh"] and payload["explanation"]["risk_officer"]


def test_given_rate_reports_its_raroc(app: typer.Typer) -> None:
    code, output = run(app, "--method", "raroc", *CONTRACT, "--rate", "0.055")
    payload = json.loads(output)
    assert code == 0
    assert payload["offered_annual_rate"] == "0.05500000"
    assert Decimal(payload["raroc"]) > Decimal("0.12") and payload["meets_hurdle"] is True
    assert "excess_over_hurdle" in payload["components_bp"]


def test_text_output(app: typer.Typer) -> None:
    code, output = run(app, "--method", "cost_plus", *BASE, "--as-of", "2024-06-30")
    assert code == 0
    assert output.startswith("offered annual rate 0.05240000 (LPR 0.03450000 + 179 bp)")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--method", "raroc", "--pd", "1.5", "--lgd", "0.45", "--ead", "1"], "pd"),
        (["--method", "raroc", "--pd", "-0.1", "--lgd", "0.45", "--ead", "1"], "pd"),
        (["--method", "raroc", "--pd", "0.02", "--lgd", "0.45", "--ead", "-5"], "ead"),
        (["--method", "magic", "--pd", "0.02", "--lgd", "0.45", "--ead", "1"], "method"),
        (["--pd", "0.02", "--lgd", "0.45", "--ead", "1"], "method"),
    ],
)
def test_bad_input_exits_2(app: typer.Typer, args: list[str], field: str) -> None:
    code, output = run(app, *args, "--as-of", "2024-06-30")
    assert code == 2
    assert f"{field}: " in output


def test_date_before_the_lpr_series(app: typer.Typer) -> None:
    code, output = run(app, "--method", "raroc", *BASE, "--as-of", "2019-08-19")
    assert code == 2 and "as_of: must be on or after 2019-08-20" in output


def churn_table() -> str:
    return str(shared_path("data", "cumcm2020c_sme_invoices", "rate_vs_churn_2019.csv"))


def test_optimise_contract(app: typer.Typer) -> None:
    args = ["--pd-by-grade", "A=0.01,B=0.03,C=0.08", "--lgd", "0.45", "--format", "json"]
    code, output = run(app, "optimise", "--churn-table", churn_table(), *args)
    assert code == 0, output
    grades = json.loads(output)["grades"]
    assert [g["grade"] for g in grades] == ["A", "B", "C"]
    for grade in grades:
        assert grade["feasible"] is True
        assert Decimal(grade["annual_rate"]) >= Decimal(grade["minimum_rate"])
        assert Decimal(grade["expected_profit"]) > 0


@pytest.mark.parametrize("value", ["A0.01", "A=x", "A=1.5", "A=0.01,A=0.02", "=0.1"])
def test_optimise_malformed_pd_by_grade(app: typer.Typer, value: str) -> None:
    code, output = run(app, "optimise", "--churn-table", churn_table(), "--pd-by-grade", value)
    assert code == 2 and "pd_by_grade: " in output


def test_optimise_missing_table(app: typer.Typer) -> None:
    code, output = run(app, "optimise", "--churn-table", "/no/such.csv", "--pd-by-grade", "A=0.1")
    assert code == 2 and "churn_table: " in output


def test_portfolio(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "loan_id,grade,product,channel,ead,annual_rate,pd_12m,lgd\n"
        "l1,A,invoice_loan,online,100000,0.05,0.01,0.45\n"
        "l2,B,sme_working_capital,branch,200000,0.07,0.03,0.45\n",
        encoding="utf-8",
    )
    code, output = run(
        app, "portfolio", "--book", str(path), "--as-of", "2024-06-30", "--format", "json"
    )
    assert code == 0, output
    rows = json.loads(output)["rows"]
    assert rows[-1]["dimension"] == "total" and rows[-1]["loans"] == "2"


def _real_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "creditfactory.adapters.cli.main", "price", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def test_real_entry_point_exit_codes() -> None:
    """Through `main()`, as the acceptance checks run it: exit 0 / exit 2 with one stderr line."""
    ok = _real_cli("--method", "raroc", *CONTRACT)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["method"] == "raroc"
    bad = _real_cli("--method", "raroc", *BASE, "--as-of", "2019-01-01")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: as_of: must be on or after 2019-08-20 (first LPR), got 2019-01-01"
    ]
