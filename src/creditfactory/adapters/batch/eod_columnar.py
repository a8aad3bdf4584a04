"""Columnar end-of-day for a whole book and one business date, in DuckDB.

The per-loan engine (`servicing.eod`) is the reference; this path computes the same day — accrual
of contractual interest, penalty (罚息) and compound (复利) interest with their 1e-10 carries, DPD,
bucket-free grade, non-accrual moves, loss allowance — for every loan at once, in integer
arithmetic (amounts in fen, carries in 1e-10 yuan, rates × 1e8) so it agrees with the domain's
Decimal to the cent (a test checks 10,000 loans). Postings are aggregated per account.

Loans the columnar step does not take are listed by `route_to_per_loan` and closed by the per-loan
engine: a held overpayment with an installment falling due that day (allocation is per loan), and
loans whose last closed date is not the day before (catch-up after a gap).

Input table `loan_state` (one row per active loan, state at the end of D − 1), see `STATE_COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import duckdb

from creditfactory.ledger.accounts import A
from creditfactory.servicing.classification import ALLOWANCE_RATES_2002, DPD_FLOORS_2023, LoanGrade

__all__ = ["STATE_COLUMNS", "ColumnarEODResult", "load_state", "run_columnar_eod"]

STATE_COLUMNS: Final = {
    "loan_id": "VARCHAR",
    "pen_rate_e8": "BIGINT",  # penalty rate × 1e8 (contract × (1 + markup))
    "year_days": "INTEGER",  # 360 (ACT_360) or 365
    "compound": "BOOLEAN",  # 复利 on overdue interest
    "non_accrual_dpd": "INTEGER",
    "cur_start": "DATE",  # the installment accruing on D (NULL when none)
    "cur_end": "DATE",
    "cur_interest_due": "BIGINT",
    "cur_accrued": "BIGINT",
    "overdue_principal": "BIGINT",  # unpaid on installments due before D
    "overdue_interest": "BIGINT",
    "penalty_carry_e10": "HUGEINT",
    "compound_carry_e10": "HUGEINT",
    "penalty_posted": "BIGINT",
    "compound_posted": "BIGINT",
    "interest_receivable": "BIGINT",  # accrued − paid, all installments
    "penalty_receivable": "BIGINT",
    "oldest_unsettled_due": "DATE",
    "grade_floor_rank": "INTEGER",
    "non_accrual": "BOOLEAN",
    "allowance": "BIGINT",
    "principal_outstanding": "BIGINT",
}

_GRADES: Final = list(LoanGrade)


def _floor_case() -> str:
    parts = " ".join(
        f"WHEN dpd >= {min_dpd} THEN {grade.rank}"
        for min_dpd, grade in reversed(DPD_FLOORS_2023.floors)
    )
    return f"CASE {parts} ELSE 0 END"


def _allowance_permille_case() -> str:
    parts = " ".join(f"WHEN {g.rank} THEN {int(ALLOWANCE_RATES_2002[g] * 1000)}" for g in _GRADES)
    return f"CASE grade_rank {parts} END"


def _half_up(numerator: str, denominator: str) -> str:
    """Integer division rounded half-up for non-negative operands."""
    return f"((2 * ({numerator}) + ({denominator})) // (2 * ({denominator})))"


def _sql(business_date: date) -> str:
    d = f"DATE '{business_date.isoformat()}'"
    elapsed = f"(LEAST({d}, cur_end) - cur_start)"
    days = "(cur_end - cur_start)"
    return f"""
CREATE OR REPLACE TABLE eod_result AS
WITH accrued AS (
  SELECT *,
    CASE WHEN cur_start IS NULL OR cur_start >= {d} THEN 0
         WHEN {d} >= cur_end THEN cur_interest_due - cur_accrued
         ELSE {_half_up(f"cur_interest_due * {elapsed}", days)} - cur_accrued END AS interest_delta,
    penalty_carry_e10
      + {_half_up("overdue_principal::HUGEINT * pen_rate_e8", "year_days")} AS penalty_carry_new,
    compound_carry_e10 + CASE WHEN compound
      THEN {_half_up("overdue_interest::HUGEINT * pen_rate_e8", "year_days")} ELSE 0 END
      AS compound_carry_new,
    CASE WHEN oldest_unsettled_due < {d} THEN {d} - oldest_unsettled_due ELSE 0 END AS dpd
  FROM loan_state
), posted AS (
  SELECT *,
    {_half_up("penalty_carry_new", "100000000")}::BIGINT - penalty_posted AS penalty_delta,
    {_half_up("compound_carry_new", "100000000")}::BIGINT - compound_posted AS compound_delta,
    GREATEST({_floor_case()}, grade_floor_rank) AS grade_rank
  FROM accrued
), moved AS (
  SELECT *,
    CASE WHEN NOT non_accrual AND dpd >= non_accrual_dpd THEN 1
         WHEN non_accrual AND dpd = 0 THEN -1 ELSE 0 END AS basis_move,
    interest_receivable + interest_delta AS interest_rec_new,
    penalty_receivable + penalty_delta + compound_delta AS penalty_rec_new
  FROM posted
)
SELECT loan_id, dpd, grade_rank, interest_delta, penalty_delta, compound_delta,
  penalty_carry_new, compound_carry_new, basis_move,
  CASE WHEN basis_move = 0 THEN non_accrual ELSE basis_move = 1 END AS non_accrual_new,
  non_accrual AS accrued_off_balance, interest_rec_new, penalty_rec_new,
  {_half_up(f"principal_outstanding * {_allowance_permille_case()}", "1000")} AS allowance_new,
  {_half_up(f"principal_outstanding * {_allowance_permille_case()}", "1000")} - allowance
    AS allowance_delta
