"""QA defects of `creditfactory price`, run through the real entry point (main) in-process: bounded
EAD, fractions not percents, unreadable churn tables, refusal when the hurdle is out of reach, the
stale-LPR flag, plain-notation decimals with fixed places, case-insensitive --method."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from tests.cli import run_cli as _run

from creditfactory.kernel.money import Money
from creditfactory.pricing.offer import OfferFlag, offer_rate
from creditfactory.pricing.policy import Method
from creditfactory.pricing.quote import PricingRequest

LOAN = ["--pd", "0.02", "--lgd", "0.45", "--term-months", "12", "--as-of", "2024-06-30"]
RAROC = ["price", "--method", "raroc", *LOAN, "--format", "json"]


def _refused_with(args: list[str], needle: str, mp: pytest.MonkeyPatch, capsys: Any) -> None:
    code, out, err = _run(args, mp, capsys)
    assert code == 2, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("ead", "rule"),
    [
        ("1e30", "ead: must be plain decimal text without an exponent"),
        ("99999999999999999999999999999", "ead: must be at most 1000000000000 CNY"),
        ("1000000000000.01", "ead: must be at most 1000000000000 CNY"),
        ("Infinity", "ead: must be finite"),
        ("NaN", "ead: must be finite"),
        ("500000.001", "ead: must be a whole number of fen"),
    ],
)
def test_ead_is_bounded(ead: str, rule: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    _refused_with([*RAROC, "--ead", ead], rule, monkeypatch, capsys)


def test_ead_at_the_bound_is_priced(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    code, out, _ = _run([*RAROC, "--ead", "1000000000000"], monkeypatch, capsys)
    assert code == 0
    # EL = 0.02 × 0.45 × 1e12 = 9e9
    assert json.loads(out)["expected_loss"] == "9000000000.00"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--rate", "5.5"), ("--hurdle", "12"), ("--fee-rate", "3"), ("--rate", "-0.01")],
)
def test_percent_given_as_fraction(
    option: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    field = option.removeprefix("--").replace("-", "_")
    args = [*RAROC, "--ead", "500000", option, value]
    _refused_with(args, f"{field}: must be", monkeypatch, capsys)


def test_optimise_hurdle_percent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    table = tmp_path / "churn.csv"
    table.write_text("annual_rate,churn_rating_A\n0.05,0.1\n", encoding="utf-8")
    args = ["price", "optimise", "--churn-table", str(table), "--pd-by-grade", "A=0.01"]
    _refused_with([*args, "--hurdle", "12"], "hurdle: must be a fraction <= 1", monkeypatch, capsys)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"foo,bar\n1,2\n", "churn_table: no 'annual_rate' column (columns: foo, bar)"),
        (b"\xff\xfe\x00annual_rate\n\x80\x81\n", "churn_table: "),
        (b"annual_rate,churn_rating_A\n", "churn_table: has no data rows"),
        (b"", "churn_table: has no data rows"),
        (b"annual_rate,churn_rating_A\n0.05\n", "churn_table: row 1: churn_rating_A is empty"),
        (b"annual_rate,churn_rating_A\nx,0.1\n", "churn_table: row 1: annual_rate"),
        (b"annual_rate,other\n0.05,0.1\n", "churn_table: has no churn_rating_<grade> columns"),
    ],
)
def test_optimise_bad_tables(
    content: bytes, needle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    table = tmp_path / "churn.csv"
    table.write_bytes(content)
    args = ["price", "optimise", "--churn-table", str(table), "--pd-by-grade", "A=0.01"]
    _refused_with(args, needle, monkeypatch, capsys)


def test_hurdle_out_of_reach_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """PD 99 %: EL alone is 0.99 × 0.45 = 44.55 % a year, far above the 15 % cap."""
    args = ["price", "--method", "raroc", "--pd", "0.99", "--lgd", "0.45", "--ead", "500000"]
    code, out, _ = _run([*args, "--as-of", "2024-06-30", "--format", "json"], monkeypatch, capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["refused"] is True and payload["meets_hurdle"] is False
    assert "refused_hurdle_unreachable_within_cap" in payload["flags"]
    assert "above the product cap 15.00%" in payload["refusal_reason"]
    assert D(payload["minimum_rate"]) > D("0.15")
    assert "cannot make an offer" in payload["explanation"]["borrower_en"]
    assert "无法提供报价" in payload["explanation"]["borrower_zh"]
    assert "REFUSED: minimum rate" in payload["explanation"]["risk_officer"]


def test_normal_offer_is_not_refused(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    code, out, _ = _run([*RAROC, "--ead", "500000"], monkeypatch, capsys)
    payload = json.loads(out)
    assert code == 0 and payload["refused"] is False and payload["refusal_reason"] is None


def _offer_on(day: date) -> tuple[OfferFlag, ...]:
    request = PricingRequest(D("0.02"), D("0.45"), Money(D(500_000)), 12, day)
    return offer_rate(request, Method.RAROC).flags


def test_lpr_stale_boundary() -> None:
    # last fixing shipped: 2026-03-20; next fixing Monday 2026-04-20; + 3 business days (Tue,
    # Wed, Thu; no holiday, 国办发明电 2026 notice) = 2026-04-23 is the last current day
    assert OfferFlag.LPR_STALE not in _offer_on(date(2026, 4, 23))
    assert OfferFlag.LPR_STALE in _offer_on(date(2026, 4, 24))
    assert OfferFlag.LPR_STALE not in _offer_on(date(2024, 6, 30))


def test_lpr_stale_in_cli(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    args = ["price", "--method", "raroc", "--pd", "0.02", "--lgd", "0.45", "--ead", "500000"]
    code, out, _ = _run([*args, "--as-of", "2099-01-01", "--format", "json"], monkeypatch, capsys)
    payload = json.loads(out)
    assert code == 0 and "lpr_stale" in payload["flags"]
    assert "WARNING lpr_stale" in payload["explanation"]["risk_officer"]
    assert payload["lpr"]["fixing_date"] == "2026-03-20"


PLACES = {"rate": 8, "bp": 4, "money": 2, "ratio": 6}
KINDS = {
    "offered_annual_rate": "rate",
    "method_rate": "rate",
    "minimum_rate": "rate",
    "all_in_rate": "rate",
    "expected_loss": "money",
    "capital": "money",
    "el_rate_bp": "bp",
    "risk_weight": "ratio",
    "raroc": "ratio",
    "hurdle_rate": "ratio",
}


def _places(text: str) -> int:
    assert re.fullmatch(r"-?\d+(\.\d+)?", text), f"not plain notation: {text!r}"
    return len(text.partition(".")[2])


@pytest.mark.parametrize("method", ["raroc", "cost_plus", "base_rate_plus", "profitability"])
def test_decimals_plain_and_even(method: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    args = ["price", "--method", method, *LOAN, "--format", "json", "--ead", "500000"]
    code, out, _ = _run([*args, "--rate", "0.055"], monkeypatch, capsys)
    assert code == 0
    payload = json.loads(out)
    for key, kind in KINDS.items():
        assert _places(payload[key]) == PLACES[kind], key
    assert _places(payload["lpr"]["rate"]) == 8
    for name, bp in payload["components_bp"].items():
        assert _places(bp) == 4, name
    # opex is 100 bp (policy): once "1E+2"
    if "operating_cost" in payload["components_bp"]:
        assert payload["components_bp"]["operating_cost"] == "100.0000"


def test_method_and_format_ignore_case(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    args = ["price", "--method", "RAROC", *LOAN, "--format", "JSON", "--ead", "500000"]
    code, out, _ = _run(args, monkeypatch, capsys)
    assert code == 0 and json.loads(out)["method"] == "raroc"
