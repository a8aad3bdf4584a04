"""Account-transaction and invoice feeds with literal records (schema, rejects with the field and
rule, duplicates, unknown borrowers, out-of-order), the invoice rule from monthly totals equal to
the rule from raw invoices, and the END rule: a list removal ends the listing signal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditfactory.monitoring import RULEBOOK_2025, RULEBOOK_CURRENT, SignalHit, assess
from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.monitoring.events import ExternalEvent, signal_kind
from creditfactory.monitoring.flowfeeds import (
    INVOICES,
    TRANSACTIONS,
    parse_invoice,
    parse_transaction,
    sort_records,
)
from creditfactory.monitoring.fundflow import CounterpartyCategory
from creditfactory.monitoring.revenue import monthly_invoices, revenue_fall_kind
from creditfactory.monitoring.rules import WarningLevel
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus
from creditfactory.scoring.features import Invoice

USCC = "91310115MA1K3BTP2B"
TXN: dict[str, Any] = {
    "txn_id": "t1",
    "uscc": USCC,
    "account": USCC,
    "counterparty": "dev_1",
    "counterparty_category": "real_estate_developer",
    "amount": "300000.00",
    "direction": "out",
    "value_date": "2025-03-05",
}
INV: dict[str, Any] = {
    "企业代号": "E7",
    "发票号码": "11459356",
    "开票日期": "2017/8/4",
    "购方单位代号": "B03711",
    "金额": "9401.71",
    "税额": "1598.29",
    "价税合计": "11000.0",
    "发票状态": "有效发票",
}


def test_transaction_parses_to_a_payer_payee_transfer() -> None:
    t = parse_transaction(TXN)
    assert (t.amount, t.value_date, t.counterparty_category) == (
        Decimal("300000.00"),
        date(2025, 3, 5),
        CounterpartyCategory.REAL_ESTATE_DEVELOPER,
    )
    out = t.transfer({USCC: "b1"})
    assert (out.payer, out.payee, out.payee_category) == ("b1", "dev_1", t.counterparty_category)
    back = parse_transaction({**TXN, "direction": "in"}).transfer({USCC: "b1"})
    assert (back.payer, back.payee, back.payee_category) == (
        "dev_1",
        "b1",
        CounterpartyCategory.OTHER,
    )


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"txn_id": ""}, "txn_id", "required non-empty text"),
        ({"uscc": "91310115MA1K3BTP2C"}, "uscc", "GB 32100-2015 check_character"),
        ({"amount": 300000.0}, "amount", "a decimal string"),  # a JSON number: refused
        ({"amount": "12.345"}, "amount", "at most 2 decimals"),
        ({"amount": "0"}, "amount", "greater than 0"),
        ({"amount": "1e400x"}, "amount", "a decimal string"),
        ({"direction": "sideways"}, "direction", "out or in"),
        ({"counterparty_category": "casino"}, "counterparty_category", "one of supplier, customer, real_estate_developer, securities, futures, lender, individual, other"),
        ({"value_date": "2025-02-30"}, "value_date", "a date YYYY-MM-DD or YYYY/M/D"),
        ({"counterparty": USCC}, "counterparty", "differs from account"),
    ],
)  # fmt: skip
def test_transaction_rejects_name_field_and_rule(
    change: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(MalformedEvent) as err:
        parse_transaction({**TXN, **change})
    assert (err.value.field, err.value.rule) == (field, rule)


def test_invoice_direction_from_the_cumcm_counterparty_column() -> None:
    sale = parse_invoice(INV)
    assert (sale.direction, sale.issue_date, sale.amount.amount, sale.status) == (
        InvoiceDirection.OUTPUT,
        date(2017, 8, 4),
        Decimal("9401.71"),
        InvoiceStatus.VALID,
    )
    bought = {k: v for k, v in INV.items() if k != "购方单位代号"} | {"销方单位代号": "A1"}
    assert parse_invoice(bought).direction is InvoiceDirection.INPUT
    credit = parse_invoice({**INV, "金额": "-100.00", "税额": "-13.00", "价税合计": "-113.00"})
    assert credit.amount.amount == Decimal("-100.00")  # 红字 kept negative
    with pytest.raises(MalformedEvent, match="发票状态: 有效发票 or 作废发票"):
        parse_invoice({**INV, "发票状态": "红冲"})
    with pytest.raises(MalformedEvent, match="exactly one of"):
        parse_invoice({**INV, "销方单位代号": "A1"})


def _lines(*records: dict[str, Any] | str) -> list[tuple[int, str, Any]]:
    out: list[tuple[int, str, Any]] = []
    for n, r in enumerate(records, start=1):
        out.append((n, str(r), r if isinstance(r, dict) else MalformedEvent("line", "not JSON")))
    return out


def test_transaction_feed_sorted_nothing_lost() -> None:
    records = _lines(
        TXN,
        {**TXN, "txn_id": "t2", "value_date": "2025-03-09"},
        "{oops",
        TXN,  # same id, same content: duplicate
        {**TXN, "amount": "1.00"},  # same id, other content
        {**TXN, "txn_id": "t3", "uscc": "91152201078377449P"},  # not enrolled
        {**TXN, "txn_id": "t4", "value_date": "2025-03-07"},  # before t2 on the same account
        {**TXN, "txn_id": "t5", "value_date": "2025-02-27"},  # in a scanned period
    )
    batch = sort_records(records, TRANSACTIONS, {USCC: "b1"}, {}, lambda d: d <= date(2025, 2, 28))
    assert [a.key for a in batch.accepted] == ["t1", "t2", "t4", "t5"]
    assert batch.duplicates == [4]
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (3, "malformed"),
        (5, "conflicting_duplicate"),
        (6, "unknown_borrower"),
    ]
    assert batch.out_of_order == [7, 8]
    assert batch.lines == len(records)
    again = sort_records(
        records[:1], TRANSACTIONS, {USCC: "b1"}, {"t1": batch.accepted[0].digest}, lambda d: False
    )
    assert again.duplicates == [1] and not again.accepted  # re-ingesting is a no-op


def test_invoice_feed_keys_by_firm_direction_and_number() -> None:
    records = _lines(INV, {**INV, "企业代号": "E8"}, {**INV, "发票号码": "2"}, INV)
    batch = sort_records(records, INVOICES, {"E7": "b7"}, {}, lambda d: False)
    assert [a.key for a in batch.accepted] == ["E7|output|11459356", "E7|output|2"]
    assert [(r.line_no, r.reason, r.detail) for r in batch.rejects] == [
        (2, "unknown_borrower", "E8")
    ]
    assert batch.duplicates == [4]


def _raw_book() -> list[Invoice]:
    """Sales of 100 000 a month in 2024 (two invoices a month, one voided extra), then 20 000 a
    month from Oct 2024 to Feb 2025, plus purchases — a 60 %+ collapse by March 2025."""
    rows = [Invoice("purchase", date(2023, 11, 20), "s", Decimal("5000"))]
    for m in range(1, 10):
        rows += [
            Invoice("sales", date(2024, m, 3), "c1", Decimal("60000")),
            Invoice("sales", date(2024, m, 17), "c2", Decimal("40000")),
            Invoice("sales", date(2024, m, 18), "c2", Decimal("90000"), voided=True),
        ]
    for y, m in ((2024, 10), (2024, 11), (2024, 12), (2025, 1), (2025, 2)):
        rows += [
            Invoice("sales", date(y, m, 5), "c1", Decimal("25000")),
            Invoice("sales", date(y, m, 6), "c1", Decimal("-5000")),  # 红字
        ]
    return rows


def test_invoice_rule_from_monthly_totals_equals_raw_invoices() -> None:
    raw = _raw_book()
    monthly: dict[date, Decimal] = {}
    for i in raw:
        if i.direction == "sales" and not i.voided:
            key = i.invoice_date.replace(day=1)
            monthly[key] = monthly.get(key, Decimal(0)) + Decimal(i.amount)
    first = min(i.invoice_date for i in raw)
    for as_of in (date(2024, 12, 31), date(2025, 1, 15), date(2025, 3, 31), date(2025, 6, 30)):
        assert revenue_fall_kind(monthly_invoices(monthly, first), as_of) == revenue_fall_kind(
            raw, as_of
        ), as_of
    # by hand: March 2025 → recent = Dec–Feb = 20 000 / month; prior 12 months = Dec 2023–Nov
    # 2024 over 12 active months from the Nov 2023 first invoice: (9 × 100 000 + 2 × 20 000) / 12
    # = 78 333.33 → fall 74.5 % ≥ 60 %
    assert revenue_fall_kind(raw, date(2025, 3, 31)) == "invoice_revenue_collapse"


def _ev(event_type: str, on: date, action: str) -> ExternalEvent:
    return ExternalEvent("e", "gsxt", USCC, event_type, on, {"action": action})


def test_removal_ends_the_listing_signal() -> None:
    listed, removed = date(2025, 3, 1), date(2025, 4, 10)
    kinds = [
        signal_kind(_ev("abnormal_operations", listed, "listed")),
        signal_kind(_ev("abnormal_operations", removed, "removed")),
    ]
    assert kinds == ["abnormal_operations_listed", "abnormal_operations_removed"]
    hits = [
        SignalHit("b1", "abnormal_operations_listed", listed, "l1"),
        SignalHit("b1", "abnormal_operations_removed", removed, "r1"),
    ]
    before = assess("b1", hits, date(2025, 4, 9), RULEBOOK_CURRENT)
    # 35 × 0.5^(39/365) = 35 × 0.92862 = 32.50 points, live HIGH → orange
    assert before.level is WarningLevel.ORANGE and before.score == pytest.approx(32.50, abs=0.01)
    after = assess("b1", hits, date(2025, 4, 10), RULEBOOK_CURRENT)
    assert (after.level, after.score, after.contributors) == (WarningLevel.GREEN, 0.0, ())
    # a new listing after the removal counts again
    again = [*hits, SignalHit("b1", "abnormal_operations_listed", date(2025, 5, 2), "l2")]
    assert assess("b1", again, date(2025, 5, 2), RULEBOOK_CURRENT).score == 35.0
    # the earlier book had no END rule: the listing only fades
    assert "abnormal_operations_removed" not in {r.kind for r in RULEBOOK_2025.rules}


@pytest.mark.parametrize(
    ("event_type", "listing", "removal"),
    [
        ("serious_violation", "serious_violation_listed", "serious_violation_removed"),
        ("court_dishonest", "court_dishonest_debtor", "court_dishonest_removed"),
        ("court_consumption_ban", "court_consumption_ban", "court_consumption_ban_lifted"),
    ],
)
def test_every_listing_has_its_end_rule(event_type: str, listing: str, removal: str) -> None:
    on = date(2025, 6, 1)
    assert signal_kind(_ev(event_type, on, "removed")) == removal
    assert RULEBOOK_CURRENT.rule(removal).ends == (listing,)
    hits = [SignalHit("b1", listing, on, "l"), SignalHit("b1", removal, on, "r")]
    a = assess("b1", hits, on, RULEBOOK_CURRENT)  # removed the same day: nothing left
    assert (a.level, a.grade_floor.value) == (WarningLevel.GREEN, "PASS")
