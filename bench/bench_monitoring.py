"""Monitoring scan over a synthetic book: 1,000,000 loans × 10,000,000 events (`--small`: 10,000 ×
100,000), columnar in DuckDB (2 threads, on-disk database).

Generates `events` (seq, borrower_id, loan_id, kind — NULL for the 90 % of records that raise no signal,
e.g. a removal or an upgrade — and occurred_on over the 2 years before D), `book_loans` (≈ 0.7 loans per borrower id
space, 5 % overdue as STATE hits), then times:
  full      the first run: every event is new (select new events by seq > watermark, carry the state,
            assess every borrower and loan, write the results);
  increment the next day with 1 % new events (only those are read; the state carries the rest).
Prints seconds, events/s and peak RSS.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from creditfactory.adapters.batch.monitoring_scan import create_inputs, load_rules, run_scan
from creditfactory.monitoring import RULEBOOK_CURRENT, SignalMode

BUSINESS_DATE = date(2025, 6, 30)


def _generate(con: duckdb.DuckDBPyConnection, loans: int, events: int) -> None:
    borrowers = max(1, loans * 7 // 10)
    kinds = [r.kind for r in RULEBOOK_CURRENT.rules if r.mode is SignalMode.EVENT]
    kind_list = "[" + ", ".join(f"'{k}'" for k in kinds) + "]"
    d = f"DATE '{BUSINESS_DATE.isoformat()}'"
    con.execute("SELECT setseed(0.8)")
    con.execute(f"""
CREATE OR REPLACE TABLE book AS
SELECT printf('loan_%08d', i) AS loan_id, printf('b%08d', i % {borrowers}) AS borrower_id,
       CASE WHEN random() < 0.05 THEN 1 + (random() * 120)::INTEGER ELSE 0 END AS dpd
FROM range({loans}) t(i)""")
    con.execute(f"""
CREATE OR REPLACE TABLE events AS
SELECT i AS seq, printf('b%08d', (random() * {borrowers})::BIGINT % {borrowers}) AS borrower_id,
       CASE WHEN random() < 0.2 THEN printf('loan_%08d', (random() * {loans})::BIGINT % {loans})
            ELSE '' END AS loan_id,
       CASE WHEN random() < 0.9 THEN NULL  -- most records raise no signal (removals, upgrades, …)
            ELSE list_extract({kind_list}, 1 + (random() * {len(kinds)})::INTEGER % {len(kinds)}) END AS kind,
       {d} - (random() * 730)::INTEGER AS occurred_on
FROM range({events}) t(i)""")
    con.execute("CREATE TABLE IF NOT EXISTS scan_runs (business_date DATE, watermark BIGINT)")


def _scan(con: duckdb.DuckDBPyConnection, business_date: date) -> dict[str, object]:
    d = f"DATE '{business_date.isoformat()}'"
    row = con.execute("SELECT COALESCE(MAX(watermark), -1) FROM scan_runs").fetchone()
    watermark = int(row[0]) if row else -1
    create_inputs(con)
    con.execute(f"""INSERT INTO new_hits SELECT borrower_id, loan_id, kind, occurred_on FROM events
WHERE seq > {watermark} AND kind IS NOT NULL AND occurred_on <= {d}""")
    con.execute("INSERT INTO book_loans SELECT loan_id, borrower_id FROM book")
    con.execute("""INSERT INTO state_hits SELECT borrower_id, loan_id,
  CASE WHEN dpd > 90 THEN 'internal_dpd_over_90' WHEN dpd > 30 THEN 'internal_dpd_31_90'
       ELSE 'internal_dpd_1_30' END FROM book WHERE dpd > 0""")
    result = run_scan(con, RULEBOOK_CURRENT, business_date)
    top = con.execute("SELECT MAX(seq) FROM events").fetchone()
    con.execute("INSERT INTO scan_runs VALUES (?, ?)", [business_date, top[0] if top else -1])
    con.execute("CHECKPOINT")
    return {
        "new_hits": result.new_hits,
        "state_rows": result.state_rows,
        "borrower_levels": result.borrower_levels,
        "loan_levels": result.loan_levels,
    }


def _add_events(con: duckdb.DuckDBPyConnection, count: int, on: date) -> None:
    con.execute(f"""
INSERT INTO events SELECT (SELECT MAX(seq) FROM events) + 1 + i, borrower_id, loan_id, kind,
  DATE '{on.isoformat()}' FROM (SELECT * FROM events USING SAMPLE {count} ROWS) s,
  LATERAL (SELECT 0) x(i)""")
    con.execute(
        "CREATE OR REPLACE TABLE events AS SELECT row_number() OVER (ORDER BY seq) - 1 AS seq,"
        " borrower_id, loan_id, kind, occurred_on FROM events"
    )


def run(small: bool) -> dict[str, object]:
    loans, events = (10_000, 100_000) if small else (1_000_000, 10_000_000)
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "monitoring.duckdb"), config={"threads": 2})
        load_rules(con, RULEBOOK_CURRENT)
        t0 = time.perf_counter()
        _generate(con, loans, events)
        con.execute("CHECKPOINT")
        generated = time.perf_counter() - t0
        t1 = time.perf_counter()
        full = _scan(con, BUSINESS_DATE)
        full_s = time.perf_counter() - t1
        nxt = BUSINESS_DATE + timedelta(days=1)
        _add_events(con, events // 100, nxt)
        t2 = time.perf_counter()
        inc = _scan(con, nxt)
        inc_s = time.perf_counter() - t2
        con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "loans": loans,
        "events": events,
        "generate_seconds": round(generated, 2),
        "full_scan_seconds": round(full_s, 2),
        "full_events_per_second": round(events / full_s),
        "incremental_new_events": inc["new_hits"],
        "incremental_seconds": round(inc_s, 2),
        "peak_rss_mb": round(peak_mb),
        "full_run": full,
    }
