"""`creditfactory rates import PATH` / `approve` / `list --format json` (issue 12 contracts): a bad
row exits 2 naming row and field with nothing stored; the importer cannot approve; a second
officer's approval publishes, and `rates list` then shows a current series."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.kernel.clock import SystemClock
from tests.cli import run_cli_process
from tests.lpr_fixture import current_series

HEADER = "effective_date,one_year,over_five_year,confidence,source\n"


def _cli(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli_process(tmp / "r.sqlite3", *args, stdin=stdin, user="operator_a")


def test_import_approve_list(tmp_path: Path) -> None:
    day = current_series().fixings[-1].effective_date.isoformat()  # the latest fixing date
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{day},3.00,3.50,U,cli test\n2026-03-20,3.00,three,U,cli test\n")
    refused = _cli(tmp_path, "rates", "import", str(bad))
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "error: rows[2].over_five_year: a percent like 3.00, got 'three'"
    ]
    listed = _cli(tmp_path, "rates", "list", "--format", "json")
    assert listed.returncode == 0 and json.loads(listed.stdout)["imported"] == []

    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"{day},3.00,3.50,U,cli test (not a published value)\n")
    assert _cli(tmp_path, "rates", "import", str(good)).returncode == 0
    pending = json.loads(_cli(tmp_path, "rates", "list", "--format", "json").stdout)
    assert set(pending) == {"series_version", "last_fixing", "current_until", "stale",
                            "business_date", "imported", "series"}  # fmt: skip
    (row,) = pending["imported"]
    assert row["status"] == "pending" and row["imported_by"] == "cli:operator_a"
    assert row["effective_date"] == day and row["one_year"] == "3.00"
    assert pending["stale"] is True  # nothing published yet: the shipped series

    own = _cli(tmp_path, "rates", "approve", row["import_id"])
    assert own.returncode == 2 and "checker must not be the maker" in own.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    Security(engine, "k", SystemClock(), DEFAULT_ACCESS).create_officer(
        "risk_b", "a long password b", "risk_manager", datetime.now(UTC)
    )
    engine.dispose()
    assert (
        _cli(
            tmp_path,
            "rates",
            "approve",
            row["import_id"],
            "--officer",
            "risk_b",
            "--password-stdin",
            stdin="a long password b\n",
        ).returncode
        == 0
    )
    published = json.loads(_cli(tmp_path, "rates", "list", "--format", "json").stdout)
    assert published["imported"][0]["status"] == "published"
    assert published["last_fixing"]["effective_date"] == day and published["stale"] is False
    assert published["series_version"].endswith(row["import_id"])
    table = _cli(tmp_path, "rates", "list")
    assert table.returncode == 0 and "published" in table.stdout
