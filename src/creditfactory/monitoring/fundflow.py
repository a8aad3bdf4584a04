"""Fund-flow rules on account transactions after a disbursement (DOMAIN.md §5.3).

Parties are account holders; the borrower's *group* is the borrower, its controller and related
parties (one node in the transfer graph: money reaching any of them came back). Rules, each on one
disbursement and the transfers booked within `window_days` of it:

- use of funds against the declared purpose: outflows from the group to counterparty categories
  REAL_ESTATE_DEVELOPER → `fund_real_estate`; SECURITIES / FUTURES → `fund_securities`; LENDER →
  `fund_other_lender`; an outflow counts when it is ≥ `min_share` of the disbursed amount (rent to a
  developer-landlord is not a diversion);
- round trip: a cycle in the transfer graph through the group of at most `max_hops` transfers, each
  ≥ `min_share` of the disbursement, dated in order (networkx `simple_cycles` with a length bound)
  → `fund_round_trip`;
- rapid in-and-out: ≥ `rapid_share` of the disbursement leaves within `rapid_days` to parties that
  are neither the 受托支付 payee nor a SUPPLIER → `fund_rapid_in_out`;
- 受托支付: the disbursement transfer (tagged with the loan id) must be paid to the contract
  counterparty → else `fund_entrusted_diverted`.
Amounts are Decimal yuan; shares are Decimal fractions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

import networkx as nx

from creditfactory.monitoring.warning import SignalHit

__all__ = [
    "CounterpartyCategory",
    "Disbursement",
    "FlowRules",
    "RoundTrip",
    "Transfer",
    "entrusted_payment_hits",
    "fund_flow_hits",
    "purpose_hits",
    "rapid_in_out_hits",
    "round_trip_hits",
    "round_trips",
]

GROUP = "__group__"


class CounterpartyCategory(str, Enum):
    """What the bank knows a counterparty to be (from its account-opening data or a vendor)."""

    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    REAL_ESTATE_DEVELOPER = "real_estate_developer"
    SECURITIES = "securities"
    FUTURES = "futures"
    LENDER = "lender"
    INDIVIDUAL = "individual"
    OTHER = "other"


_PURPOSE_KINDS = {
    CounterpartyCategory.REAL_ESTATE_DEVELOPER: "fund_real_estate",
    CounterpartyCategory.SECURITIES: "fund_securities",
    CounterpartyCategory.FUTURES: "fund_securities",
    CounterpartyCategory.LENDER: "fund_other_lender",
}


@dataclass(frozen=True)
class Transfer:
    """One account transaction: `payer` → `payee`, `amount` yuan, with the payee's category."""

    txn_id: str
    payer: str
    payee: str
    amount: Decimal
    booked_on: date
    payee_category: CounterpartyCategory = CounterpartyCategory.OTHER
    loan_id: str | None = None  # set on the disbursement transfer itself


@dataclass(frozen=True)
class Disbursement:
    """A loan paid out: to the borrower's account, or (受托支付) to `entrusted_payee`."""

    loan_id: str
    borrower_id: str
    amount: Decimal
    disbursed_on: date
    group: frozenset[str] = field(default_factory=frozenset)  # controller, related parties
    entrusted_payee: str | None = None

    def members(self) -> frozenset[str]:
        """The borrower and its group."""
        return self.group | {self.borrower_id}


@dataclass(frozen=True)
class FlowRules:
    """Parameters (versioned with the rule book)."""

    window_days: int = 30
    min_share: Decimal = Decimal("0.10")
    round_trip_share: Decimal = Decimal("0.50")
    max_hops: int = 4
    rapid_days: int = 1
    rapid_share: Decimal = Decimal("0.90")


@dataclass(frozen=True)
class RoundTrip:
    """A cycle through the group: the parties in order and the transfers that made it."""

    parties: tuple[str, ...]
    txn_ids: tuple[str, ...]


def _window(d: Disbursement, transfers: Iterable[Transfer], days: int) -> list[Transfer]:
    end = d.disbursed_on + timedelta(days=days)
    return [t for t in transfers if d.disbursed_on <= t.booked_on <= end]


def _hit(d: Disbursement, kind: str, on: date, source_id: str) -> SignalHit:
    return SignalHit(d.borrower_id, kind, on, source_id, d.loan_id)


