"""`monitor run --business-date D` against the database: the incremental scan, then alerts and
grade floors.

1. Read (one read transaction): events not yet scanned with occurred_on ≤ D (`scanned_on IS NULL`
   — only new events: incremental), the carried `monitoring_signal_state`, active loans (DPD,
   facility utilisation) and the previous run's marks.
2. Internal signals per loan (`monitoring.internal`): DPD as STATE hits; bucket roll, repeated late
   payment and utilisation spikes as EVENT hits dated D. Fund-flow hits of the disbursements
   touched by new account transactions and invoice-revenue hits (`monitoring_flows`).
3. The columnar scan (`monitoring_scan.run_scan`, DuckDB in memory).
4. Write (one transaction): new signal state, non-green warnings, loan marks, events,
   transactions and invoices stamped `scanned_on = D`, flow-hit keys and invoice marks, the run row. A date already run is refused (idempotent per business date).
5. `services.raise_alerts` (orange and red borrowers) and `services.apply_grade_floors` (warning
   floors + contagion) — each step audited in its own transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from creditfactory.adapters.batch.monitoring_flows import FlowResult, evaluate_flows
from creditfactory.adapters.batch.monitoring_scan import LEVELS, create_inputs, load_rules, run_scan
from creditfactory.adapters.storage.monitoring_store import MonitoringSqlUnitOfWork
from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_events,
    monitoring_loan_marks,
    monitoring_runs,
    monitoring_signal_state,
    monitoring_warnings,
)
from creditfactory.adapters.storage.servicing_tables import facilities, installments, loans
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.ids import IdFactory
from creditfactory.monitoring.internal import LoanObservation, internal_hits
from creditfactory.monitoring.rules import RULEBOOK_CURRENT, RuleBook, SignalMode
from creditfactory.monitoring.services import apply_grade_floors, raise_alerts
from creditfactory.monitoring.warning import Contribution, WarningAssessment
from creditfactory.servicing.classification import DPDBucket, LoanGrade, dpd_bucket

__all__ = ["RunSummary", "run_monitoring"]

_GRADES = list(LoanGrade)


@dataclass(frozen=True)
class RunSummary:
    """What one run did."""

    business_date: date
    events_scanned: int
    hits: int
    borrower_levels: dict[str, int]
    loan_levels: dict[str, int]
    alerts_opened: int
    alerts_escalated: int
    floors_raised: int
    transactions_scanned: int = 0
    disbursements_evaluated: int = 0
    invoice_borrowers_evaluated: int = 0
    flow_hits: dict[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {**self.__dict__, "business_date": self.business_date.isoformat()}


def _utilisation(conn: Connection) -> dict[str, Decimal]:
    paid = (
        select(installments.c.loan_id, func.sum(installments.c.principal_paid_minor).label("paid"))
        .group_by(installments.c.loan_id)
        .subquery()
    )
    q = (
        select(
            loans.c.facility_id,
            func.sum(loans.c.principal_minor - func.coalesce(paid.c.paid, 0)),
            facilities.c.limit_minor,
        )
        .join(paid, paid.c.loan_id == loans.c.loan_id, isouter=True)
        .join(facilities, facilities.c.facility_id == loans.c.facility_id)
        .where(loans.c.status == "active")
        .group_by(loans.c.facility_id, facilities.c.limit_minor)
    )
    return {f: Decimal(used) / Decimal(limit) for f, used, limit in conn.execute(q)}


def _observations(conn: Connection, d: date) -> tuple[list[LoanObservation], dict[str, str]]:
    marks = {r.loan_id: r for r in conn.execute(select(monitoring_loan_marks))}
    usage = _utilisation(conn)
    out, book = [], {}
    q = select(loans.c.loan_id, loans.c.borrower_id, loans.c.dpd, loans.c.facility_id).where(
        loans.c.status == "active"
    )
    for r in conn.execute(q.order_by(loans.c.loan_id)):
        m = marks.get(r.loan_id)
        episodes = (
            tuple(date.fromisoformat(x) for x in m.late_episodes.split(",") if x) if m else ()
        )
        previous = DPDBucket(m.bucket) if m else DPDBucket.CURRENT
        if r.dpd > 0 and previous is DPDBucket.CURRENT:
            episodes = (*episodes, d)
        util = usage.get(r.facility_id) if r.facility_id else None
        out.append(
            LoanObservation(
                r.loan_id,
                r.borrower_id,
                d,
                r.dpd,
                previous,
                episodes,
                util,
                m.utilisation if m else None,
            )
        )
        book[r.loan_id] = r.borrower_id
    return out, book


def _load(
    con: duckdb.DuckDBPyConnection, conn: Connection, d: date, book_rules: RuleBook
) -> tuple[int, list[LoanObservation], FlowResult]:
    create_inputs(con)
    events = conn.execute(
        select(
            monitoring_events.c.borrower_id,
            monitoring_events.c.kind,
            monitoring_events.c.occurred_on,
        ).where(monitoring_events.c.scanned_on.is_(None), monitoring_events.c.occurred_on <= d)
    ).all()
    hits = [(b, "", k, on) for b, k, on in events if k is not None]
    flows = evaluate_flows(conn, d)
    hits += [(h.borrower_id, h.loan_id or "", h.kind, h.observed_on) for h in flows.hits]
    observations, book = _observations(conn, d)
    states = []
    for obs in observations:
        for h in internal_hits(obs):
            if book_rules.rule(h.kind).mode is SignalMode.STATE:
                states.append((h.borrower_id, h.loan_id, h.kind))
            else:
                hits.append((h.borrower_id, h.loan_id or "", h.kind, h.observed_on))
    _insert(con, "new_hits", hits)
    _insert(con, "state_hits", states)
    _insert(con, "book_loans", list(book.items()))
    state = [tuple(r) for r in conn.execute(select(monitoring_signal_state))]
    _insert(con, "signal_state", state)
    return len(events), observations, flows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[Any]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _assessments(
    con: duckdb.DuckDBPyConnection, table: str, key: str, d: date
) -> dict[str, WarningAssessment]:
    rows = con.execute(
        f"SELECT {key}, level_rank, score, contributors, grade_floor_rank FROM {table} WHERE level_rank > 0 OR grade_floor_rank > 0"
    ).fetchall()
    return {
        k: WarningAssessment(
            k,
            d,
            LEVELS[level],
            score,
            tuple(Contribution(c, 0.0, 0, d, True) for c in filter(None, contributors.split(","))),
            _GRADES[grade],
        )
        for k, level, score, contributors, grade in rows
    }


def _write(
    conn: Connection,
    con: duckdb.DuckDBPyConnection,
    d: date,
    observations: list[LoanObservation],
    borrowers: dict[str, WarningAssessment],
    by_loan: dict[str, WarningAssessment],
) -> None:
    conn.execute(delete(monitoring_signal_state))
    state = con.execute("SELECT * FROM signal_state").fetchall()
    cols = [c.name for c in monitoring_signal_state.columns]
    if state:
        conn.execute(
            insert(monitoring_signal_state), [dict(zip(cols, r, strict=True)) for r in state]
        )
    rows = [
        {"business_date": d, "subject_type": kind, "subject_id": a.subject_id, "level": a.level.value, "score": a.score,
         "contributors": ",".join(c.kind for c in a.contributors), "grade_floor": a.grade_floor.value}
        for kind, group in (("borrower", borrowers), ("loan", by_loan)) for a in group.values()
    ]  # fmt: skip
    if rows:
        conn.execute(insert(monitoring_warnings), rows)
    conn.execute(delete(monitoring_loan_marks))
    marks = [
        {"loan_id": o.loan_id, "bucket": dpd_bucket(o.dpd).value, "late_episodes": ",".join(x.isoformat() for x in o.late_episodes), "utilisation": o.utilisation, "as_of": d}
        for o in observations
    ]  # fmt: skip
    if marks:
        conn.execute(insert(monitoring_loan_marks), marks)
    conn.execute(
        update(monitoring_events)
        .where(monitoring_events.c.scanned_on.is_(None), monitoring_events.c.occurred_on <= d)
        .values(scanned_on=d)
    )


def run_monitoring(
    engine: Engine,
    clock: Clock,
    ids: IdFactory,
    business_date: date,
    book: RuleBook = RULEBOOK_CURRENT,
) -> RunSummary:
    """One monitoring run for `business_date`; raises ValidationError when the date was run or is
    not after the last run."""
    started = clock.now()
    with engine.connect() as conn:
        last = conn.execute(select(func.max(monitoring_runs.c.business_date))).scalar()
        if last is not None and business_date <= last:
            raise ValidationError(
                "business_date", f"must be after the last monitoring run ({last.isoformat()})"
            )
        con = duckdb.connect()
        load_rules(con, book)
        scanned, observations, flows = _load(con, conn, business_date, book)
    result = run_scan(con, book, business_date)
    borrowers = _assessments(con, "warning_borrower", "borrower_id", business_date)
    by_loan = _assessments(con, "warning_loan", "loan_id", business_date)
    with engine.begin() as conn:
        _write(conn, con, business_date, observations, borrowers, by_loan)
        flows.write(conn)
        levels = json.dumps({"borrower": result.borrower_levels, "loan": result.loan_levels})
        conn.execute(
            insert(monitoring_runs),
            [
                {
                    "business_date": business_date,
                    "rule_book": book.version,
                    "events_scanned": scanned,
                    "hits": result.new_hits,
                    "levels": levels,
                    "started_at": started,
                    "completed_at": clock.now(),
                }
            ],
        )
    con.close()
    raised = raise_alerts(
        MonitoringSqlUnitOfWork(engine, clock), clock, ids, borrowers, business_date
    )
    bad = sorted({o.borrower_id for o in observations})
    floors = apply_grade_floors(MonitoringSqlUnitOfWork(engine, clock), clock, by_loan, bad)
    return RunSummary(
        business_date,
        scanned,
        result.new_hits,
        result.borrower_levels,
        result.loan_levels,
        len(raised.opened),
        len(raised.escalated),
        len(floors),
        flows.transactions_scanned,
        flows.disbursements_evaluated,
        flows.invoice_borrowers_evaluated,
        dict(Counter(h.kind for h in flows.hits)),
    )