FROM moved
"""


_POSTINGS_SQL: Final = f"""
SELECT account, SUM(amount)::BIGINT AS amount FROM (
  SELECT '{A.INTEREST_RECEIVABLE}' AS account, CASE WHEN NOT accrued_off_balance THEN interest_delta ELSE 0 END
    - CASE WHEN basis_move = 1 THEN interest_rec_new WHEN basis_move = -1 THEN -interest_rec_new ELSE 0 END
    AS amount FROM eod_result
  UNION ALL SELECT '{A.INTEREST_INCOME}', -CASE WHEN NOT accrued_off_balance THEN interest_delta ELSE 0 END
    + CASE WHEN basis_move = 1 THEN interest_rec_new WHEN basis_move = -1 THEN -interest_rec_new ELSE 0 END
    FROM eod_result
  UNION ALL SELECT '{A.PENALTY_RECEIVABLE}',
    CASE WHEN NOT accrued_off_balance THEN penalty_delta + compound_delta ELSE 0 END
    - CASE WHEN basis_move = 1 THEN penalty_rec_new WHEN basis_move = -1 THEN -penalty_rec_new ELSE 0 END
    FROM eod_result
  UNION ALL SELECT '{A.PENALTY_INCOME}',
    -CASE WHEN NOT accrued_off_balance THEN penalty_delta + compound_delta ELSE 0 END
    + CASE WHEN basis_move = 1 THEN penalty_rec_new WHEN basis_move = -1 THEN -penalty_rec_new ELSE 0 END
    FROM eod_result
  UNION ALL SELECT '{A.OFF_BALANCE_INTEREST}',
    CASE WHEN accrued_off_balance THEN interest_delta + penalty_delta + compound_delta ELSE 0 END
    + CASE WHEN basis_move = 1 THEN interest_rec_new + penalty_rec_new
           WHEN basis_move = -1 THEN -(interest_rec_new + penalty_rec_new) ELSE 0 END
    FROM eod_result
  UNION ALL SELECT '{A.OFF_BALANCE_INTEREST_CONTRA}',
    -CASE WHEN accrued_off_balance THEN interest_delta + penalty_delta + compound_delta ELSE 0 END
    - CASE WHEN basis_move = 1 THEN interest_rec_new + penalty_rec_new
           WHEN basis_move = -1 THEN -(interest_rec_new + penalty_rec_new) ELSE 0 END
    FROM eod_result
  UNION ALL SELECT '{A.CREDIT_IMPAIRMENT_LOSS}', allowance_delta FROM eod_result
  UNION ALL SELECT '{A.LOAN_LOSS_ALLOWANCE}', -allowance_delta FROM eod_result
) GROUP BY account ORDER BY account
"""


@dataclass(frozen=True)
class ColumnarEODResult:
    """What one columnar run did: loans processed and the aggregated postings (fen, signed)."""

    business_date: date
    loans: int
    postings_minor: dict[str, int]


def run_columnar_eod(con: duckdb.DuckDBPyConnection, business_date: date) -> ColumnarEODResult:
    """Close `business_date` for every row of `loan_state`; results land in `eod_result`
    (one row per loan) and the aggregated postings are returned."""
    con.execute(_sql(business_date))
    loans = con.execute("SELECT count(*) FROM eod_result").fetchone()
    postings = dict(con.execute(_POSTINGS_SQL).fetchall())
    return ColumnarEODResult(business_date, int(loans[0]) if loans else 0, postings)


def load_state(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    """(Re)create `loan_state` from snapshot rows (see `snapshot.state_rows`)."""
    import pyarrow as pa

    columns = ", ".join(f"{name} {kind}" for name, kind in STATE_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE loan_state ({columns})")
    if rows:
        batch = pa.Table.from_pylist(rows)
        con.register("incoming_state", batch)
        names = ", ".join(STATE_COLUMNS)
        con.execute(f"INSERT INTO loan_state SELECT {names} FROM incoming_state")
        con.unregister("incoming_state")
