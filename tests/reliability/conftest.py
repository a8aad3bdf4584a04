"""Reliability suite (issue 13): small by default (CI), full size with RELIABILITY_FULL=1
(`make reliability`). Tests size their runs with `sized(small, full)`; the API fixtures are the
end-to-end ones. `any_engine` here is SQLite, then PostgreSQL in a database of its own
(`<DATABASE_URL_PG's database>_reliability`, created when missing): the duplicate and crash
tests leave paid loans that other suites' "pick any row" tampering must not meet."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from tests.e2e.conftest import _ENGINES, _cipher, _engine, make_api, sqlite_engine
from tests.pg import own_database, postgres_url

__all__ = ["FULL", "_cipher", "any_engine", "make_api", "sized", "sqlite_engine"]

FULL = os.environ.get("RELIABILITY_FULL") == "1"


def sized(small: int, full: int) -> int:
    """`full` under RELIABILITY_FULL=1, else `small`."""
    return full if FULL else small


def _own_postgres() -> Engine:
    if "reliability-pg" not in _ENGINES:  # disposed with the end-to-end engines
        engine = make_engine(own_database(postgres_url(), "reliability", fresh=False))
        _ENGINES["reliability-pg"] = engine
        upgrade_schema(engine)
    return _ENGINES["reliability-pg"]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """SQLite, then PostgreSQL (a database of its own, module docstring) when configured."""
    if request.param == "sqlite":
        return _engine("sqlite", tmp_path_factory)
    return _own_postgres()