def purpose_hits(
    d: Disbursement, transfers: Iterable[Transfer], rules: FlowRules
) -> list[SignalHit]:
    """Outflows from the group to prohibited counterparty categories."""
    members, floor = d.members(), d.amount * rules.min_share
    hits = []
    for t in _window(d, transfers, rules.window_days):
        kind = _PURPOSE_KINDS.get(t.payee_category)
        from_group = t.payer in members or t.loan_id == d.loan_id
        if kind and from_group and t.payee not in members and t.amount >= floor:
            hits.append(_hit(d, kind, t.booked_on, t.txn_id))
    return hits


def rapid_in_out_hits(
    d: Disbursement, transfers: Iterable[Transfer], rules: FlowRules
) -> list[SignalHit]:
    """≥ rapid_share of the loan gone within rapid_days, not to the payee nor to suppliers."""
    members = d.members()
    out = [
        t
        for t in _window(d, transfers, rules.rapid_days)
        if t.payer in members
        and t.payee not in members
        and t.payee != d.entrusted_payee
        and t.payee_category is not CounterpartyCategory.SUPPLIER
    ]
    if not out or sum((t.amount for t in out), Decimal(0)) < d.amount * rules.rapid_share:
        return []
    last = max(out, key=lambda t: (t.booked_on, t.txn_id))
    return [_hit(d, "fund_rapid_in_out", last.booked_on, last.txn_id)]


def entrusted_payment_hits(d: Disbursement, transfers: Iterable[Transfer]) -> list[SignalHit]:
    """受托支付: the disbursement transfer went to someone other than the contract payee."""
    if d.entrusted_payee is None:
        return []
    return [
        _hit(d, "fund_entrusted_diverted", t.booked_on, t.txn_id)
        for t in transfers
        if t.loan_id == d.loan_id and t.payee != d.entrusted_payee
    ]


def _graph(d: Disbursement, transfers: Sequence[Transfer], rules: FlowRules) -> nx.DiGraph:
    members, floor = d.members(), d.amount * rules.round_trip_share
    edges: dict[tuple[str, str], list[Transfer]] = defaultdict(list)
    for t in _window(d, transfers, rules.window_days):
        payer = GROUP if t.payer in members or t.loan_id == d.loan_id else t.payer
        payee = GROUP if t.payee in members else t.payee
        if t.amount >= floor and payer != payee:
            edges[(payer, payee)].append(t)
    graph = nx.DiGraph()
    for (u, v), ts in edges.items():
        graph.add_edge(u, v, transfers=sorted(ts, key=lambda t: (t.booked_on, t.txn_id)))
    return graph


def _dated_path(graph: nx.DiGraph, cycle: list[str]) -> tuple[str, ...] | None:
    """The earliest chain of transfers along `cycle` (from GROUP) dated in order, or None."""
    start = cycle.index(GROUP)
    order = cycle[start:] + cycle[:start] + [GROUP]
    after: date | None = None
    txns: list[str] = []
    for u, v in zip(order, order[1:], strict=False):
        ts: list[Transfer] = graph.edges[u, v]["transfers"]
        nxt = next((t for t in ts if after is None or t.booked_on >= after), None)
        if nxt is None:
            return None
        after, txns = nxt.booked_on, [*txns, nxt.txn_id]
    return tuple(txns)


def round_trips(
    d: Disbursement, transfers: Sequence[Transfer], rules: FlowRules
) -> list[RoundTrip]:
    """Cycles through the group of ≤ max_hops transfers, dated in order, within the window."""
    graph = _graph(d, transfers, rules)
    if GROUP not in graph:
        return []
    found = []
    for cycle in nx.simple_cycles(graph, length_bound=rules.max_hops):
        if GROUP in cycle and (txns := _dated_path(graph, cycle)) is not None:
            start = cycle.index(GROUP)
            found.append(RoundTrip(tuple(cycle[start:] + cycle[:start]), txns))
    return sorted(found, key=lambda r: r.txn_ids)


def round_trip_hits(
    d: Disbursement, transfers: Sequence[Transfer], rules: FlowRules
) -> list[SignalHit]:
    """One `fund_round_trip` hit per cycle, dated on its closing transfer."""
    by_id = {t.txn_id: t for t in transfers}
    return [
        _hit(d, "fund_round_trip", by_id[r.txn_ids[-1]].booked_on, r.txn_ids[-1])
        for r in round_trips(d, transfers, rules)
    ]


def fund_flow_hits(
    d: Disbursement, transfers: Sequence[Transfer], rules: FlowRules | None = None
) -> list[SignalHit]:
    """Every fund-flow rule on one disbursement."""
    rules = rules or FlowRules()
    return [
        *purpose_hits(d, transfers, rules),
        *round_trip_hits(d, transfers, rules),
        *rapid_in_out_hits(d, transfers, rules),
        *entrusted_payment_hits(d, transfers),
    ]
