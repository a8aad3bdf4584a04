"""The columnar end-of-day (DuckDB) agrees with the per-loan domain engine to the cent on a
10,000-loan sample with random products, rates, ages and repayment behaviour: per loan (accrual,
penalty, compound, DPD, grade, non-accrual, allowance) and in the aggregated postings."""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from creditfactory.adapters.batch.eod_columnar import load_state, run_columnar_eod
from creditfactory.adapters.batch.snapshot import needs_per_loan_engine, state_rows
from creditfactory.kernel.daycount import DayCount
from creditfactory.servicing.eod import close_day, run_end_of_day
from creditfactory.servicing.loan import Loan
from creditfactory.servicing.products import SME_TERM_LOAN
from creditfactory.servicing.repayment import disburse, repay
from creditfactory.servicing.schedules import AmortizationMethod
from tests.servicing_fixtures import term_loan

BUSINESS_DATE = date(2024, 12, 31)
SAMPLE = 10_000
PRODUCTS = [
    SME_TERM_LOAN,
    replace(
        SME_TERM_LOAN, version="t-365", day_count=DayCount.ACT_365F, penalty_markup=Decimal("0.3")
    ),
    replace(SME_TERM_LOAN, version="t-nocomp", compound_overdue_interest=False),
]


def _history(rng: random.Random, index: int) -> Loan:
    start = BUSINESS_DATE - timedelta(days=rng.randint(1, 420))
    loan = term_loan(
        principal=str(rng.choice([5000, 30000, 100000, 888888.88, 2500000])),
        rate=rng.choice(["0.0345", "0.0445", "0.0612", "0.15", "0.2399"]),
        term=rng.choice([3, 6, 12, 24]),
        start=start,
        method=rng.choice(list(AmortizationMethod)),
        product=rng.choice(PRODUCTS),
        loan_id=f"loan_{index:05d}",
    )
    disburse(loan, start)
    late = rng.choice([0, 0, 0, 5, 40, 100, 10_000])  # days late; 10,000 = never pays
    paid = {r.due_date + timedelta(days=late): r for r in loan.installments}
    day = start
    while day < BUSINESS_DATE - timedelta(days=1):
        day += timedelta(days=1)
        row = paid.get(day)
        if row is not None and not row.settled:
            owed = row.principal_unpaid + row.interest_unpaid + loan.penalty_receivable
            repay(loan, owed if rng.random() < 0.8 else (owed / 2).quantize(Decimal("0.01")), day)
        run_end_of_day(loan, day)
    return loan


@pytest.fixture(scope="module")
def book() -> list[Loan]:
    rng = random.Random(20241231)
    return [_history(rng, i) for i in range(SAMPLE)]


def test_columnar_eod_agrees_with_the_domain_to_the_cent(book: list[Loan]) -> None:
    active = [loan for loan in book if not needs_per_loan_engine(loan, BUSINESS_DATE)]
    assert len(active) > SAMPLE * 0.5
    con = duckdb.connect()
    load_state(con, state_rows(active, BUSINESS_DATE))
    result = run_columnar_eod(con, BUSINESS_DATE)
    columnar = {
        row[0]: row[1:]
        for row in con.execute(
            "SELECT loan_id, dpd, grade_rank, interest_delta, penalty_delta, compound_delta,"
            " non_accrual_new, allowance_new FROM eod_result"
        ).fetchall()
    }
    expected_postings: dict[str, int] = defaultdict(int)
    for loan in active:
        before = copy.deepcopy(loan)
        entries = close_day(loan, BUSINESS_DATE)
        for entry in entries:
            for leg in entry.postings:
                expected_postings[leg.account] += leg.amount.to_minor()
        interest = sum(r.interest_accrued for r in loan.installments) - sum(
            r.interest_accrued for r in before.installments
        )
        got = columnar[loan.loan_id]
        assert got == (
            loan.dpd,
            loan.grade.rank,
            int(interest * 100),
            int((loan.penalty_posted - before.penalty_posted) * 100),
            int((loan.compound_posted - before.compound_posted) * 100),
            loan.non_accrual,
            int(loan.allowance * 100),
        ), loan.loan_id
    assert result.loans == len(active)
    assert {k: v for k, v in result.postings_minor.items() if v} == {
        k: v for k, v in expected_postings.items() if v
    }
    assert sum(result.postings_minor.values()) == 0
    assert {g for (_, g, *_rest) in columnar.values()} >= {0, 1, 2}  # the sample reaches 次级
