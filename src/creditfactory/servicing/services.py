"""Servicing use cases: book, disburse, repay, prepay, end-of-day, write off, recover.

Each takes a unit of work (and a Clock for event times), changes one aggregate inside one
transaction and returns plain values. Money-moving commands carry an idempotency key and run
through THE idempotency mechanism (`kernel.idempotency.run_once`): key claim, posting and stored
response in one transaction; a retry with the same key and request returns the first result and
does nothing; the same key with a different request is refused (`IdempotencyKeyReused`, 409).
Value dates are checked against the business date (`value_dates.check_value_date`): never after
it; before it only for the backdating operation (`backdating=True`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditfactory.kernel.clock import Clock, china_date
from creditfactory.kernel.idempotency import (
    IdempotencyKeyReused,
    StoredResponseTampered,
    run_once,
    stored_key,
)
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.eod import run_end_of_day
from creditfactory.servicing.facility import CreditFacility
from creditfactory.servicing.loan import Loan
from creditfactory.servicing.ports import UnitOfWork
from creditfactory.servicing.prepayment import PrepaymentKeep, accelerate, prepay
from creditfactory.servicing.products import PRODUCTS
from creditfactory.servicing.repayment import disburse, recover, repay, write_off
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    InterestBasis,
    ScheduleTerms,
    build_schedule,
)
from creditfactory.servicing.value_dates import check_value_date

__all__ = [
    "BookLoan",
    "accelerate_loan",
    "set_grade_floor",
    "EndOfDayResult",
    "IdempotencyKeyReused",
    "book_loan",
    "business_date",
    "contract_loan",
    "draw_down",
    "open_facility",
    "disburse_loan",
    "end_of_day",
    "post_prepayment",
    "post_repayment",
    "recover_written_off",
    "write_off_loan",
]


@dataclass(frozen=True)
class BookLoan:
    """Command: book an approved term loan from contract terms (amounts as decimal strings)."""

    loan_id: str
    borrower_id: str
    product_key: str
    principal: str
    annual_rate: str
    term_months: int
    disbursement_date: date
    first_due_date: date | None = None


def contract_loan(cmd: BookLoan, facility_id: str | None = None) -> Loan:
    """The approved loan (with its contract schedule) that `cmd` describes; pure."""
    product = PRODUCTS[cmd.product_key]
    rate = Rate.of(cmd.annual_rate)
    terms = ScheduleTerms(
        principal=Money.of(cmd.principal),
        annual_rate=rate,
        term=cmd.term_months,
        method=AmortizationMethod(product.method),
        disbursement_date=cmd.disbursement_date,
        first_due_date=cmd.first_due_date,
        day_count=product.day_count,
        interest_basis=InterestBasis(product.interest_basis),
        rounding=product.rounding,
    )
    schedule = build_schedule(terms)
    return Loan.from_schedule(cmd.loan_id, cmd.borrower_id, product, schedule, rate, facility_id)


def book_loan(uow: UnitOfWork, cmd: BookLoan) -> Loan:
    """Build the schedule and store the approved loan; returns it."""
    loan = contract_loan(cmd)
    with uow:
        uow.loans.add(loan)
        uow.audit.record("loan.booked", loan.loan_id, _booked(loan))
        uow.commit()
    return loan


def open_facility(uow: UnitOfWork, facility: CreditFacility) -> CreditFacility:
    """Store a newly granted credit facility (授信)."""
    with uow:
        uow.facilities.add(facility)
        uow.audit.record(
            "facility.opened",
            facility.facility_id,
            {
                "borrower_id": facility.borrower_id,
                "product_key": facility.product_key,
                "limit": str(facility.limit),
                "start_date": facility.start_date.isoformat(),
                "expiry_date": facility.expiry_date.isoformat(),
                "revolving": facility.revolving,
            },
        )
        uow.commit()
    return facility


def draw_down(uow: UnitOfWork, clock: Clock, facility_id: str, cmd: BookLoan) -> Loan:
    """用信: check the facility's available limit, book and disburse a loan under it — one
    transaction (the limit check and the disbursement succeed or fail together).
    raises LimitExceeded, InvalidLoanTransition."""
    with uow:
        facility = uow.facilities.get(facility_id)
        amount = Money.of(cmd.principal).amount
        facility.request_drawdown(
            amount, cmd.disbursement_date, uow.facilities.outstanding_principal(facility_id)
        )
        loan = contract_loan(cmd, facility_id)
        entries = disburse(loan, cmd.disbursement_date)
        facility.fund_drawdown(amount)
        uow.loans.add(loan)
        uow.journal.add(entries, clock.now())
        uow.facilities.save(facility)
        uow.audit.record(
            "facility.drawn_down", facility_id, {**_booked(loan), "amount": str(amount)}
        )
        uow.commit()
    return loan


def _booked(loan: Loan) -> dict[str, Any]:
    return {
        "borrower_id": loan.borrower_id,
        "product": loan.product.key,
        "principal": str(loan.principal),
        "annual_rate": str(loan.annual_rate.value),
        "disbursement_date": loan.disbursement_date.isoformat(),
        "facility_id": loan.facility_id,
        "schedule": [
            [r.seq, r.due_date.isoformat(), str(r.principal_due), str(r.interest_due)]
            for r in loan.installments
        ],
    }


def _apply(
    uow: UnitOfWork,
    clock: Clock,
    loan_id: str,
    audit_action: str,
    details: dict[str, Any],
    action: Callable[[Loan], list[JournalEntry]],
) -> Loan:
    """Change one loan inside the open transaction: lock, load, act, post, save, audit."""
    uow.loans.lock(loan_id)
    loan = uow.loans.get(loan_id)
    entries = action(loan)
    uow.journal.add(entries, clock.now())
    uow.loans.save(loan)
    uow.audit.record(
        audit_action,
        loan_id,
        {**details, "status": loan.status.value, "entries": [e.entry_id for e in entries]},
    )
    return loan


def _change(
    uow: UnitOfWork,
    clock: Clock,
    loan_id: str,
    audit_action: str,
    details: dict[str, Any],
    action: Callable[[Loan], list[JournalEntry]],
) -> Loan:
    with uow:
        loan = _apply(uow, clock, loan_id, audit_action, details, action)
        uow.commit()
    return loan


def business_date(clock: Clock) -> date:
    """Today's business date: the day in China (`kernel.clock.china_date`)."""
    return china_date(clock.now())


