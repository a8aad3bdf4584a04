"""`creditfactory users`: the first two administrators (four eyes from the start), officers
without a role, channel keys — each audited; passwords only from standard input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _cli(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "CREDITFACTORY_DATABASE_URL": f"sqlite:///{tmp / 'u.sqlite3'}",
        "CREDITFACTORY_VAR_DIR": str(tmp),
        "PATH": "",
    }
    command = [
        sys.executable,
        "-c",
        "from creditfactory.adapters.cli.main import main; main()",
        *args,
    ]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, check=False
    )


def test_users_commands(tmp_path: Path) -> None:
    assert (
        _cli(
            tmp_path,
            "users",
            "bootstrap-admin",
            "root",
            "--password-stdin",
            stdin="a long password\n",
        ).returncode
        == 0
    )
    second = _cli(
        tmp_path, "users", "bootstrap-admin", "other", "--password-stdin", stdin="a long password\n"
    )
    assert second.returncode == 0
    third = _cli(
        tmp_path, "users", "bootstrap-admin", "third", "--password-stdin", stdin="a long password\n"
    )
    assert third.returncode == 2 and "2 active administrators exist" in third.stderr
    short = _cli(tmp_path, "users", "add", "wang", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "password" in short.stderr
    no_stdin = _cli(tmp_path, "users", "add", "wang")
    assert no_stdin.returncode == 2
    assert (
        _cli(
            tmp_path, "users", "add", "wang", "--password-stdin", stdin="another long one\n"
        ).returncode
        == 0
    )
    listing = _cli(tmp_path, "users", "list").stdout
    assert "administrator" in listing and "wang" in listing
    assert _cli(tmp_path, "users", "channel-key", "ch_1").stdout.startswith("cfk_")
    verify = _cli(tmp_path, "audit", "verify")
    # the head office's baseline (migration 0015), two administrators, wang, the key
    assert verify.returncode == 0 and "ok: 5 entries" in verify.stdout
