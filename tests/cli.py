"""Run the real `creditfactory` entry point in-process (exit code, stdout, stderr), or in a fresh
process (`run_cli_process`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from creditfactory.adapters.cli import main as cli_main


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[int, str, str]:
    """`creditfactory ARGS` through `main()`, as a user's shell would run it."""
    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    code = 0
    try:
        cli_main.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def run_cli_process(
    database: Path, *args: str, stdin: str = "", user: str = "operator_o"
) -> subprocess.CompletedProcess[str]:
    """`creditfactory ARGS` in a fresh process on the SQLite file `database` (its folder as the
    var dir), as OS login `user` — for commands whose process-wide state (PII key, settings)
    must not leak into the test session."""
    env = {"CREDITFACTORY_DATABASE_URL": f"sqlite:///{database}",
           "CREDITFACTORY_VAR_DIR": str(database.parent), "PATH": "", "USER": user}  # fmt: skip
    command = [sys.executable, "-c", "from creditfactory.adapters.cli.main import main; main()",
               *args]  # fmt: skip
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, check=False
    )