_today = business_date  # for the commands whose date parameter is named business_date


def disburse_loan(uow: UnitOfWork, clock: Clock, loan_id: str, business_date: date) -> Loan:
    """Disburse an approved loan (posts Dr loan principal / Cr settlement)."""
    details = {"business_date": business_date.isoformat()}
    return _change(
        uow, clock, loan_id, "loan.disbursed", details, lambda loan: disburse(loan, business_date)
    )


def _summary(loan: Loan) -> dict[str, Any]:
    """The answer to money received: amounts as text in `currency`, and `days_past_due` (逾期天数),
    the key the loan view uses (until issue 13 it was "dpd", which no contract read)."""
    return {
        "loan_id": loan.loan_id,
        "status": loan.status.value,
        "currency": loan.currency,
        "principal_outstanding": str(loan.principal_outstanding),
        "overpayment": str(loan.overpayment),
        "days_past_due": loan.dpd,
        "grade": loan.grade.value,
    }


def post_repayment(
    uow: UnitOfWork,
    clock: Clock,
    loan_id: str,
    amount: Decimal,
    value_date: date | None,
    idempotency_key: str,
    *,
    backdating: bool = False,
    by: str | None = None,
    reason: str = "",
) -> dict[str, Any]:
    """Post a repayment once per idempotency key; returns the loan summary after it.
    `value_date` None: the business date. `backdating`: the backdating operation (its route
    holds the permission) by officer `by` for `reason`, both kept in the audit leaf.
    raises ValidationError("value_date") after the business date, or before it without
    `backdating`; IdempotencyKeyReused; RepaymentRejected, BusinessDateOutOfOrder."""
    extra = {"backdated": True, "by": by, "reason": reason} if backdating else {}
    return _cash_in(
        uow, clock, "repayment", loan_id, amount, value_date, idempotency_key, {}, extra,
        backdating, lambda loan, d: repay(loan, amount, d),
    )  # fmt: skip


def post_prepayment(
    uow: UnitOfWork,
    clock: Clock,
    loan_id: str,
    amount: Decimal,
    value_date: date | None,
    keep: PrepaymentKeep,
    idempotency_key: str,
) -> dict[str, Any]:
    """Prepay (partially or in full) once per idempotency key, dated the business date (None
    or that date); returns the loan summary. raises as `post_repayment`."""
    return _cash_in(
        uow, clock, "prepayment", loan_id, amount, value_date, idempotency_key,
        {"keep": keep.value}, {}, False, lambda loan, d: prepay(loan, amount, d, keep),
    )  # fmt: skip


