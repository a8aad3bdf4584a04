"""PostgreSQL repeats the ledger's key invariant: an unbalanced journal entry cannot commit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError

from creditfactory.adapters.storage.ledger_tables import journal_entries, postings


def test_unbalanced_entry_is_refused_at_commit(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the deferred balance trigger exists on PostgreSQL only")
    with pytest.raises(DBAPIError, match="does not balance"), engine.begin() as conn:
        conn.execute(
            insert(journal_entries).values(
                entry_id="je_unbalanced",
                business_date=datetime(2024, 1, 1, tzinfo=UTC).date(),
                event="Test",
                reference="x",
                reverses=None,
                posted_at=datetime(2024, 1, 1, tzinfo=UTC),
            )
        )
        conn.execute(
            insert(postings).values(
                entry_id="je_unbalanced",
                account="1001",
                subledger="x",
                amount_minor=100,
                currency="CNY",
            )
        )
