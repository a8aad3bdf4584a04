"""Run monitoring month by month over a simulated book and measure detection against the truth.

Each book month-end D: external events dated in (previous D, D] (ingested through
`monitoring.feeds`, with a few corrupt, unknown-borrower and duplicate lines added to prove they
are reported), the invoice rule on D, fund-flow hits dated in the month (networkx round trips
included), internal hits from the month-end DPD, then the incremental columnar scan.

A family *detects* a borrower when a signal of that family with severity ≥ MEDIUM fired for it at
any month-end; precision and recall per family compare that set with the injected truth.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from creditfactory.adapters.batch.monitoring_scan import LEVELS, create_inputs, load_rules, run_scan
from creditfactory.adapters.batch.simulate_book import FAMILIES, SimBook
from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.monitoring.feeds import decode_json_line, ingest_records
from creditfactory.monitoring.fundflow import fund_flow_hits
from creditfactory.monitoring.internal import LoanObservation, internal_hits
from creditfactory.monitoring.revenue import revenue_fall_kind
from creditfactory.monitoring.rules import RULEBOOK_CURRENT, Severity, SignalMode
from creditfactory.monitoring.warning import SignalHit
from creditfactory.servicing.classification import DPDBucket, dpd_bucket

__all__ = ["Evaluation", "evaluate"]


@dataclass
class Evaluation:
    """Precision / recall per family, level distributions per month, hits per kind, ingestion."""

    families: dict[str, dict[str, float]] = field(default_factory=dict)
    levels_by_month: list[dict[str, Any]] = field(default_factory=list)
    hits_by_kind: dict[str, int] = field(default_factory=dict)
    ingest: dict[str, Any] = field(default_factory=dict)
    borrowers: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return self.__dict__.copy()


def _feed(book: SimBook) -> tuple[list[SignalHit], dict[str, Any]]:
    lines = [json.dumps(e, ensure_ascii=False) for e in book.events]
    lines += [
        lines[0],
        "{broken json",
        json.dumps({**book.events[0], "event_id": "ev_x", "uscc": "91310115MA1K3BTP2B"}),
    ]
    records: list[tuple[int, str, Mapping[str, Any] | MalformedEvent]] = []
    for n, raw in enumerate(lines, start=1):
        try:
            records.append((n, raw, decode_json_line(raw)))
        except MalformedEvent as exc:
            records.append((n, raw, exc))
    uscc = {v["uscc"]: k for k, v in book.borrowers.items()}
    batch = ingest_records(records, uscc, {}, None)
    hits = [
        SignalHit(a.borrower_id, a.kind, a.event.occurred_on, a.event.event_id)
        for a in batch.accepted
        if a.kind
    ]
    summary = {"lines": batch.lines, "accepted": len(batch.accepted), "duplicates": len(batch.duplicates),
               "rejects": Counter(r.reason for r in batch.rejects)}  # fmt: skip
    return hits, summary


def _month_hits(book: SimBook, m: int, state: dict[str, Any]) -> list[SignalHit]:
    d = book.month_end(m)
    hits = [
        SignalHit(b, k, d, f"inv_{b}_{m}")
        for b, inv in book.invoices.items()
        if (k := revenue_fall_kind(inv, d))
    ]
    for loan in book.loans:
        disb = loan.disbursement
        if disb.disbursed_on > d:
            continue
        prev: DPDBucket = state["bucket"].get(disb.loan_id, DPDBucket.CURRENT)
        dpd = loan.dpd_by_month[m]
        if dpd > 0 and prev is DPDBucket.CURRENT:
            state["episodes"][disb.loan_id].append(d)
        obs = LoanObservation(
            disb.loan_id, disb.borrower_id, d, dpd, prev, tuple(state["episodes"][disb.loan_id])
        )
        hits += internal_hits(obs)
        state["bucket"][disb.loan_id] = dpd_bucket(dpd)
    return hits


def evaluate(book: SimBook) -> Evaluation:
    """Month-end runs over the whole book; see module docstring."""
    ev = Evaluation(borrowers=len(book.borrowers))
    external, ev.ingest = _feed(book)
    flows = [
        h
        for loan in book.loans
        for h in fund_flow_hits(
            loan.disbursement, book.transfers.get(loan.disbursement.loan_id, [])
        )
    ]
    dated = sorted([*external, *flows], key=lambda h: h.observed_on)
    con = duckdb.connect()
    load_rules(con, RULEBOOK_CURRENT)
    state: dict[str, Any] = {"bucket": {}, "episodes": defaultdict(list)}
    fired: list[SignalHit] = []
    previous = date.min
    for m in range(book.months):
        d = book.month_end(m)
        month = [h for h in dated if previous < h.observed_on <= d] + _month_hits(book, m, state)
        fired += month
        _scan(con, book, month, d)
        ev.levels_by_month.append({"business_date": d.isoformat(), **_levels(con)})
        previous = d
    ev.hits_by_kind = dict(Counter(h.kind for h in fired).most_common())
    ev.families = _precision_recall(book, fired)
    return ev


def _scan(con: duckdb.DuckDBPyConnection, book: SimBook, hits: list[SignalHit], d: date) -> None:
    create_inputs(con)
    event_rows = [
        (h.borrower_id, h.loan_id or "", h.kind, h.observed_on)
        for h in hits
        if RULEBOOK_CURRENT.rule(h.kind).mode is SignalMode.EVENT
    ]
    state_rows = [
        (h.borrower_id, h.loan_id or "", h.kind)
        for h in hits
        if RULEBOOK_CURRENT.rule(h.kind).mode is SignalMode.STATE
    ]
    loans = [
        (x.disbursement.loan_id, x.disbursement.borrower_id)
        for x in book.loans
        if x.disbursement.disbursed_on <= d
    ]
    for table, rows in (
        ("new_hits", event_rows),
        ("state_hits", state_rows),
        ("book_loans", loans),
    ):
        if rows:
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    run_scan(con, RULEBOOK_CURRENT, d)


def _levels(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute("SELECT level_rank, count(*) FROM warning_borrower GROUP BY 1").fetchall()
    out = {level.value: 0 for level in LEVELS}
    for rank, n in rows:
        out[LEVELS[int(rank)].value] = int(n)
    return out


def _precision_recall(book: SimBook, fired: list[SignalHit]) -> dict[str, dict[str, float]]:
    truth: dict[str, set[str]] = defaultdict(set)
    for b, family, _ in book.truth:
        truth[family].add(b)
    found: dict[str, set[str]] = defaultdict(set)
    for h in fired:
        rule = RULEBOOK_CURRENT.rule(h.kind)
        if rule.severity is not Severity.LOW:
            found[rule.family.value].add(h.borrower_id)
    out = {}
    for family in FAMILIES:
        t, p = truth[family], found[family]
        tp = len(t & p)
        out[family] = {
            "injected": len(t),
            "flagged": len(p),
            "true_positives": tp,
            "precision": round(tp / len(p), 3) if p else 0.0,
            "recall": round(tp / len(t), 3) if t else 0.0,
        }
    return out
