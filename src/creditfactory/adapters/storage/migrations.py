"""Run the Alembic migrations (repository folder `migrations/`) to head on an engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

__all__ = ["ALEMBIC_INI", "upgrade_schema"]

ALEMBIC_INI = Path(__file__).resolve().parents[4] / "alembic.ini"


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision` in one transaction."""
    config = Config(str(ALEMBIC_INI))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
