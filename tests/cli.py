"""Run the real `creditfactory` entry point in-process (exit code, stdout, stderr)."""

from __future__ import annotations

import sys
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
