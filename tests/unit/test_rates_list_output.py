"""`creditfactory rates list` output: at 80 columns the import id (what `rates approve` takes) is
shown whole, folded, never truncated with an ellipsis; `--format JSON` is accepted like the other
commands' `--format`."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from creditfactory.adapters.cli import rates

IMPORT_ID = "lpr_7ea2ae845ec827417e9bf374"
LISTED = {
    "series_version": "lpr-2026-03-20", "current_until": "2026-04-23", "stale": True,
    "business_date": "2026-12-08", "series": [],
    "last_fixing": {"effective_date": "2026-03-20", "one_year": "3.00", "over_five_year": "3.50",
                    "confidence": "P", "source": "x"},
    "imported": [{"effective_date": "2026-04-20", "one_year": "2.95", "over_five_year": "3.45",
                  "confidence": "U", "source": "x", "import_id": IMPORT_ID, "status": "pending",
                  "imported_by": "cli:operator_a", "decided_by": None}],
}  # fmt: skip


@pytest.fixture
def screen(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(rates, "console", Console(file=out, width=80))
    monkeypatch.setattr(rates, "bootstrap", lambda **_: None)
    monkeypatch.setattr(rates, "_deps", lambda app: None)
    monkeypatch.setattr(rates.rates_flow, "list_rates", lambda deps, status: LISTED)
    return out


def test_the_import_id_is_whole_at_80_columns(screen: io.StringIO) -> None:
    assert CliRunner().invoke(rates.rates_app, ["list"]).exit_code == 0
    lines = screen.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in screen.getvalue()
    cells = [line.split("│")[6].strip() for line in lines if line.startswith("│")]
    assert "".join(cells) == IMPORT_ID


@pytest.mark.parametrize("name", ["JSON", "Json", "json"])
def test_format_json_is_case_insensitive(screen: Any, name: str) -> None:
    result = CliRunner().invoke(rates.rates_app, ["list", "--format", name])
    assert (
        result.exit_code == 0 and json.loads(result.stdout)["imported"][0]["import_id"] == IMPORT_ID
    )
