"""Integration tests run on SQLite always and on PostgreSQL when DATABASE_URL_PG is set (CI sets
it after starting a real server; under CI=true a missing URL fails instead of skipping)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema

_PREPARED: dict[str, Engine] = {}


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL_PG", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "DATABASE_URL_PG is not set: CI must run the integration tests on PostgreSQL"
            )
        pytest.skip("DATABASE_URL_PG not set (PostgreSQL run happens in CI)")
    return url


def _fresh_postgres(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade_schema(engine)
    return engine


@pytest.fixture(scope="session", autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    for engine in _PREPARED.values():
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """A migrated database: one SQLite file, one PostgreSQL schema per test session."""
    kind = request.param
    if kind not in _PREPARED:
        if kind == "sqlite":
            path = Path(tmp_path_factory.mktemp("db")) / "test.sqlite3"
            fresh = make_engine(f"sqlite:///{path}")
            upgrade_schema(fresh)
        else:
            fresh = _fresh_postgres(_postgres_url())
        _PREPARED[kind] = fresh
    return _PREPARED[kind]
