"""Columnar warning scan for the whole book and one business date, in DuckDB.

The domain (`monitoring.warning.assess`) is the reference; this computes the same scores and levels
for every borrower and loan at once (a test checks they agree). It is incremental: decayed scores
are carried per (borrower, loan, kind) in `signal_state`, and a run reads only the hits that are
new since the last run — a stored score decays by the same factor as each hit inside it, so
`state(D2) = state(D1) · 0.5^((D2−D1)/h) + new hits` equals a full recomputation.

Tables on the connection:
    rules          from the RuleBook (`load_rules`)
    new_hits       (borrower_id, loan_id '' for borrower-wide, kind, observed_on): EVENT hits new
                   since the last run, observed on or before D (the caller selects them)
    state_hits     (borrower_id, loan_id, kind): STATE hits holding on D (e.g. DPD)
    book_loans     (loan_id, borrower_id): every loan to assess
    signal_state   carried state (created empty when absent), replaced by the run
END rules (a removal from a list): an END hit on day R drops the new hits of the kinds it ends
observed on or before R and the carried state rows of those kinds whose latest hit is on or before
R (the END rows themselves are carried, weight 0, so a late listing dated before the removal stays
ended; a carried aggregate whose latest hit is after R is kept whole — the domain would keep only
the part after R, a corner case of an out-of-order removal).
Results: `warning_borrower` and `warning_loan` (level rank 0–3, score, top contributors, grade floor
rank). Partition key for a multi-machine run: borrower_id hash (all tables split the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import duckdb

from creditfactory.monitoring.rules import SEVERITY_FLOOR, RuleBook, SignalMode, WarningLevel

__all__ = ["HIT_COLUMNS", "ScanResult", "create_inputs", "load_rules", "run_scan"]

HIT_COLUMNS: Final = "borrower_id VARCHAR, loan_id VARCHAR, kind VARCHAR, observed_on DATE"
_STATE_COLUMNS: Final = (
    "borrower_id VARCHAR, loan_id VARCHAR, kind VARCHAR, score DOUBLE, as_of DATE, "
    "last_on DATE, hits BIGINT"
)
_PRUNE_BELOW: Final = 0.01
LEVELS: Final = list(WarningLevel)


def load_rules(con: duckdb.DuckDBPyConnection, book: RuleBook) -> None:
    """(Re)create the `rules` table from a rule book."""
    con.execute(
        "CREATE OR REPLACE TABLE rules (kind VARCHAR PRIMARY KEY, family VARCHAR, floor_rank INTEGER,"
        " weight DOUBLE, half_life DOUBLE, is_state BOOLEAN, grade_floor_rank INTEGER,"
        " is_end BOOLEAN)"
    )
    con.execute("CREATE OR REPLACE TABLE ends (end_kind VARCHAR, ended_kind VARCHAR)")
    ends = [(r.kind, ended) for r in book.rules for ended in r.ends]
    if ends:
        con.executemany("INSERT INTO ends VALUES (?, ?)", ends)
    con.executemany(
        "INSERT INTO rules VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.kind,
                r.family.value,
                SEVERITY_FLOOR[r.severity].rank,
                float(r.weight),
                float(r.half_life_days),
                r.mode is SignalMode.STATE,
                0 if r.grade_floor is None else r.grade_floor.rank,
                bool(r.ends),
            )
            for r in book.rules
        ],
    )


def create_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """Create empty input tables (and `signal_state` if absent)."""
    con.execute(f"CREATE OR REPLACE TABLE new_hits ({HIT_COLUMNS})")
    con.execute(
        "CREATE OR REPLACE TABLE state_hits (borrower_id VARCHAR, loan_id VARCHAR, kind VARCHAR)"
    )
    con.execute("CREATE OR REPLACE TABLE book_loans (loan_id VARCHAR, borrower_id VARCHAR)")
    con.execute(f"CREATE TABLE IF NOT EXISTS signal_state ({_STATE_COLUMNS})")


def _level_sql(book: RuleBook, score: str, floor: str) -> str:
    parts = " ".join(
        f"WHEN {score} >= {minimum} THEN {level.rank}"
        for minimum, level in reversed(book.thresholds)
    )
    return f"GREATEST(CASE {parts} ELSE 0 END, {floor})"


def _grade_sql(book: RuleBook, level: str, rule_floor: str) -> str:
    parts = " ".join(
        f"WHEN {level} >= {at_least.rank} THEN {grade.rank}"
        for at_least, grade in book.level_grade_floors
    )
    return f"GREATEST(CASE {parts} ELSE 0 END, {rule_floor})"


def _state_sql(d: str) -> str:
    return f"""
