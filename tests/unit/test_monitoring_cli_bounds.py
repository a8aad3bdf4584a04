"""`creditfactory simulate` bounds and `monitor run`'s business-date rule, through the real entry
point (main) in-process: bad input exits 2 with one stderr line naming the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.cli import run_cli as _run

from creditfactory.adapters.cli import monitor
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.clock import FixedClock


def _one_line(err: str, prefix: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), err


@pytest.mark.parametrize(
    ("args", "prefix"),
    [
        (["--months", "100000"], "error: months: must be between 4 and 240, got 100,000"),
        (["--months", "241"], "error: months: must be between 4 and 240"),
        (["--months", "3"], "error: months: must be between 4 and 240"),
        (["--borrowers", "100000000"], "error: borrowers: must be between 10 and 2,000,000"),
        (["--borrowers", "0"], "error: borrowers: must be between 10 and 2,000,000"),
        (["--format", "xml"], "error: format: "),
    ],
)
def test_simulate_bounds(
    args: list[str], prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    base = ["simulate", "--borrowers", "50", "--months", "12", "--seed", "1"]
    code, _, err = _run([*base, *args, "--out", str(tmp_path)], monkeypatch, capsys)
    assert code == 2
    _one_line(err, prefix)


def test_simulate_unwritable_out(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    args = ["simulate", "--borrowers", "50", "--months", "12", "--out", "/proc/nope"]
    code, _, err = _run(args, monkeypatch, capsys)
    assert code == 2
    _one_line(err, "error: out: cannot create /proc/nope")


# 2025-07-01 17:30 UTC is 2025-07-02 01:30 in China: "today" there is 2025-07-02.
NOW = datetime(2025, 7, 1, 17, 30, tzinfo=UTC)


@pytest.fixture
def fixed_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", f"sqlite:///{tmp_path / 'm.sqlite3'}")
    monkeypatch.setenv("CREDITFACTORY_VAR_DIR", str(tmp_path))

    def fixed() -> App:
        return bootstrap(clock=FixedClock(NOW))

    monkeypatch.setattr(monitor, "bootstrap", fixed)


@pytest.mark.parametrize("day", ["9999-12-31", "2025-07-03"])
def test_monitor_run_refuses_a_future_business_date(
    day: str, fixed_app: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _, err = _run(["monitor", "run", "--business-date", day], monkeypatch, capsys)
    assert code == 2
    _one_line(err, f"error: business_date: must not be after today (2025-07-02), got {day}")


def test_monitor_run_accepts_today_then_refuses_the_same_date(
    fixed_app: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    args = ["monitor", "run", "--business-date", "2025-07-02", "--format", "json"]
    code, out, err = _run(args, monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["business_date"] == "2025-07-02"
    code, _, err = _run(args, monkeypatch, capsys)
    assert code == 2
    _one_line(err, "error: business_date: must be after the last monitoring run (2025-07-02)")


def test_monitor_bad_format_refused_before_the_run(
    fixed_app: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A bad --format must not consume the business date (runs only move forward)."""
    base = ["monitor", "run", "--business-date", "2025-07-01"]
    code, _, err = _run([*base, "--format", "xml"], monkeypatch, capsys)
    assert code == 2
    _one_line(err, "error: format: ")
    code, out, err = _run([*base, "--format", "JSON"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["business_date"] == "2025-07-01"


def test_monitor_dispose_refuses_a_future_acceleration_date(
    fixed_app: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """加速到期 on a date after today would accrue and post into the future."""
    args = ["monitor", "dispose", "alert_x", "--action", "accelerate", "--actor", "officer_1",
            "--business-date", "2025-07-03"]  # fmt: skip
    code, _, err = _run(args, monkeypatch, capsys)
    assert code == 2
    _one_line(err, "error: business_date: must not be after today (2025-07-02), got 2025-07-03")
