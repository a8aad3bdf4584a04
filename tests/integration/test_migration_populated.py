"""Every migration upgrades a database holding rows, on SQLite and PostgreSQL.

Migration 0015 rebuilt `officers`, `api_keys`, `applications` and `loans` on SQLite (batch
mode: copy, DROP, rename) with foreign keys on: the DROP of `applications` deleted its rows
first and failed on the decisions / offers / referral actions pointing at them
(`FOREIGN KEY constraint failed [DROP TABLE applications]`), leaving the file half-migrated (the
sqlite3 driver committed each DDL statement alone). The fixture here is a database at 0014
with a row in each rebuilt table and in every table with a foreign key into one, recorded by
row evidence as a migration records rows (`state.rows_baselined`); the test upgrades it to head.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, inspect, text

from creditfactory.adapters.storage.audit_store import (
    SqlAuditStore,
    append_entries,
    row_digesters,
)
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import ForeignKeyViolation, upgrade_schema
from creditfactory.adapters.storage.state_digesters import COVERED, baseline_entries
from creditfactory.audit import verify_log

REBUILT = ("officers", "api_keys", "applications", "loans")
# parents first: the tables 0015 rebuilds and every table whose foreign key points into one
FILLED = (*REBUILT, "decisions", "offers", "referral_actions", "installments")
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _value(kind: Any, n: int) -> Any:
    """A value of the reflected column type `kind` for row `n`."""
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return n
    if isinstance(kind, sa.DateTime):
        return AT
    if isinstance(kind, sa.Date):
        return date(2026, 12, 1)
    if isinstance(kind, sa.Numeric):
        return 1
    return f"v{n}"


def _populate(engine: Engine, rows: int) -> None:
    """`rows` rows in each FILLED table of a 0014 schema: NOT NULL columns filled by type,
    foreign keys into FILLED tables pointing at the matching parent row, other ones NULL."""
    found = inspect(engine)
    with engine.begin() as conn:
        for name in FILLED:
            refs = {
                fk["constrained_columns"][0]: fk["referred_table"]
                for fk in found.get_foreign_keys(name)
            }
            for n in range(1, rows + 1):
                row: dict[str, Any] = {}
                for column in found.get_columns(name):
                    parent = refs.get(column["name"])
                    if parent is not None:
                        row[column["name"]] = f"v{n}" if parent in FILLED else None
                    elif not column["nullable"] or column.get("autoincrement") is False:
                        row[column["name"]] = _value(column["type"], n)
                # text, not Table.insert(): row evidence tracks writes by the head's columns
                names = ", ".join(row)
                binds = ", ".join(f":{c}" for c in row)
                conn.execute(text(f"INSERT INTO {name} ({names}) VALUES ({binds})"), row)
        at_0014 = [t for t in COVERED if found.has_table(t)]
        append_entries(conn, baseline_entries(conn, "test:fixture", AT, tables=at_0014))


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = (
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            )
        return set(conn.execute(text(query)).scalars())


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0014(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database at revision 0014: a SQLite file, or a PostgreSQL schema of its own
    (the session's shared `public` schema stays at head for the other tests)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'at_0014.sqlite3'}")
    else:
        url = os.environ.get("DATABASE_URL_PG", "")
        if not url:
            pytest.skip("DATABASE_URL_PG not set (PostgreSQL run happens in CI)")
        _schema(url, "DROP SCHEMA IF EXISTS cf_at_0014 CASCADE", "CREATE SCHEMA cf_at_0014")
        join = "&" if "?" in url else "?"
        engine = make_engine(f"{url}{join}options=-csearch_path%3Dcf_at_0014")
    upgrade_schema(engine, "0014")
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        _schema(url, "DROP SCHEMA cf_at_0014 CASCADE")


def _schema(url: str, *statements: str) -> None:
    admin = make_engine(url)
    with admin.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def test_a_populated_database_upgrades_to_head(at_0014: Engine) -> None:
    engine = at_0014
    _populate(engine, rows=3)
    if engine.dialect.name == "sqlite":  # a tamper trigger on a rebuilt table survives it
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TRIGGER api_keys_kept BEFORE DELETE ON api_keys "
                    "BEGIN SELECT RAISE(ABORT, 'kept'); END"
                )
            )
    triggers = _triggers(engine)
    upgrade_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() != "0014"
        for name in FILLED:
            assert conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() == 3, name
        for name in REBUILT:
            branches = conn.execute(text(f"SELECT DISTINCT branch_id FROM {name}")).scalars()
            assert list(branches) == ["HQ"], name
        report = verify_log(SqlAuditStore(conn), digesters=row_digesters(conn))
    assert report.ok, report.findings
    assert triggers <= _triggers(engine)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            with pytest.raises(sa.exc.IntegrityError, match="kept"):
                conn.execute(text("DELETE FROM api_keys"))


def test_a_hand_edited_branch_of_an_old_row_is_named(at_0014: Engine) -> None:
    """The rows' evidence after 0015 covers the branch they were given."""
    engine = at_0014
    _populate(engine, rows=1)
    upgrade_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branches (branch_id, name, name_en, level, parent_id, "
                          "created_at) VALUES ('SH', 'x', 'x', 'branch', 'HQ', :at)"), {"at": AT})  # fmt: skip
        conn.execute(text("UPDATE loans SET branch_id = 'SH'"))
    with engine.connect() as conn:
        report = verify_log(SqlAuditStore(conn), digesters=row_digesters(conn))
    assert not report.ok
    assert any("loans" in f.detail for f in report.findings), report.findings


def test_a_failed_upgrade_leaves_the_previous_revision(tmp_path: Path) -> None:
    """A row whose foreign key points nowhere (written while the pragma was off) stops the
    upgrade at the check before the commit: nothing of 0015 stays, not even `branches`."""
    engine = make_engine(f"sqlite:///{tmp_path / 'orphan.sqlite3'}")
    upgrade_schema(engine, "0014")
    _populate(engine, rows=1)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(text("UPDATE offers SET application_id = 'gone'"))
        conn.commit()
    with pytest.raises(ForeignKeyViolation, match="offers"):
        upgrade_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0014"
        assert not inspect(conn).has_table("branches")
        assert "branch_id" not in {c["name"] for c in inspect(conn).get_columns("loans")}
    engine.dispose()


def test_two_processes_upgrading_at_once_migrate_once(tmp_path: Path) -> None:
    """Two start-ups on one 0014 file (a CLI command beside `serve`): the second waits for the
    first's write lock, then finds head — one upgrade, one set of baseline leaves, no error."""
    path = tmp_path / "shared.sqlite3"
    seed = make_engine(f"sqlite:///{path}")
    upgrade_schema(seed, "0014")
    _populate(seed, rows=2)
    seed.dispose()
    engines = [make_engine(f"sqlite:///{path}") for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(upgrade_schema, engines))
    with engines[0].connect() as conn:
        leaves = conn.execute(
            text("SELECT count(*) FROM audit_entries WHERE actor = 'system:migration-0015'")
        ).scalar_one()
        report = verify_log(SqlAuditStore(conn), digesters=row_digesters(conn))
    assert leaves == len(REBUILT) + 1 and report.ok, report.findings
    for engine in engines:
        engine.dispose()
