"""Building state over the API for the reliability tests: loans of a channel, officers with
fresh tokens, a non-performing loan, and the audit leaves written since a point (the effects)."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.kernel.clock import Clock
from creditfactory.origination.application import demo_uscc
from creditfactory.servicing import services
from creditfactory.servicing.classification import LoanGrade
from tests.e2e.conftest import Api, application

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
"""Loans are booked three days back (the clock then moves to today): backdating needs a past."""


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return secrets.token_hex(12)


def apply(api: Api, auto_accept: bool = True) -> dict[str, Any]:
    """An approved application of a new borrower (disbursed unless `auto_accept` is False)."""
    body = {**application(uscc=demo_uscc(secrets.randbelow(10**7))), "auto_accept": auto_accept}
    answer = api.post("/api/v1/applications", body, new_key())
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    assert view["status"] in ("disbursed", "approved"), view
    return view


def officer(api: Api, role: str) -> str:
    """A new officer of `role` with a token valid at the app's clock; returns its id."""
    security = api.client.app.state.security
    name = "r" + secrets.token_hex(6)
    officer_id: str = security.create_officer(
        name, "pw-" + name, role, api.client.app.state.deps.clock.now()
    )
    api.tokens[officer_id] = security.login(name, "pw-" + name)
    return officer_id


def non_performing(engine: Engine, clock: Clock, loan_id: str) -> None:
    """Make `loan_id` 次级: a grade floor (as a monitoring disposal sets it) and end of day."""
    uow = SqlUnitOfWork(engine, clock, actor="test:floor")
    services.set_grade_floor(uow, clock, loan_id, LoanGrade.SUBSTANDARD, "reliability test")
    services.end_of_day(uow, clock, services.business_date(clock))


def last_leaf(engine: Engine) -> int:
    """The sequence of the newest audit leaf (-1 when empty)."""
    with engine.connect() as db:
        found = db.execute(select(func.max(audit_entries.c.sequence))).scalar_one()
    return -1 if found is None else int(found)


def effects_since(engine: Engine, sequence: int) -> Counter[str]:
    """Actions of the audit leaves written after `sequence` (every state change writes one)."""
    with engine.connect() as db:
        rows = db.execute(
            select(audit_entries.c.action).where(audit_entries.c.sequence > sequence)
        ).scalars()
        return Counter(rows)
