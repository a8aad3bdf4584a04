"""`creditfactory schedule`: the JSON contract, the table, and one-line exit-2 refusals, run
through the real entry point (main) in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.cli import run_cli as _run
from tests.shared import load_case

BASE = [
    "schedule",
    "--principal", "5000",
    "--annual-rate", "0.12",
    "--term", "18",
    "--method", "equal_installment",
    "--disbursement-date", "2022-11-01",
]  # fmt: skip


def test_json_matches_fineract_rs02(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """RS02: 5000 at 12 %, 18 months, installments in multiples of 1 → 305.00 … 303.22."""
    args = [*BASE, "--first-due-date", "2022-12-01", "--installment-multiple", "1"]
    code, out, _ = _run([*args, "--format", "json"], monkeypatch, capsys)
    assert code == 0
    body = json.loads(out)
    assert set(body) == {"installments", "total_principal", "total_interest"}
    first = body["installments"][0]
    assert first == {
        "seq": 1,
        "due_date": "2022-12-01",
        "principal": "255.00",
        "interest": "50.00",
        "installment": "305.00",
        "outstanding": "4745.00",
    }
    case = next(
        c
        for c in load_case("schedules_fineract.json")["cumulative_schedule_cases"]
        if c["id"] == "fineract-RS02"
    )
    assert body["total_interest"] == f"{case['expected_totals']['interest']:.2f}"
    assert body["total_principal"] == "5000.00"
    assert body["installments"][-1]["installment"] == "303.22"


@pytest.mark.parametrize(
    "method", ["equal_installment", "equal_principal", "interest_only", "bullet"]
)
def test_every_method_prints(method: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    args = [*BASE[:7], "--method", method, *BASE[9:], "--format", "json"]
    code, out, _ = _run(args, monkeypatch, capsys)
    assert code == 0
    body = json.loads(out)
    assert body["total_principal"] == "5000.00"
    assert body["installments"][-1]["outstanding"] == "0.00"


def test_table_is_the_default(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    code, out, _ = _run(BASE, monkeypatch, capsys)
    assert code == 0
    assert "Repayment schedule" in out
    assert "2024-05-01" in out


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--principal", "-5", "principal"),
        ("--principal", "0", "principal"),
        ("--principal", "abc", "principal"),
        ("--term", "0", "term"),
        ("--term", "1.5", "term"),
        ("--annual-rate", "12", "annual_rate"),
        ("--annual-rate", "-0.01", "annual_rate"),
        ("--method", "annuity", "method"),
        ("--first-due-date", "2022-10-01", "first_due_date"),
        ("--disbursement-date", "2022-13-01", "disbursement_date"),
        ("--interest-basis", "weekly", "interest_basis"),
        ("--rounding", "down", "rounding"),
        ("--installment-multiple", "0", "installment_multiple"),
        ("--format", "xml", "format"),
    ],
    ids=str,
)
def test_bad_input_exits_2_with_one_line(
    option: str, value: str, field: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out, err = _run([*BASE, option, value], monkeypatch, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {field}: ")
