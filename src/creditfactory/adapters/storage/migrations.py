"""Run the Alembic migrations (repository folder `migrations/`) to head on an engine.

SQLite alters a column by rebuilding its table (Alembic batch mode: copy, DROP, rename). Two
things make that safe on a database holding rows:

- foreign keys are switched off for the run — with them on, the DROP of a parent table
  (`applications`, `loans`) deletes its rows first and fails on their children — and checked
  as a whole (`PRAGMA foreign_key_check`) before the commit;
- the run is one explicit transaction: the sqlite3 driver opens none before DDL, so without
  `BEGIN` each CREATE / DROP committed alone and a failure left the database half-migrated.
  A failure now leaves it at the revision it started from. `BEGIN IMMEDIATE` also serialises
  two processes starting at once (one upgrades, the other then finds head).

The pragma cannot change inside a transaction, hence outside `BEGIN`, and is switched back on
before the connection returns to the pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine

__all__ = ["ALEMBIC_INI", "migration_connection", "triggers_kept", "upgrade_schema"]

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


class ForeignKeyViolation(RuntimeError):
    """A migration left rows whose foreign key points nowhere; nothing was committed."""


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for a migration run, committed when the block ends
    and rolled back whole when it raises; on SQLite with foreign keys off during the run and
    verified before the commit (raises ForeignKeyViolation naming the first bad row)."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # IMMEDIATE: the write lock before the revision is read, so a second start-up
            # waits (busy timeout) and then finds head instead of migrating from a stale read
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            started = _revision(connection)
            yield connection
            # a full scan: only when a migration ran, not at every start-up at head
            if sqlite and _revision(connection) != started:
                bad = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if bad is not None:
                    raise ForeignKeyViolation(
                        f"{bad[0]} row {bad[1]} refers to a missing {bad[2]} row"
                    )
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@contextmanager
def triggers_kept(connection: Connection, table: str) -> Iterator[None]:
    """Around a batch-mode table rebuild: SQLite drops a table's triggers with the table and
    Alembic does not copy them (the append-only / tamper triggers would vanish silently), so
    those on `table` are read before the block and created again after it. No-op elsewhere
    (PostgreSQL alters in place)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
    ).scalars()
    kept = list(found)
    yield
    for sql in kept:
        connection.exec_driver_sql(sql)


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision` in one transaction."""
    config = Config(str(ALEMBIC_INI))
    with migration_connection(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
