"""Reliability suite (issue 13): small by default (CI), full size with RELIABILITY_FULL=1
(`make reliability`). Tests size their runs with `sized(small, full)`; the API fixtures are the
end-to-end ones (SQLite always, PostgreSQL when DATABASE_URL_PG is set)."""

from __future__ import annotations

import os

from tests.e2e.conftest import _cipher, any_engine, make_api, sqlite_engine

__all__ = ["FULL", "_cipher", "any_engine", "make_api", "sized", "sqlite_engine"]

FULL = os.environ.get("RELIABILITY_FULL") == "1"


def sized(small: int, full: int) -> int:
    """`full` under RELIABILITY_FULL=1, else `small`."""
    return full if FULL else small
