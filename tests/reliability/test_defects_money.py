"""Issue 13, defects 1, 2 and 6, each reproduced as filed (these failed before the fix).

1. Repayments posted twice: 25 concurrent repayments with one Idempotency-Key made up to 16
   postings and 500s; a crash between the posting and the key insert, then a retry, posted again.
2. A repayment dated 2100-12-31 was booked (74 years of interest and penalty) by any channel.
6. A write-off request dated 2026-02-31 passed, failed with 500 at execution and blocked the
   loan for good; unknown loans were accepted; a loan disbursed that day at 0 DPD was written off.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text

from creditfactory.adapters.storage import repositories
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.kernel.clock import FixedClock
from creditfactory.servicing import services
from creditfactory.servicing.services import BookLoan
from tests.reliability.book import START, apply, new_key, non_performing, officer

DISBURSED = date(2024, 1, 31)
PAID = FixedClock(date(2024, 2, 29))  # the business date of the repayments


def _loan(engine: Engine) -> str:
    loan_id = f"loan_{uuid.uuid4().hex[:12]}"
    uow = SqlUnitOfWork(engine, FixedClock(DISBURSED))
    cmd = BookLoan(loan_id, "b", "sme-term@2024.1", "100000", "0.0445", 12, DISBURSED)
    services.book_loan(uow, cmd)
    services.disburse_loan(uow, FixedClock(DISBURSED), loan_id, DISBURSED)
    return loan_id


def _postings(engine: Engine, loan_id: str) -> int:
    with engine.connect() as db:
        query = "SELECT count(*) FROM journal_entries WHERE reference = :r AND event = :e"
        return int(db.execute(text(query), {"r": loan_id, "e": "RepaymentPosted"}).scalar_one())


def _repay(engine: Engine, loan_id: str, key: str) -> Any:
    uow = SqlUnitOfWork(engine, PAID)
    return services.post_repayment(uow, PAID, loan_id, Decimal("8535.56"), PAID.now().date(), key)


def test_defect_01_concurrent_repayments_post_once(any_engine: Engine) -> None:
    loan_id, key = _loan(any_engine), new_key()
    with ThreadPoolExecutor(25) as pool:
        answers = list(pool.map(lambda _: _repay(any_engine, loan_id, key), range(25)))
    assert _postings(any_engine, loan_id) == 1
    assert all(a == answers[0] for a in answers)  # every caller gets the first response


class _Killed(BaseException):
    """The process dies here (nothing after it runs, nothing uncommitted survives)."""


def test_defect_01_a_crash_before_the_key_is_kept_posts_nothing(
    any_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    loan_id, key = _loan(any_engine), new_key()

    def killed(*_args: Any, **_kw: Any) -> None:
        raise _Killed

    store = repositories.IdempotencyRepository
    for name in ("put", "record"):  # where the key's response is written, before and after
        if hasattr(store, name):
            monkeypatch.setattr(store, name, killed)
    with pytest.raises(_Killed):
        _repay(any_engine, loan_id, key)
    monkeypatch.undo()
    assert _postings(any_engine, loan_id) == 0  # the posting died with the key
    first = _repay(any_engine, loan_id, key)
    assert _repay(any_engine, loan_id, key) == first
    assert _postings(any_engine, loan_id) == 1


def test_defect_02_a_repayment_dated_after_the_business_date_is_refused(
    sqlite_engine: Engine, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    loan_id = apply(api)["loan_id"]
    path = f"/api/v1/loans/{loan_id}/repayments"
    future = api.post(path, {"amount": "1000.00", "value_date": "2100-12-31"}, new_key())
    assert future.status_code == 422 and future.json()["field"] == "value_date", future.text
    loan = api.get(f"/api/v1/loans/{loan_id}").json()
    assert loan["days_past_due"] == 0 and "2100" not in str(loan)
    paid = api.post(path, {"amount": "1000.00"}, new_key())  # the owner's next one still works
    assert paid.status_code == 200, paid.text


def test_defect_02_backdating_is_its_own_operation_and_permission(
    sqlite_engine: Engine, make_api: Any
) -> None:
    clock = FixedClock(START)
    api = make_api(sqlite_engine, clock=clock)
    loan_id = apply(api)["loan_id"]
    clock.advance(timedelta(days=2))
    yesterday = (services.business_date(clock) - timedelta(days=1)).isoformat()
    body = {"amount": "1000.00", "value_date": yesterday}
    channel = api.post(f"/api/v1/loans/{loan_id}/repayments", body, new_key())
    assert channel.status_code == 422 and channel.json()["field"] == "value_date"
    backdated = f"/api/v1/loans/{loan_id}/backdated-repayments"
    assert api.post(backdated, {**body, "reason": "bank slip dated yesterday"}).status_code == 403
    approver, officer_only = officer(api, "credit_approver"), officer(api, "loan_officer")
    headers = {"Idempotency-Key": new_key()}
    why = {**body, "reason": "bank slip dated yesterday"}

    def post(who: str) -> Any:
        auth = {"Authorization": f"Bearer {api.tokens[who]}", **headers}
        return api.client.post(backdated, json=why, headers=auth)

    assert post(officer_only).status_code == 403
    done = post(approver)
    assert done.status_code == 200, done.text
    assert post(approver).json() == done.json()  # once per key


def _write_off_item(api: Any, maker: str, loan_id: str, day: str) -> Any:
    body = {"kind": "write_off", "subject": f"loan:{loan_id}", "params": {"business_date": day}}
    return api.officer("POST", "/api/v1/approvals", maker, body)


def test_defect_06_an_impossible_or_future_write_off_date_is_422(
    sqlite_engine: Engine, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    maker = officer(api, "loan_officer")
    loan_id = apply(api)["loan_id"]
    for day in ("2026-02-31", "2100-12-31"):
        refused = _write_off_item(api, maker, loan_id, day)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "params.business_date"


def test_defect_06_a_write_off_of_an_unknown_loan_is_404(
    sqlite_engine: Engine, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    maker = officer(api, "loan_officer")
    today = services.business_date(api.client.app.state.deps.clock).isoformat()
    assert _write_off_item(api, maker, "loan_nobody", today).status_code == 404


def test_defect_06_a_performing_loan_is_not_written_off(
    sqlite_engine: Engine, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    maker = officer(api, "loan_officer")
    loan_id = apply(api)["loan_id"]  # disbursed today, 0 DPD
    refused = _write_off_item(
        api, maker, loan_id, api.client.app.state.deps.clock.now().date().isoformat()
    )
    assert refused.status_code == 422 and refused.json()["field"] == "loan_id", refused.text


def test_defect_06_a_failed_execution_never_blocks_the_loan(
    sqlite_engine: Engine, make_api: Any
) -> None:
    clock = FixedClock(START)
    api = make_api(sqlite_engine, clock=clock)
    loan_id = apply(api)["loan_id"]
    clock.advance(timedelta(days=1))
    non_performing(sqlite_engine, clock, loan_id)
    maker, checker = officer(api, "loan_officer"), officer(api, "credit_approver")
    today = services.business_date(clock).isoformat()
    item = _write_off_item(api, maker, loan_id, today)
    assert item.status_code == 200, item.text
    approval_id = item.json()["approval_id"]
    approved = api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", checker, {})
    assert approved.status_code == 200
    closed = _pay_off(api, loan_id)
    assert closed["status"] == "closed", closed
    path = f"/api/v1/loans/{loan_id}/write-off"
    failed = api.officer("POST", path, maker, {"approval_id": approval_id})
    assert failed.status_code == 422, failed.text  # a closed loan is not written off
    items = api.officer("GET", "/api/v1/approvals?status=rejected", checker).json()["data"]
    assert approval_id in {i["approval_id"] for i in items}  # released, with its reason
    again = _write_off_item(api, maker, loan_id, today)
    assert again.status_code == 422 and again.json()["field"] == "loan_id"  # not 409 "busy"


def _pay_off(api: Any, loan_id: str) -> dict[str, Any]:
    from creditfactory.servicing.prepayment import payoff_quote

    deps = api.client.app.state.deps
    with deps.uow() as uow:
        loan = uow.loans.get(loan_id)
    total = payoff_quote(loan, services.business_date(deps.clock)).total
    answer = api.post(f"/api/v1/loans/{loan_id}/prepayments", {"amount": str(total)}, new_key())
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_defect_01_a_lost_race_on_a_loan_is_409_not_500(
    sqlite_engine: Engine, make_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another transaction changed the loan first (on PostgreSQL, end of day beside a
    repayment): a retryable 409 problem+json, never a 500."""
    api = make_api(sqlite_engine)
    loan_id = apply(api)["loan_id"]

    def lost(self: Any, loan: Any) -> None:
        raise repositories.ConcurrentUpdate(f"loan {loan.loan_id} changed since version 1")

    monkeypatch.setattr(repositories.LoanRepository, "save", lost)
    answer = api.post(f"/api/v1/loans/{loan_id}/repayments", {"amount": "10.00"}, new_key())
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_defect_01_the_longest_key_with_its_channel_is_kept(
    any_engine: Engine, make_api: Any
) -> None:
    """A 128-character Idempotency-Key plus the channel prefix is longer than the key column:
    kept as its digest (PostgreSQL once refused the insert with a 500)."""
    api = make_api(any_engine)
    loan_id = apply(api)["loan_id"]
    path, key = f"/api/v1/loans/{loan_id}/repayments", "k" * 128
    first = api.post(path, {"amount": "10.00"}, key)
    assert first.status_code == 200, first.text
    assert api.post(path, {"amount": "10.00"}, key).json() == first.json()
    assert api.post(path, {"amount": "11.00"}, key).status_code == 409
