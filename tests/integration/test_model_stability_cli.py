"""`creditfactory model stability`, `servicing eod` and `model monitor` through the real entry
point (main) in-process, on a fresh SQLite database per test with a fixed clock: the contract's
JSON shape, exit 3 on a drifted sample and 0 on an undrifted one, the alert raised once across
the command and the nightly step, and bad input (exit 2, one line naming the option)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy
import pytest
from sqlalchemy import func, select

from creditfactory.adapters.api.main import keep_serving_spec
from creditfactory.adapters.cli import model_stability, servicing
from creditfactory.adapters.storage.monitoring_tables import monitoring_alerts
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.clock import FixedClock
from creditfactory.origination.loan_terms import request_categories
from creditfactory.scoring.stability import MIN_DECISIONS
from tests.cli import run_cli
from tests.sba_applicants import with_revolving_line
from tests.stability_samples import (
    current_spec,
    deps_at,
    drifted,
    submit,
    undrifted,
    with_reference,
)

DAY = date(2025, 3, 14)
# 2025-03-14 17:00 UTC is 2025-03-15 01:00 in China: "today" there is 2025-03-15.
NOW = datetime(2025, 3, 14, 17, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> App:
    """A fresh database; the commands bootstrap it with the fixed clock."""
    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", f"sqlite:///{tmp_path / 's.sqlite3'}")
    monkeypatch.setenv("CREDITFACTORY_VAR_DIR", str(tmp_path))

    def fixed(existing: bool = False) -> App:
        return bootstrap(clock=FixedClock(NOW), existing=existing)

    monkeypatch.setattr(model_stability, "bootstrap", fixed)
    monkeypatch.setattr(servicing, "bootstrap", fixed)
    return fixed()


def _decide(app: App, rows_of: Any) -> None:
    # the served spec plus a RevLineCr characteristic (the 2026-12-07 spec's), so the reference
    # notes of never-served categories ("unrecorded", "Y") stay exercised end to end
    spec = with_reference(with_revolving_line(current_spec()), numpy.random.default_rng(3))
    deps = deps_at(app.engine, spec, datetime(2025, 3, 10, 6, tzinfo=UTC))
    keep_serving_spec(deps)
    submit(deps, rows_of(spec))


def _stability(monkeypatch: pytest.MonkeyPatch, capsys: Any, *extra: str) -> Any:
    args = ["model", "stability", "--business-date", DAY.isoformat(), *extra]
    return run_cli(args, monkeypatch, capsys)


def _alerts(app: App) -> int:
    with app.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(monitoring_alerts)).scalar_one())


def test_drifted_sample_exits_3_with_the_contract_shape_and_one_alert(
    app: App, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _decide(app, lambda spec: drifted(spec, MIN_DECISIONS))
    code, out, err = _stability(monkeypatch, capsys, "--format", "json")
    assert code == 3, err
    data = json.loads(out)
    assert data["status"] == "act"
    assert isinstance(data["score_psi"], float)
    names = [c.feature for c in with_revolving_line(current_spec()).characteristics]
    assert [c["name"] for c in data["characteristics"]] == names
    one = {f for f, values in request_categories(names).items() if len(values) == 1}
    for c in data["characteristics"]:  # RevLineCr: N on every served request, nothing to drift
        assert {"name", "csi", "status"} <= set(c)
        assert (c["status"], c["csi"] > 0.25) == (
            ("stable", False) if c["name"] in one else ("act", True)
        )
    assert data["decisions"] == MIN_DECISIONS and data["window"]["days"] == 30
    assert [(a["outcome"], a["level"]) for a in data["alerts"]] == [("opened", "red")]
    code, out, _ = _stability(monkeypatch, capsys, "--format", "json")
    assert code == 3 and [a["outcome"] for a in json.loads(out)["alerts"]] == ["unchanged"]
    code, out, err = run_cli(
        ["servicing", "eod", "--business-date", DAY.isoformat()], monkeypatch, capsys
    )
    assert code == 0, err
    assert f"model stability 模型稳定性 {DAY}: act 需处置" in out and "unchanged" in out
    assert _alerts(app) == 1


def test_undrifted_sample_exits_0_and_reads_in_a_table(
    app: App, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    rng = numpy.random.default_rng(17)
    _decide(app, lambda spec: undrifted(spec, MIN_DECISIONS + 100, rng))
    code, out, err = _stability(monkeypatch, capsys, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == "stable", data
    assert {c["status"] for c in data["characteristics"]} == {"stable"} and data["alerts"] == []
    left = {n["name"]: set(n["left_out"]) for n in data["reference"] if "left_out" in n}
    assert left == {"RevLineCr": {"unrecorded", "Y"}}  # never served: refused at intake
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps table cells to the terminal width
    code, out, _ = _stability(monkeypatch, capsys)
    assert code == 0
    spec = with_revolving_line(current_spec())
    for ch in spec.characteristics:
        assert spec.label(ch.feature, "zh") in out
    assert "稳定" in out and "status 总体状态: stable" in out
    assert "reference 基准: RevLineCr without unrecorded, Y (" in out
    assert _alerts(app) == 0


def test_no_decisions_is_insufficient_and_the_nightly_step_says_so(
    app: App, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out, _ = _stability(monkeypatch, capsys, "--format", "json", "--window-days", "7")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "insufficient" and data["score_psi"] is None
    assert data["characteristics"] == [] and data["decisions"] == 0 and data["reference"] == []
    code, out, _ = run_cli(["servicing", "eod", "--business-date", "2025-03-14"], monkeypatch,
                           capsys)  # fmt: skip
    assert code == 0 and "insufficient 样本不足 (no decisions in the 30 days" in out


@pytest.mark.parametrize(
    ("args", "prefix"),
    [
        (["--business-date", "2025-02-30"], "error: business_date: a date YYYY-MM-DD"),
        (["--business-date", "2025-03-16"],
         "error: business_date: must not be after today (2025-03-15), got 2025-03-16"),
        (["--business-date", "2025-03-14", "--window-days", "0"],
         "error: window_days: must be between 1 and 366"),
        (["--business-date", "2025-03-14", "--window-days", "x"], "error: "),
        (["--business-date", "2025-03-14", "--format", "xml"], "error: format: table or json"),
        ([], "error: "),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    args: list[str], prefix: str, app: App, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out, err = run_cli(["model", "stability", *args], monkeypatch, capsys)
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert len(lines) == 1 and lines[0].startswith(prefix), err


def test_model_monitor_exits_3_on_act_and_0_when_stable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The CSV comparison reads the same statuses and now exits as `model stability` does."""
    spec = current_spec()
    rng = numpy.random.default_rng(23)
    files = {"ref": undrifted(spec, 1000, rng), "same": undrifted(spec, 1000, rng),
             "drift": drifted(spec, 400)}  # fmt: skip
    for name, rows in files.items():
        with (tmp_path / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(spec.features))
            writer.writeheader()
            writer.writerows(rows)
    base = ["model", "monitor", "--spec", str(Path(__file__).parents[1] / "e2e" / "sba_spec.json"),
            "--reference", str(tmp_path / "ref.csv"), "--format", "json", "--current"]  # fmt: skip
    code, out, err = run_cli([*base, str(tmp_path / "drift.csv")], monkeypatch, capsys)
    assert code == 3, err
    assert "act" in {v["status"] for v in json.loads(out)["csi"].values()}
    code, out, err = run_cli([*base, str(tmp_path / "same.csv")], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["status"] == "stable"