CREATE OR REPLACE TABLE signal_state_next AS
WITH ended AS (
  SELECT x.borrower_id, e.ended_kind AS kind, MAX(x.on_day) AS end_on
  FROM (SELECT borrower_id, kind, observed_on AS on_day FROM new_hits WHERE observed_on <= {d}
        UNION ALL SELECT borrower_id, kind, last_on FROM signal_state) x
  JOIN ends e ON e.end_kind = x.kind
  GROUP BY ALL
), fresh AS (
  SELECT h.borrower_id, COALESCE(h.loan_id, '') AS loan_id, h.kind,
         SUM(r.weight * pow(0.5, ({d} - h.observed_on) / r.half_life)) AS score,
         MAX(h.observed_on) AS last_on, COUNT(*) AS hits
  FROM new_hits h JOIN rules r USING (kind)
  LEFT JOIN ended x ON x.borrower_id = h.borrower_id AND x.kind = h.kind
  WHERE NOT r.is_state AND h.observed_on <= {d}
    AND (x.end_on IS NULL OR h.observed_on > x.end_on)
  GROUP BY ALL
), carried AS (
  SELECT s.borrower_id, s.loan_id, s.kind,
         s.score * pow(0.5, ({d} - s.as_of) / r.half_life) AS score, s.last_on, s.hits
  FROM signal_state s JOIN rules r USING (kind)
  LEFT JOIN ended x ON x.borrower_id = s.borrower_id AND x.kind = s.kind
  WHERE x.end_on IS NULL OR s.last_on > x.end_on
), merged AS (
  SELECT borrower_id, loan_id, kind, SUM(score) AS score, MAX(last_on) AS last_on,
         SUM(hits)::BIGINT AS hits
  FROM (SELECT * FROM carried UNION ALL SELECT * FROM fresh) GROUP BY ALL
)
SELECT m.borrower_id, m.loan_id, m.kind, m.score, {d} AS as_of, m.last_on, m.hits
FROM merged m JOIN rules r USING (kind)
WHERE m.score >= {_PRUNE_BELOW} OR {d} - m.last_on < r.half_life
"""


def _parts_sql(d: str) -> str:
    return f"""
CREATE OR REPLACE TEMP TABLE parts AS
SELECT s.borrower_id, s.loan_id, s.kind, s.score AS points,
       CASE WHEN {d} - s.last_on < r.half_life THEN r.floor_rank ELSE 0 END AS floor_rank,
       CASE WHEN {d} - s.last_on < r.half_life THEN r.grade_floor_rank ELSE 0 END AS grade_rank
FROM signal_state_next s JOIN rules r USING (kind)
WHERE NOT r.is_end
UNION ALL
SELECT h.borrower_id, COALESCE(h.loan_id, ''), h.kind, r.weight, r.floor_rank, r.grade_floor_rank
FROM (SELECT DISTINCT borrower_id, loan_id, kind FROM state_hits) h JOIN rules r USING (kind)
WHERE r.is_state
"""


def _assess_sql(book: RuleBook, table: str, key: str, source: str) -> str:
    level = _level_sql(book, "score", "floor_rank")
    return f"""
CREATE OR REPLACE TABLE {table} AS
WITH agg AS (
  SELECT {key}, SUM(points) AS score, MAX(floor_rank) AS floor_rank, MAX(grade_rank) AS rule_grade,
         string_agg(kind, ',' ORDER BY points DESC, kind) AS contributors
  FROM {source} GROUP BY {key}
), lv AS (SELECT *, {level} AS level_rank FROM agg)
SELECT {key}, level_rank, score, contributors,
       {_grade_sql(book, "level_rank", "rule_grade")} AS grade_floor_rank
