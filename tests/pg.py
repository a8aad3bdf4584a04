"""The PostgreSQL side of tests that run on both databases: the configured URL (DATABASE_URL_PG;
a failure under CI=true, a skip elsewhere) and a database of a suite's own beside it."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from creditfactory.adapters.storage.engine import make_engine


def postgres_url() -> str:
    """DATABASE_URL_PG; fails the test under CI=true when unset, skips it otherwise."""
    url = os.environ.get("DATABASE_URL_PG", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("DATABASE_URL_PG is not set in CI")
        pytest.skip("DATABASE_URL_PG not set")
    return url


def own_database(shared_url: str, suffix: str, *, fresh: bool) -> str:
    """The URL of `<shared database>_<suffix>` on the same server: created when missing, or
    dropped (with its connections) and created anew when `fresh`."""
    shared = make_url(shared_url)
    own = shared.set(database=f"{shared.database}_{suffix}")
    admin = make_engine(shared_url)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if fresh:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": own.database}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    return own.render_as_string(hide_password=False)
