"""The servicing use cases on a real database (SQLite and PostgreSQL): books balance, retries are
idempotent, concurrent writers are detected, the journal is append-only."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from creditfactory.adapters.storage.repositories import ConcurrentUpdate
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.money import Money
from creditfactory.servicing import services
from creditfactory.servicing.facility import CreditFacility
from creditfactory.servicing.loan_errors import LimitExceeded
from creditfactory.servicing.services import BookLoan, IdempotencyKeyReused

START = date(2024, 1, 31)
CLOCK = FixedClock(START)
PAID = FixedClock(date(2024, 2, 29))  # the business date of the repayments below


def _uid(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _booked(uow: SqlUnitOfWork, principal: str = "100000", loan_id: str = "") -> str:
    loan_id = loan_id or _uid("loan")
    services.book_loan(
        uow, BookLoan(loan_id, _uid("b"), "sme-term@2024.1", principal, "0.0445", 12, START)
    )
    services.disburse_loan(uow, CLOCK, loan_id, START)
    return loan_id


def _assert_ledger_matches(uow: SqlUnitOfWork, loan_id: str) -> None:
    with uow:
        loan = uow.loans.get(loan_id)
        ledger = uow.journal.balances(subledger=loan_id)
        total = sum((m.amount for m in uow.journal.trial_balance().values()), Decimal(0))
    for account, expected in loan.subledger_balances().items():
        assert ledger.get((account, loan_id), Money.zero()) == expected, account
    assert total == 0


def test_book_run_repay_and_the_books_balance(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine, CLOCK)
    loan_id = _booked(uow)
    day = START
    for _ in range(75):  # first installment paid, second missed → 关注
        day += timedelta(days=1)
        if day == date(2024, 2, 29):
            services.post_repayment(
                uow, FixedClock(day), loan_id, Decimal("8535.56"), day, _uid("k")
            )
        services.end_of_day(uow, CLOCK, day)
    with uow:
        loan = uow.loans.get(loan_id)
    assert loan.dpd == (day - date(2024, 3, 31)).days
    assert loan.grade.value == "SPECIAL_MENTION"
    assert loan.penalty_posted > 0
    _assert_ledger_matches(uow, loan_id)


def test_end_of_day_twice_posts_nothing_the_second_time(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine, CLOCK)
    _booked(uow)
    day = START + timedelta(days=3)
    services.end_of_day(uow, CLOCK, day)
    again = services.end_of_day(uow, CLOCK, day)
    assert (again.loans_closed, again.entries_posted) == (0, 0)


def test_repayment_retry_with_the_same_key_does_the_work_once(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine, CLOCK)
    loan_id = _booked(uow)
    key = _uid("key")
    pay_day = date(2024, 2, 29)
    first = services.post_repayment(uow, PAID, loan_id, Decimal("8535.56"), pay_day, key)
    second = services.post_repayment(uow, PAID, loan_id, Decimal("8535.56"), pay_day, key)
    assert first == second
    with uow:
        repayments = uow.connection.execute(
            text(
                "SELECT count(*) FROM journal_entries WHERE reference = :r AND event = 'RepaymentPosted'"
            ),
            {"r": loan_id},
        ).scalar_one()
    assert repayments == 1
    with pytest.raises(IdempotencyKeyReused):
        services.post_repayment(uow, PAID, loan_id, Decimal("1.00"), pay_day, key)
    _assert_ledger_matches(uow, loan_id)


def test_concurrent_writers_are_detected(engine: Engine) -> None:
    loan_id = _booked(SqlUnitOfWork(engine, CLOCK))
    first, second = SqlUnitOfWork(engine, CLOCK), SqlUnitOfWork(engine, CLOCK)
    with first:
        a = first.loans.get(loan_id)
        first.commit()
    with second:
        b = second.loans.get(loan_id)
        second.loans.save(b)
        second.commit()
    with first, pytest.raises(ConcurrentUpdate):
        first.loans.save(a)


def test_journal_rows_cannot_be_updated_or_deleted(engine: Engine) -> None:
    _booked(SqlUnitOfWork(engine, CLOCK))
    for statement in (
        "UPDATE postings SET amount_minor = amount_minor + 1",
        "DELETE FROM journal_entries",
    ):
        with pytest.raises((IntegrityError, DBAPIError)), engine.begin() as conn:
            conn.execute(text(statement))


def test_drawdown_above_the_available_limit_changes_nothing(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine, CLOCK)
    facility_id, borrower = _uid("fac"), _uid("b")
    facility = CreditFacility(
        facility_id,
        borrower,
        "sme-revolving@2024.1",
        Decimal("300000"),
        START,
        START + timedelta(days=365),
    )
    services.open_facility(uow, facility)
    services.draw_down(
        uow,
        CLOCK,
        facility_id,
        BookLoan(_uid("loan"), borrower, "sme-revolving@2024.1", "200000", "0.0435", 6, START),
    )
    with pytest.raises(LimitExceeded):
        services.draw_down(
            uow,
            CLOCK,
            facility_id,
            BookLoan(
                _uid("loan"), borrower, "sme-revolving@2024.1", "100000.01", "0.0435", 6, START
            ),
        )
    with uow:
        assert uow.facilities.outstanding_principal(facility_id) == Decimal("200000.00")
        assert uow.facilities.get(facility_id).pending == 0


def test_end_of_day_resumes_after_a_crash(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    uow = SqlUnitOfWork(engine, CLOCK)
    day = START + timedelta(days=5)
    services.end_of_day(uow, CLOCK, day - timedelta(days=1))  # close what other tests left open
    run = uuid.uuid4().hex[:8]
    loan_ids = [_booked(uow, loan_id=f"zz_{run}_{i}") for i in range(5)]  # last in id order
    real = services.run_end_of_day
    victim = loan_ids[3]

    def crash_on_victim(loan: Any, business_date: date) -> Any:
        if loan.loan_id == victim:
            raise RuntimeError("power cut")
        return real(loan, business_date)

    monkeypatch.setattr(services, "run_end_of_day", crash_on_victim)
    with pytest.raises(RuntimeError):
        services.end_of_day(uow, CLOCK, day, chunk_size=2)
    with uow:
        closed = [uow.loans.get(i).last_closed_date == day for i in loan_ids]
    assert closed[:2] == [True, True]  # earlier chunks committed
    assert not closed[3] and sum(closed) in (2, 3)  # the failing chunk rolled back whole
    monkeypatch.setattr(services, "run_end_of_day", real)
    resumed = services.end_of_day(uow, CLOCK, day, chunk_size=2)
    assert resumed.loans_closed == 5 - sum(closed)
    with uow:
        assert all(uow.loans.get(i).last_closed_date == day for i in loan_ids)
    for loan_id in loan_ids:
        _assert_ledger_matches(uow, loan_id)
