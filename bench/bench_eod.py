"""End-of-day over a synthetic book of N loans for one business date (columnar, DuckDB).

Generates the `loan_state` table (85 % current, 10 % 1–90 DPD, 5 % > 90 DPD; rates 3–24 %) in an
on-disk DuckDB file, then times one business date: accrual, penalty and compound carries, DPD,
grade, non-accrual moves, allowance and aggregated postings (compute), and writing the new loan
state and the day's journal lines back to disk (persist). Also times the per-loan domain engine
on a small sample for comparison. Prints seconds, loans/s and peak RSS.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from creditfactory.adapters.batch.eod_columnar import STATE_COLUMNS, run_columnar_eod

BUSINESS_DATE = date(2025, 6, 30)


def _generate(con: duckdb.DuckDBPyConnection, n: int) -> None:
    d = f"DATE '{BUSINESS_DATE.isoformat()}'"
    columns = ", ".join(f"{name} {kind}" for name, kind in STATE_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE loan_state ({columns})")
    con.execute("SELECT setseed(0.42)")
    con.execute(f"""
INSERT INTO loan_state
WITH base AS (
  SELECT i, random() AS u, (100000 + (random() * 9900000)::BIGINT) * 100 // 100 AS principal,
         (300000 + (random() * 2100000)::BIGINT) AS rate_e8,
         (random() * 28)::INTEGER AS into_period
  FROM range({n}) t(i)
)
SELECT printf('loan_%08d', i),
  rate_e8 * 3 // 2, 360, TRUE, 91,
  {d} - into_period - 1, {d} - into_period + 29,
  principal * rate_e8 // 1200000000, (principal * rate_e8 // 1200000000) * into_period // 30,
  CASE WHEN u < 0.85 THEN 0 ELSE principal // 12 END,
  CASE WHEN u < 0.85 THEN 0 ELSE principal * rate_e8 // 1200000000 END,
  CASE WHEN u < 0.85 THEN 0 ELSE (random() * 1e15)::HUGEINT END,
  CASE WHEN u < 0.85 THEN 0 ELSE (random() * 1e13)::HUGEINT END,
  0, 0, 0, 0,
  CASE WHEN u < 0.85 THEN {d} + 1 WHEN u < 0.95 THEN {d} - 1 - (random() * 89)::INTEGER
       ELSE {d} - 91 - (random() * 400)::INTEGER END,
  0, u >= 0.97, principal // 100, principal
FROM base
""")
    # make the posted totals consistent with the carries, as the domain keeps them
    con.execute(
        "UPDATE loan_state SET penalty_posted = ((2 * penalty_carry_e10 + 100000000) // 200000000)::BIGINT,"
        " compound_posted = ((2 * compound_carry_e10 + 100000000) // 200000000)::BIGINT,"
        " penalty_receivable = ((2 * (penalty_carry_e10 + compound_carry_e10) + 100000000) // 200000000)::BIGINT,"
        " interest_receivable = cur_accrued"
    )


def _persist(con: duckdb.DuckDBPyConnection, postings: dict[str, int]) -> None:
    con.execute("""
CREATE OR REPLACE TABLE loan_state_next AS
SELECT s.* REPLACE (
  s.cur_accrued + r.interest_delta AS cur_accrued,
  r.penalty_carry_new AS penalty_carry_e10, r.compound_carry_new AS compound_carry_e10,
  s.penalty_posted + r.penalty_delta AS penalty_posted,
  s.compound_posted + r.compound_delta AS compound_posted,
  r.non_accrual_new AS non_accrual, r.allowance_new AS allowance)
FROM loan_state s JOIN eod_result r USING (loan_id)
""")
    con.execute(
        "CREATE TABLE IF NOT EXISTS gl_postings (business_date DATE, account VARCHAR, amount_minor BIGINT)"
    )
    con.executemany(
        "INSERT INTO gl_postings VALUES (?, ?, ?)",
        [(BUSINESS_DATE, account, amount) for account, amount in postings.items()],
    )
    con.execute("CHECKPOINT")


def _per_loan_sample(size: int) -> float:
    from tests.servicing_fixtures import term_loan

    from creditfactory.servicing.eod import run_end_of_day
    from creditfactory.servicing.repayment import disburse

    loans = [term_loan(loan_id=f"loan_{i}") for i in range(size)]
    for loan in loans:
        disburse(loan, loan.disbursement_date)
        run_end_of_day(loan, loan.disbursement_date + timedelta(days=10))
    start = time.perf_counter()
    for loan in loans:
        run_end_of_day(loan, loan.disbursement_date + timedelta(days=11))
    return time.perf_counter() - start


def run(small: bool) -> dict[str, object]:
    n = 20_000 if small else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "book.duckdb"), config={"threads": 2})
        t0 = time.perf_counter()
        _generate(con, n)
        con.execute("CHECKPOINT")
        generated = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = run_columnar_eod(con, BUSINESS_DATE)
        computed = time.perf_counter() - t1
        t2 = time.perf_counter()
        _persist(con, result.postings_minor)
        persisted = time.perf_counter() - t2
        con.close()
    per_loan = _per_loan_sample(500 if small else 2_000)
    total = computed + persisted
    return {
        "loans": n,
        "generate_s": round(generated, 3),
        "eod_compute_s": round(computed, 3),
        "eod_persist_s": round(persisted, 3),
        "eod_total_s": round(total, 3),
        "loans_per_s": round(n / total),
        "per_loan_engine_us_per_loan": round(per_loan / (500 if small else 2_000) * 1e6, 1),
        "postings_balance_to_zero": sum(result.postings_minor.values()) == 0,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
