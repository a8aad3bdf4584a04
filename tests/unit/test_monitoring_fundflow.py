"""Fund-flow rules with literal transfers: the planted 3-hop round trip is found, a legitimate
supplier payment is not flagged; use of funds by counterparty category; rapid in-and-out; 受托支付."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditfactory.monitoring.fundflow import (
    CounterpartyCategory,
    Disbursement,
    FlowRules,
    Transfer,
    entrusted_payment_hits,
    fund_flow_hits,
    purpose_hits,
    rapid_in_out_hits,
    round_trips,
)

C = CounterpartyCategory
D0 = date(2025, 3, 1)
LOAN = Disbursement("loan_1", "b1", Decimal("1000000.00"), D0, frozenset({"ctrl_1"}))
RULES = FlowRules()


def t(
    txn: str,
    payer: str,
    payee: str,
    amount: str,
    day: int,
    cat: C = C.OTHER,
    loan: str | None = None,
) -> Transfer:
    return Transfer(txn, payer, payee, Decimal(amount), date(2025, 3, day), cat, loan)


DISBURSE = t("t0", "bank", "b1", "1000000.00", 1, loan="loan_1")


def test_planted_three_hop_cycle_is_found() -> None:
    transfers = [
        DISBURSE,
        t("t1", "b1", "shell_a", "950000.00", 2),
        t("t2", "shell_a", "shell_b", "940000.00", 4),
        t("t3", "shell_b", "ctrl_1", "930000.00", 6),  # back to the borrower's controller
    ]
    trips = round_trips(LOAN, transfers, RULES)
    assert [(r.parties, r.txn_ids) for r in trips] == [
        (("__group__", "shell_a", "shell_b"), ("t1", "t2", "t3"))
    ]
    hits = fund_flow_hits(LOAN, transfers)
    assert [(h.kind, h.source_id, h.observed_on) for h in hits if h.kind == "fund_round_trip"] == [
        ("fund_round_trip", "t3", date(2025, 3, 6))
    ]


def test_legitimate_supplier_payment_is_not_a_round_trip() -> None:
    transfers = [
        DISBURSE,
        t("t1", "b1", "supplier_1", "600000.00", 3, C.SUPPLIER),
        # the supplier's own onward payments do not come back to the group
        t("t2", "supplier_1", "mill_9", "550000.00", 5, C.SUPPLIER),
        # a customer pays the borrower: inflow only, not a cycle
        t("t3", "customer_7", "b1", "700000.00", 20, C.CUSTOMER),
    ]
    assert round_trips(LOAN, transfers, RULES) == []
    assert fund_flow_hits(LOAN, transfers) == []


def test_cycle_needs_transfers_in_date_order_and_within_the_window() -> None:
    backwards = [DISBURSE, t("t1", "b1", "x", "900000", 10), t("t2", "x", "b1", "900000", 5)]
    assert round_trips(LOAN, backwards, RULES) == []
    late = [
        DISBURSE,
        t("t1", "b1", "x", "900000", 2),
        Transfer("t2", "x", "b1", Decimal(900000), date(2025, 4, 30)),
    ]
    assert round_trips(LOAN, late, RULES) == []  # 60 days after: outside the 30-day window
    small = [DISBURSE, t("t1", "b1", "x", "900000", 2), t("t2", "x", "b1", "100000", 3)]
    assert round_trips(LOAN, small, RULES) == []  # 10 % back: below the 50 % share


def test_use_of_funds_by_counterparty_category() -> None:
    transfers = [
        DISBURSE,
        t("t1", "b1", "dev_1", "500000", 5, C.REAL_ESTATE_DEVELOPER),
        t("t2", "b1", "dev_2", "20000", 6, C.REAL_ESTATE_DEVELOPER),  # rent, 2 %: below 10 %
        t("t3", "ctrl_1", "broker", "200000", 7, C.SECURITIES),  # via the controller
        t("t4", "b1", "p2p", "150000", 8, C.LENDER),
        t("t5", "b1", "fut", "300000", 9, C.FUTURES),
    ]
    assert [(h.kind, h.source_id) for h in purpose_hits(LOAN, transfers, RULES)] == [
        ("fund_real_estate", "t1"),
        ("fund_securities", "t3"),
        ("fund_other_lender", "t4"),
        ("fund_securities", "t5"),
    ]


def test_rapid_in_and_out() -> None:
    out = [DISBURSE, t("t1", "b1", "x", "500000", 1), t("t2", "b1", "y", "450000", 2)]
    assert [h.source_id for h in rapid_in_out_hits(LOAN, out, RULES)] == ["t2"]  # 95 % in 1 day
    slow = [DISBURSE, t("t1", "b1", "x", "500000", 1), t("t2", "b1", "y", "450000", 3)]
    assert rapid_in_out_hits(LOAN, slow, RULES) == []
    suppliers = [DISBURSE, t("t1", "b1", "s", "990000", 1, C.SUPPLIER)]
    assert rapid_in_out_hits(LOAN, suppliers, RULES) == []


def test_entrusted_payment_reaches_the_contract_counterparty() -> None:
    entrusted = Disbursement("loan_2", "b1", Decimal("800000"), D0, entrusted_payee="supplier_1")
    paid = [t("t0", "bank", "supplier_1", "800000", 1, C.SUPPLIER, "loan_2")]
    diverted = [t("t0", "bank", "agent_9", "800000", 1, C.OTHER, "loan_2")]
    assert entrusted_payment_hits(entrusted, paid) == []
    assert [h.kind for h in entrusted_payment_hits(entrusted, diverted)] == [
        "fund_entrusted_diverted"
    ]
    # the payee sends it straight back: a 2-hop round trip
    back = [*paid, t("t1", "supplier_1", "b1", "780000", 3)]
    assert [r.txn_ids for r in round_trips(entrusted, back, RULES)] == [("t0", "t1")]
