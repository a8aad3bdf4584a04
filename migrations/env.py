"""Alembic environment: runs migrations on a connection handed in by `upgrade_schema` or on the
URL from settings (`alembic upgrade head` from the command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import migration_connection
from creditfactory.adapters.storage.tables import metadata
from creditfactory.config import Settings

target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with migration_connection(make_engine(Settings().database_url)) as own:
        _run(own)
