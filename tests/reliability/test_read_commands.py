"""Read commands pointed at a missing database (issue 13 defect 7's class; closing4 "noticed"):
each exits 2 with one line naming `database` and creates nothing — no SQLite file, no folder,
no plot directory — through the one mechanism `audit verify` uses (`bootstrap(existing=True)`
→ `existing_engine`). Before, each of these created an empty database and answered from it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from creditfactory.adapters.cli import main as cli_main

READ_COMMANDS = [
    ["rates", "list"],
    ["rates", "list", "--format", "json"],
    ["monitor", "alerts"],
    ["monitor", "report"],
    ["users", "list"],
    ["model", "stability", "--business-date", "2026-03-20"],
    ["decision", "replay", "dec_missing"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_defect_07_read_command_on_a_missing_database_creates_nothing(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nowhere" / "cf.sqlite3"
    monkeypatch.chdir(tmp_path)  # `monitor report` writes its plots under ./var by default
    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", f"sqlite:///{missing}")
    monkeypatch.setenv("CREDITFACTORY_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    with pytest.raises(SystemExit) as exc:
        cli_main.main()
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert (
        err.count("\n") == 1 and err.startswith("error: database:") and "nothing was created" in err
    )
    assert list(tmp_path.iterdir()) == []
