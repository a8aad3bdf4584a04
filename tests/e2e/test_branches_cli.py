"""`creditfactory branches add|list`, officers and channel keys placed at a branch, and
migration 0015 putting every existing row at the head office (issue 14, "Organisation")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.identity_tables import api_keys, officers
from creditfactory.adapters.storage.migrations import upgrade_schema
from tests.cli import run_cli_process


def test_branches_add_list_and_placing_officers(tmp_path: Path) -> None:
    db = tmp_path / "b.sqlite3"

    def cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
        done = run_cli_process(db, *args, stdin=stdin)
        return done.returncode, done.stdout, done.stderr

    assert cli("branches", "add", "SH", "--name", "上海分行", "--level", "branch",
               "--parent", "HQ", "--name-en", "Shanghai branch")[0] == 0  # fmt: skip
    assert cli("branches", "add", "PD", "--name", "浦东支行", "--level", "sub_branch",
               "--parent", "SH")[0] == 0  # fmt: skip
    # bad input: exit 2 with one line naming the option
    for args, named in (
        (("PD2", "--name", "x", "--level", "sub_branch", "--parent", "PD"), "--parent"),
        (("PD3", "--name", "x", "--level", "town", "--parent", "SH"), "--level"),
        (("PD", "--name", "x", "--level", "sub_branch", "--parent", "SH"), "BRANCH_ID"),
    ):
        code, _, err = cli("branches", "add", *args)
        assert code == 2 and err.startswith(f"error: {named}:") and err.count("\n") == 1, err
    code, out, _ = cli("branches", "list", "--format", "json")
    listed = json.loads(out)
    assert [(b["branch_id"], b["level_zh"], b["parent_id"]) for b in listed] == [
        ("HQ", "总行", None), ("SH", "分行", "HQ"), ("PD", "支行", "SH")
    ]  # fmt: skip
    assert cli("branches", "list", "--format", "xml")[0] == 2
    password = "a long password 1\n"
    assert cli("users", "add", "li", "--password-stdin", "--branch", "PD", stdin=password)[0] == 0
    code, _, err = cli("users", "add", "lu", "--password-stdin", "--branch", "NO", stdin=password)
    assert code == 2 and err.startswith("error: branch: no branch 'NO'"), err
    assert cli("users", "channel-key", "ch_pd", "--branch", "PD")[1].startswith("cfk_")
    assert "│ li       │ none │ PD" in cli("users", "list")[1]
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(select(api_keys.c.branch_id)).scalar_one() == "PD"
    engine.dispose()
    code, out, _ = cli("audit", "verify")
    assert code == 0 and out.startswith("ok:"), out  # branch rows under row evidence


def test_migration_puts_existing_rows_at_the_head_office(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade_schema(engine, "0014")
    at = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:  # raw SQL: the tables of 0014, without branch_id
        conn.execute(
            text("INSERT INTO officers (officer_id, username, password_hash, role, active, "
                 "created_at) VALUES ('off_old', 'old', 'x', 'auditor', true, :at)"),
            {"at": at},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO api_keys (key_id, channel_id, key_hash, active, created_at) "
                 "VALUES ('k_old', 'ch', 'h', true, :at)"),
            {"at": at},
        )  # fmt: skip
    upgrade_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(select(officers.c.branch_id)).scalar_one() == "HQ"
        assert conn.execute(select(api_keys.c.branch_id)).scalar_one() == "HQ"
    engine.dispose()
