"""Fund-flow and invoice signals on the real book, for one `monitor run` (incremental).

Fund flows — only disbursements touched by new transactions: borrowers with transactions not yet
scanned (`scanned_on IS NULL`, value date ≤ D); their loans disbursed on or before D whose window
(`FlowRules.window_days`) reaches the earliest new transaction; the borrower's transactions from
the earliest such disbursement to D. Each disbursement goes through `monitoring.fundflow`
(networkx cycles for round trips). A hit already scored for the same (loan, kind, evidence) in an
earlier run is not scored again (`monitoring_flow_hits`), so re-evaluating a window adds only new
findings.

Invoices — the revenue rule reads calendar months before D's month, so a borrower is evaluated at
the first run of each month (all borrowers with invoices: a firm that stops invoicing is the case
to catch) and again within the month only when it has new invoices. Valid net sales are summed per
borrower and month by the database in one GROUP BY over the book, the first invoice date likewise,
and `monitoring.revenue` judges each borrower from those totals. A kind fires once per month (again
only if it gets worse), dated D; `monitoring_invoice_marks` remembers what fired.

`FlowResult.write(conn)` stores the marks and stamps the rows as scanned in the run's write
transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, extract, func, insert, select, update

from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_borrowers,
    monitoring_flow_hits,
    monitoring_invoice_marks,
    monitoring_invoices,
    monitoring_transactions,
)
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.monitoring.fundflow import (
    CounterpartyCategory,
    Disbursement,
    FlowRules,
    Transfer,
    fund_flow_hits,
)
from creditfactory.monitoring.revenue import monthly_invoices, revenue_fall_kind, severity_rank
from creditfactory.monitoring.warning import SignalHit

__all__ = ["FlowResult", "evaluate_flows"]

_CHUNK = 500
_DISBURSED = ("active", "closed", "written_off")
_HISTORY_MONTHS = 15  # the rule reads 3 + 12 months before D's month


@dataclass
class FlowResult:
    """New hits of one run, what they were computed from, and the rows to write."""

    business_date: date
    hits: list[SignalHit] = field(default_factory=list)
    transactions_scanned: int = 0
    disbursements_evaluated: int = 0
    invoice_borrowers_evaluated: int = 0
    flow_rows: list[dict[str, Any]] = field(default_factory=list)
    marks: list[dict[str, Any]] = field(default_factory=list)

    def write(self, conn: Connection) -> None:
        """Store flow-hit keys and invoice marks; stamp transactions and invoices scanned."""
        d = self.business_date
        if self.flow_rows:
            conn.execute(insert(monitoring_flow_hits), self.flow_rows)
        ids = [m["borrower_id"] for m in self.marks]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            conn.execute(
                delete(monitoring_invoice_marks).where(
                    monitoring_invoice_marks.c.borrower_id.in_(chunk)
                )
            )
        if self.marks:
            conn.execute(insert(monitoring_invoice_marks), self.marks)
        t, i = monitoring_transactions.c, monitoring_invoices.c
        conn.execute(
            update(monitoring_transactions)
            .where(t.scanned_on.is_(None), t.value_date <= d)
            .values(scanned_on=d)
        )
        conn.execute(
            update(monitoring_invoices)
            .where(i.scanned_on.is_(None), i.issue_date <= d)
            .values(scanned_on=d)
        )


def _yuan(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def _chunks(items: Sequence[str]) -> list[list[str]]:
    return [list(items[s : s + _CHUNK]) for s in range(0, len(items), _CHUNK)]


def _groups(conn: Connection, ids: list[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """borrower id → (USCC, controller and related parties)."""
    b = monitoring_borrowers.c
    rows = conn.execute(
        select(b.borrower_id, b.uscc, b.controller_id, b.related_parties).where(
            b.borrower_id.in_(ids)
        )
    )
    return {
        r.borrower_id: (
            r.uscc,
            frozenset(filter(None, [r.controller_id, *r.related_parties.split(",")])),
        )
        for r in rows
    }


def _transfers(rows: Sequence[Any], aliases: dict[str, str]) -> list[Transfer]:
    out = []
    for r in rows:
        account = aliases.get(r.account, r.account)
        other = aliases.get(r.counterparty, r.counterparty)
        payer, payee = (account, other) if r.direction == "out" else (other, account)
        category = (
            CounterpartyCategory(r.counterparty_category)
            if r.direction == "out"
            else CounterpartyCategory.OTHER
        )
        out.append(
            Transfer(
                r.txn_id, payer, payee, _yuan(r.amount_minor), r.value_date, category, r.loan_ref
            )
        )
    return out


def _flows_for(
    conn: Connection, ids: list[str], since: dict[str, date], d: date, rules: FlowRules
) -> tuple[list[SignalHit], int]:
    window = timedelta(days=rules.window_days)
    loan_rows = [
        r
        for r in conn.execute(
            select(
                loans.c.loan_id, loans.c.borrower_id, loans.c.principal_minor,
                loans.c.disbursement_date,
            ).where(
                loans.c.borrower_id.in_(ids), loans.c.status.in_(_DISBURSED),
                loans.c.disbursement_date <= d,
            )
        )
        if r.disbursement_date + window >= since[r.borrower_id]
    ]  # fmt: skip
    if not loan_rows:
        return [], 0
    start = min(r.disbursement_date for r in loan_rows)
    t = monitoring_transactions.c
    txns: dict[str, list[Any]] = defaultdict(list)
    q = select(monitoring_transactions).where(
        t.borrower_id.in_(ids), t.value_date >= start, t.value_date <= d
    )
    for r in conn.execute(q.order_by(t.value_date, t.txn_id)):
        txns[r.borrower_id].append(r)
    groups = _groups(conn, ids)
    hits: list[SignalHit] = []
    for r in loan_rows:
        uscc, group = groups.get(r.borrower_id, ("", frozenset()))
        rows = txns.get(r.borrower_id, [])
        payee = next(
            (x.entrusted_payee for x in rows if x.loan_ref == r.loan_id and x.entrusted_payee),
            None,
        )
        disb = Disbursement(
            r.loan_id, r.borrower_id, _yuan(r.principal_minor), r.disbursement_date, group, payee
        )
        hits += fund_flow_hits(disb, _transfers(rows, {uscc: r.borrower_id}), rules)
    return hits, len(loan_rows)


def _fund_flows(conn: Connection, result: FlowResult, rules: FlowRules) -> None:
    d, t = result.business_date, monitoring_transactions.c
    q = (
        select(t.borrower_id, func.min(t.value_date), func.count())
        .where(t.scanned_on.is_(None), t.value_date <= d)
        .group_by(t.borrower_id)
    )
    since: dict[str, date] = {}
    for borrower_id, first, n in conn.execute(q):
        since[borrower_id] = first
        result.transactions_scanned += int(n)
    found: list[SignalHit] = []
    for ids in _chunks(sorted(since)):
        hits, n = _flows_for(conn, ids, since, d, rules)
        found += hits
        result.disbursements_evaluated += n
    seen: set[tuple[str, str, str]] = set()
    f = monitoring_flow_hits.c
    for loan_ids in _chunks(sorted({h.loan_id or "" for h in found})):
        q2 = select(f.loan_id, f.kind, f.source_id).where(f.loan_id.in_(loan_ids))
        seen |= {(a, b, c) for a, b, c in conn.execute(q2)}
    for h in found:
        key = (h.loan_id or "", h.kind, h.source_id)
        if key not in seen:
            seen.add(key)
            result.hits.append(h)
            result.flow_rows.append(
                {"loan_id": key[0], "kind": h.kind, "source_id": h.source_id,
                 "borrower_id": h.borrower_id, "observed_on": h.observed_on, "business_date": d}
            )  # fmt: skip


def _months_back(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _invoice_candidates(conn: Connection, month_key: str) -> tuple[set[str], dict[str, Any]]:
    i = monitoring_invoices.c
    marks = {r.borrower_id: r for r in conn.execute(select(monitoring_invoice_marks))}
    every = set(conn.execute(select(i.borrower_id).distinct()).scalars())
    fresh = set(
        conn.execute(select(i.borrower_id).where(i.scanned_on.is_(None)).distinct()).scalars()
    )
    stale = {b for b in every if b not in marks or marks[b].month != month_key}
    return stale | fresh, marks


def _invoices(conn: Connection, result: FlowResult) -> None:
    d = result.business_date
    month = d.replace(day=1)
    month_key = month.isoformat()[:7]
    candidates, marks = _invoice_candidates(conn, month_key)
    if not candidates:
        return
    i = monitoring_invoices.c
    year, mon = extract("year", i.issue_date), extract("month", i.issue_date)
    sales: dict[str, dict[date, Decimal]] = defaultdict(dict)
    q = (
        select(i.borrower_id, year, mon, func.sum(i.amount_minor))
        .where(
            i.direction == "output", i.status == "valid", i.issue_date < month,
            i.issue_date >= _months_back(month, _HISTORY_MONTHS),
        )
        .group_by(i.borrower_id, year, mon)
    )  # fmt: skip
    for borrower_id, y, m, total in conn.execute(q):
        if borrower_id in candidates:
            sales[borrower_id][date(int(y), int(m), 1)] = _yuan(int(total))
    firsts = conn.execute(select(i.borrower_id, func.min(i.issue_date)).group_by(i.borrower_id))
    for borrower_id, first in firsts:
        if borrower_id not in candidates:
            continue
        result.invoice_borrowers_evaluated += 1
        kind = revenue_fall_kind(monthly_invoices(sales.get(borrower_id, {}), first), d)
        mark = marks.get(borrower_id)
        same_month = mark is not None and mark.month == month_key
        fired = mark.kind if same_month and mark is not None else None
        if kind is not None and severity_rank(kind) > severity_rank(fired):
            result.hits.append(SignalHit(borrower_id, kind, d, f"inv_{borrower_id}_{month_key}"))
            fired = kind
        result.marks.append(
            {"borrower_id": borrower_id, "month": month_key, "kind": fired, "as_of": d}
        )


def evaluate_flows(
    conn: Connection, business_date: date, rules: FlowRules | None = None
) -> FlowResult:
    """Fund-flow and invoice hits new on `business_date` (read only; `FlowResult.write` stores)."""
    result = FlowResult(business_date)
    _fund_flows(conn, result, rules or FlowRules())
    _invoices(conn, result)
    return result
