"""Servicing state changes write audit leaves in the same transaction, and editing a journal row
behind the application's back is named by `audit verify` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, select, text

from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.audit.verify import verify_log
from creditfactory.kernel.clock import FixedClock
from creditfactory.servicing import services
from creditfactory.servicing.services import BookLoan

START = date(2024, 1, 31)
CLOCK = FixedClock(START)


def _actions_for(engine: Engine, subject: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_entries.c.action)
                .where(audit_entries.c.subject == subject)
                .order_by(audit_entries.c.sequence)
            ).scalars()
        )


def test_every_state_change_leaves_an_audit_leaf(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine, CLOCK, actor="officer:wang")
    loan_id = f"loan_{uuid.uuid4().hex[:10]}"
    services.book_loan(uow, BookLoan(loan_id, "b1", "sme-term@2024.1", "50000", "0.0445", 6, START))
    services.disburse_loan(uow, CLOCK, loan_id, START)
    services.end_of_day(uow, CLOCK, START + timedelta(days=1))
    paid_on = START + timedelta(days=2)
    services.post_repayment(
        uow, FixedClock(paid_on), loan_id, Decimal("100.00"), paid_on, "k-" + loan_id
    )
    assert _actions_for(engine, loan_id) == [
        "loan.booked",
        "loan.disbursed",
        "loan.repayment_posted",
    ]
    with engine.connect() as conn:
        posted = conn.execute(
            select(audit_entries.c.payload, audit_entries.c.actor)
            .where(audit_entries.c.action == "ledger.entries_posted")
            .order_by(audit_entries.c.sequence.desc())
        ).first()
    assert posted is not None and posted.actor == "officer:wang"
    assert json.loads(posted.payload)["entries"][0]["reference"] == loan_id


def _drop_journal_guards(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS postings_append_only_{verb}"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS postings_append_only ON postings"))


def test_editing_a_journal_row_is_named_by_verify(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine, CLOCK)
    loan_id = f"loan_{uuid.uuid4().hex[:10]}"
    services.book_loan(uow, BookLoan(loan_id, "b2", "sme-term@2024.1", "80000", "0.0445", 6, START))
    services.disburse_loan(uow, CLOCK, loan_id, START)
    with engine.connect() as conn:
        store = SqlAuditStore(conn)
        assert verify_log(store, digesters=row_digesters(conn)).ok
        sequence = conn.execute(
            select(audit_entries.c.sequence)
            .where(audit_entries.c.action == "ledger.entries_posted")
            .where(audit_entries.c.payload.contains(loan_id))
        ).scalar_one()
    _drop_journal_guards(engine)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE postings SET amount_minor = amount_minor + 100 WHERE entry_id IN "
                    "(SELECT entry_id FROM journal_entries WHERE reference = :r)"
                ),
                {"r": loan_id},
            )
        with engine.connect() as conn:
            report = verify_log(SqlAuditStore(conn), digesters=row_digesters(conn))
        assert not report.ok
        assert report.first_tampered == sequence
        assert any(f.kind == "row_edited" for f in report.findings)
    finally:
        with engine.begin() as conn:  # put the row back so later tests see a clean log
            conn.execute(
                text(
                    "UPDATE postings SET amount_minor = amount_minor - 100 WHERE entry_id IN "
                    "(SELECT entry_id FROM journal_entries WHERE reference = :r)"
                ),
                {"r": loan_id},
            )
        _restore_journal_guards(engine)


def _restore_journal_guards(engine: Engine) -> None:
    """Recreate the postings guard the tamper test dropped."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for verb in ("update", "delete"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER IF NOT EXISTS postings_append_only_{verb} BEFORE {verb.upper()} "
                        "ON postings BEGIN SELECT RAISE(ABORT, 'postings is append-only'); END"
                    )
                )
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS postings_append_only ON postings"))
            conn.execute(
                text(
                    "CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings "
                    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
                )
            )