FROM lv
"""


@dataclass(frozen=True)
class ScanResult:
    """One run: hits read, state rows carried, and the level distributions (rank → count)."""

    business_date: date
    new_hits: int
    state_rows: int
    borrower_levels: dict[str, int]
    loan_levels: dict[str, int]


def _per_kind(source: str, keys: str) -> str:
    """Points per kind first, so each kind is listed once among the contributors."""
    return (
        f"(SELECT {keys}, kind, SUM(points) AS points, MAX(floor_rank) AS floor_rank,"
        f" MAX(grade_rank) AS grade_rank FROM {source} GROUP BY ALL)"
    )


def run_scan(con: duckdb.DuckDBPyConnection, book: RuleBook, business_date: date) -> ScanResult:
    """Carry the state to `business_date`, add the new hits, assess every borrower and loan.
    `signal_state` is replaced by the new state; results in `warning_borrower` / `warning_loan`
    (loans and borrowers without signals are green with score 0)."""
    d = f"DATE '{business_date.isoformat()}'"
    con.execute(_state_sql(d))
    con.execute(_parts_sql(d))
    by_kind = _per_kind("parts", "borrower_id, loan_id")
    con.execute(
        _assess_sql(book, "warning_borrower_hit", "borrower_id", _per_kind("parts", "borrower_id"))
    )
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE loan_parts AS
SELECT l.loan_id, p.kind, p.points, p.floor_rank, p.grade_rank
FROM book_loans l JOIN {by_kind} p ON p.borrower_id = l.borrower_id AND p.loan_id = ''
UNION ALL
SELECT p.loan_id, p.kind, p.points, p.floor_rank, p.grade_rank FROM {by_kind} p WHERE p.loan_id <> ''
""")
    con.execute(
        _assess_sql(book, "warning_loan_hit", "loan_id", _per_kind("loan_parts", "loan_id"))
    )
    con.execute("""
CREATE OR REPLACE TABLE warning_borrower AS
SELECT b.borrower_id, COALESCE(w.level_rank, 0) AS level_rank, COALESCE(w.score, 0.0) AS score,
       COALESCE(w.contributors, '') AS contributors, COALESCE(w.grade_floor_rank, 0) AS grade_floor_rank
FROM (SELECT DISTINCT borrower_id FROM book_loans UNION SELECT borrower_id FROM warning_borrower_hit) b
LEFT JOIN warning_borrower_hit w USING (borrower_id)
""")
    con.execute("""
CREATE OR REPLACE TABLE warning_loan AS
SELECT l.loan_id, l.borrower_id, COALESCE(w.level_rank, 0) AS level_rank,
       COALESCE(w.score, 0.0) AS score, COALESCE(w.contributors, '') AS contributors,
       COALESCE(w.grade_floor_rank, 0) AS grade_floor_rank
FROM book_loans l LEFT JOIN warning_loan_hit w USING (loan_id)
""")
    con.execute("CREATE OR REPLACE TABLE signal_state AS SELECT * FROM signal_state_next")
    con.execute("DROP TABLE signal_state_next")
    return _result(con, business_date)


def _distribution(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    rows = con.execute(f"SELECT level_rank, count(*) FROM {table} GROUP BY 1").fetchall()
    counts = {level.value: 0 for level in LEVELS}
    for rank, n in rows:
        counts[LEVELS[int(rank)].value] = int(n)
    return counts


def _result(con: duckdb.DuckDBPyConnection, business_date: date) -> ScanResult:
    new = con.execute("SELECT count(*) FROM new_hits").fetchone()
    state = con.execute("SELECT count(*) FROM signal_state").fetchone()
    return ScanResult(
        business_date,
        int(new[0]) if new else 0,
        int(state[0]) if state else 0,
        _distribution(con, "warning_borrower"),
        _distribution(con, "warning_loan"),
    )