def _cash_in(
    uow: UnitOfWork, clock: Clock, scope: str, loan_id: str, amount: Decimal,
    value_date: date | None, key: str, request_extra: dict[str, Any],
    details_extra: dict[str, Any], backdating: bool,
    act: Callable[[Loan, date], list[JournalEntry]],
) -> dict[str, Any]:  # fmt: skip
    """Money received on a loan, once per key. The request digest holds the value date as
    sent (None: "the business date"), so a retry after midnight gets the first response; the
    date is resolved and checked inside the work, after a retry was answered."""
    sent = None if value_date is None else value_date.isoformat()
    request = {"loan_id": loan_id, "amount": str(amount), "date": sent, **request_extra}

    def work(inside: UnitOfWork) -> dict[str, Any]:
        if inside.audit.carries_key(f"loan.{scope}_posted", loan_id, key):
            raise _EffectStands
        today = business_date(clock)
        dated = check_value_date(value_date or today, today, backdating=backdating)
        details = {**request, "date": dated.isoformat(), "idempotency_key": key, **details_extra}
        loan = _apply(inside, clock, loan_id, f"loan.{scope}_posted", details,
                      lambda loan: act(loan, dated))  # fmt: skip
        return _summary(loan)

    try:
        return run_once(uow, scope, key, request, work, clock.now)
    except _EffectStands:
        with uow:  # the alert outlives the refused request
            uow.idempotency.refused(scope, stored_key(key), clock.now(), _GONE)
            uow.commit()
        raise StoredResponseTampered(
            f"idempotency_key: {key!r} was posted before and its stored response is gone; "
            "it is not posted again"
        ) from None


class _EffectStands(Exception):
    """The key's effect is in the audit log although its idempotency row is not (deleted by
    hand): the money effect itself carries its key (leaf `idempotency_key`), so a retry after
    such a deletion is refused instead of posting twice (attack13 finding 2)."""


_GONE = "stored response row gone; the effect stands"


def write_off_loan(uow: UnitOfWork, clock: Clock, loan_id: str, value_date: date) -> Loan:
    """核销 a non-performing loan inside the caller's open transaction (maker-checker is the
    caller's: `approval_flow.execute_write_off`, which also makes it idempotent). The date must
    not be after the business date; an earlier one is the approved item's own (backdating
    through four eyes). raises ValidationError("business_date"), WriteOffNotEligible,
    LoanNotFound."""
    check_value_date(value_date, business_date(clock), backdating=True, field="business_date")
    details = {"business_date": value_date.isoformat()}
    action: Callable[[Loan], list[JournalEntry]] = lambda loan: write_off(  # noqa: E731
        loan, value_date
    )
    return _apply(uow, clock, loan_id, "loan.written_off", details, action)


def recover_written_off(
    uow: UnitOfWork, clock: Clock, loan_id: str, amount: Decimal, business_date: date
) -> Loan:
    """Book cash recovered on a written-off loan (dated not after the business date).
    raises ValidationError("business_date"), RepaymentRejected."""
    check_value_date(business_date, _today(clock), backdating=True, field="business_date")
    details = {"business_date": business_date.isoformat(), "amount": str(amount)}
    return _change(
        uow,
        clock,
        loan_id,
        "loan.recovered",
        details,
        lambda loan: recover(loan, amount, business_date),
    )


def accelerate_loan(
    uow: UnitOfWork, clock: Clock, loan_id: str, business_date: date, reason: str
) -> Loan:
    """加速到期: declare the whole loan due on `business_date` (e.g. an alert disposal)."""
    details = {"business_date": business_date.isoformat(), "reason": reason}
    return _change(
        uow,
        clock,
        loan_id,
        "loan.accelerated",
        details,
        lambda loan: accelerate(loan, business_date),
    )


def set_grade_floor(
    uow: UnitOfWork, clock: Clock, loan_id: str, floor: LoanGrade, reason: str
) -> Loan:
    """Set (raise or release) the loan's grade floor; the next end-of-day re-grades the loan and
    posts the allowance change. `floor` PASS releases a floor."""

    def apply(loan: Loan) -> list[JournalEntry]:
        loan.grade_floor = floor
        return []

    details = {"floor": floor.value, "reason": reason}
    return _change(uow, clock, loan_id, "loan.grade_floor_set", details, apply)


@dataclass(frozen=True)
class EndOfDayResult:
    """What one end-of-day run did: loans closed and journal entries posted."""

    business_date: date
    loans_closed: int
    entries_posted: int


def end_of_day(
    uow: UnitOfWork,
    clock: Clock,
    business_date: date,
    chunk_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> EndOfDayResult:
    """Close `business_date` for every active loan, `chunk_size` loans per transaction.

    Resumable: a loan already closed for the date is skipped, so a run that crashed half-way
    continues where it stopped; running a closed date again posts nothing.
    """
    closed = posted = 0
    after = ""
    while True:
        with uow:
            ids = uow.loans.ids_to_close(business_date, chunk_size, after)
            entries: list[JournalEntry] = []
            for loan in uow.loans.get_many(ids):
                entries += run_end_of_day(loan, business_date)
                uow.loans.save(loan)
            uow.journal.add(entries, clock.now())
            if ids:
                uow.audit.record(
                    "eod.batch_closed",
                    business_date.isoformat(),
                    {"loans": list(ids), "entries": [e.entry_id for e in entries]},
                )
            posted += len(entries)
            uow.commit()
        if not ids:
            break
        closed += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(len(ids))
    return EndOfDayResult(business_date, closed, posted)
