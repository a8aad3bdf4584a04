"""`creditfactory users role USERNAME ROLE --officer ADMIN --password-stdin`: a role change from the
command line through maker-checker — one administrator asks, the same one cannot confirm, a
second one confirms and the officer has the role (before, a role came only over the API of a
running server, so a deployment could not name the risk managers who sign off its model before
its first `serve`)."""

from __future__ import annotations

from pathlib import Path

from tests.cli import run_cli_process


def test_two_administrators_give_a_role(tmp_path: Path) -> None:
    db = tmp_path / "u.sqlite3"
    made = run_cli_process(db, "users", "bootstrap-admin", "alice", "bob", "--password-stdin",
                           stdin="alice-first-start-pw\nbob-first-start-pw-2\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    added = run_cli_process(db, "users", "add", "carol", "--password-stdin",
                            stdin="carol-first-start-pw\n")  # fmt: skip
    assert added.returncode == 0, added.stderr

    def role(admin: str, password: str, wanted: str = "risk_manager") -> tuple[int, str]:
        done = run_cli_process(db, "users", "role", "carol", wanted, "--officer", admin,
                               "--password-stdin", stdin=password + "\n")  # fmt: skip
        return done.returncode, done.stdout + done.stderr

    code, out = role("alice", "alice-first-start-pw")
    assert code == 0 and "alice asks risk_manager for carol" in out, out
    code, out = role("alice", "alice-first-start-pw")
    assert code == 2 and "the checker must not be the maker" in out, out
    code, out = role("bob", "bob-first-start-pw-2", "administrator")
    assert code == 2 and "asks for risk_manager" in out, out
    code, out = role("bob", "bob-first-start-pw-2")
    assert code == 0 and "carol is now risk_manager" in out, out
    listed = run_cli_process(db, "users", "list")
    (line,) = [row for row in listed.stdout.splitlines() if "carol" in row]
    assert "risk_manager" in line
