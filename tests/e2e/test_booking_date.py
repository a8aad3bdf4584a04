"""Loans are dated by the business day in China (finding 2 of the session-5 new-user pass):
a loan booked at 23:00 UTC is disbursed on the next Chinese calendar day (UTC+8, GB/T 7408
time of day; `kernel.clock.china_date`), its first instalment falls a month after that day,
its disbursement is journalled on it, and the borrower can repay on the day of booking."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from creditfactory.adapters.storage.ledger_tables import journal_entries
from creditfactory.kernel.clock import FixedClock
from tests.e2e.conftest import application
from tests.lpr_fixture import LPR_CURRENT_ON, current_series


def test_defect_02_loan_booked_late_utc_is_dated_and_repayable_on_the_china_day(
    sqlite_engine: Any, make_api: Any
) -> None:
    china_day = LPR_CURRENT_ON  # 23:00 UTC the day before is 07:00 on this day in Beijing
    clock = FixedClock(datetime.combine(china_day - timedelta(days=1), datetime.min.time(), UTC)
                       + timedelta(hours=23))  # fmt: skip
    api = make_api(sqlite_engine, lpr_series=current_series(china_day), clock=clock)
    body = api.post("/api/v1/applications", application(), uuid.uuid4().hex).json()
    assert body["status"] == "disbursed", body
    loan = api.get(f"/api/v1/loans/{body['loan_id']}").json()
    assert loan["disbursement_date"] == china_day.isoformat()
    # 等额本息 monthly: the first instalment is due one month after the China day.
    first_due = date.fromisoformat(loan["schedule"][0]["due_date"])
    assert (first_due.year * 12 + first_due.month) - (china_day.year * 12 + china_day.month) == 1
    with sqlite_engine.connect() as db:
        journalled = set(db.execute(select(journal_entries.c.business_date)
                                    .where(journal_entries.c.reference == body["loan_id"])).scalars())  # fmt: skip
    assert journalled == {china_day}
    paid = api.post(f"/api/v1/loans/{body['loan_id']}/repayments", {"amount": "1000.00"},
                    uuid.uuid4().hex)  # fmt: skip
    assert paid.status_code == 200, paid.text
