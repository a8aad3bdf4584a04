"""Fund flows and invoices on the real book, on SQLite and PostgreSQL: transaction and invoice
feeds ingested (malformed, unknown-borrower, duplicate and out-of-order lines reported, rejects
stored, nothing lost), `run_monitoring` finds the planted 3-hop round trip, the payment to a
developer, the rapid in-and-out, the diverted 受托支付 and the invoiced-revenue collapse; a later
run re-evaluates only the disbursement touched by a late transaction; an alert disposed with
加速到期 and a downgrade acts through servicing; a risk officer releases the floor and the next run
leaves it released at the same warning level.

Each test gets its own database (a monitoring run is book-wide and dates must increase): a SQLite
file, or a fresh PostgreSQL schema (DATABASE_URL_PG, as tests/integration/conftest.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, insert, select, text

from creditfactory.adapters.batch.monitoring_flow_ingest import (
    ingest_invoices_file,
    ingest_transactions_file,
)
from creditfactory.adapters.batch.monitoring_run import run_monitoring
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.monitoring_store import MonitoringSqlUnitOfWork
from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_alerts,
    monitoring_borrowers,
    monitoring_floor_releases,
    monitoring_invoices,
    monitoring_rejects,
    monitoring_transactions,
)
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.ids import SequentialIds
from creditfactory.monitoring import DispositionAction
from creditfactory.monitoring.errors import InvalidFloorRelease
from creditfactory.monitoring.services import (
    assign_alert,
    dispose_alert,
    investigate_alert,
    release_grade_floor,
)
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.facility import CreditFacility
from creditfactory.servicing.services import BookLoan, draw_down, open_facility
from tests.integration.conftest import _postgres_url

USCC1 = "91310115MA1K3BTP2B"
USCC2 = "91152201078377449P"
STRANGER = "91350200776049653A"  # valid, not enrolled
PRODUCT = "sme-term@2024.1"


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    """USCCs, names and raw lines in the monitoring tables are encrypted (issue 13)."""
    install_pii_cipher(PIICipher(generate_pii_key()))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'flows.sqlite3'}")
        upgrade_schema(engine)
        yield engine
        engine.dispose()
        return
    url = _postgres_url()
    schema = f"mon_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _book(engine: Engine, clock: FixedClock) -> None:
    uow = SqlUnitOfWork(engine, clock)
    for fac, borrower, loan, amount in (
        ("fac_1", "bor_1", "loan_1", "1000000"),
        ("fac_2", "bor_2", "loan_2", "500000"),
    ):
        open_facility(
            uow,
            CreditFacility(fac, borrower, PRODUCT, Decimal("2000000.00"), date(2025, 1, 1), date(2026, 1, 1)),
        )  # fmt: skip
        draw_down(
            uow,
            clock,
            fac,
            BookLoan(loan, borrower, PRODUCT, amount, "0.0445", 12, date(2025, 3, 1)),
        )
    with engine.begin() as conn:
        conn.execute(
            insert(monitoring_borrowers),
            [
                {"borrower_id": "bor_1", "uscc": USCC1, "name": "甲公司", "controller_id": "ctrl_1", "related_parties": "rel_1"},
                {"borrower_id": "bor_2", "uscc": USCC2, "name": "乙公司", "controller_id": None, "related_parties": ""},
            ],
        )  # fmt: skip


def _txn(
    txn_id: str, uscc: str, account: str, other: str, amount: str, day: str, **more: str
) -> str:
    record = {"txn_id": txn_id, "uscc": uscc, "account": account, "counterparty": other,
              "counterparty_category": more.pop("category", "other"), "amount": amount,
              "direction": more.pop("direction", "out"), "value_date": f"2025-03-{day}", **more}  # fmt: skip
    return json.dumps(record, ensure_ascii=False)


TRANSACTIONS = [
    _txn("t0", USCC1, USCC1, "bank", "1000000.00", "01", direction="in", loan_ref="loan_1"),
    _txn("t1", USCC1, USCC1, "shell_a", "950000.00", "02"),
    _txn("t2", USCC1, "shell_a", "shell_b", "940000.00", "04"),
    _txn("t3", USCC1, "shell_b", "ctrl_1", "930000.00", "06"),  # back to the controller
    _txn("t4", USCC1, USCC1, "dev_1", "200000.00", "10", category="real_estate_developer"),
    _txn("t5", USCC1, USCC1, "sup_1", "50000.00", "12", category="supplier"),
    _txn("t20", USCC2, USCC2, "shell_z", "500000.00", "01", loan_ref="loan_2", entrusted_payee="supplier_x"),
    '{"txn_id": "t9", "amount": ',
    _txn("t7", STRANGER, STRANGER, "x", "10.00", "03"),
    _txn("t1", USCC1, USCC1, "shell_a", "950000.00", "02"),
    _txn("t8", USCC1, USCC1, "sup_1", "1000.00", "05", category="supplier"),  # before t5
]  # fmt: skip

HEADER = "企业代号,发票号码,开票日期,购方单位代号,金额,税额,价税合计,发票状态"


def _invoices() -> str:
    rows = [HEADER]
    n = 0
    for y, m, amount in [(2024, m, "100000.00") for m in range(1, 12)] + [
        (2024, 12, "10000.00"), (2025, 1, "10000.00"), (2025, 2, "10000.00"),
    ]:  # fmt: skip
        n += 1
        tax = (Decimal(amount) * Decimal("0.13")).quantize(Decimal("0.01"))
        rows.append(f"{USCC1},{n},{y}/{m}/15,B1,{amount},{tax},{Decimal(amount) + tax},有效发票")
    rows.append(f"{USCC1},99,2024/13/15,B1,1.00,0.13,1.13,有效发票")  # no 13th month
    rows.append("E404,1,2024/5/15,B1,1.00,0.13,1.13,有效发票")  # unknown firm
    return "\n".join(rows) + "\n"


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)  # type: ignore[arg-type]


def test_fund_flows_invoices_disposal_and_release(db: Engine, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2025, 3, 30, 20, 0, tzinfo=UTC))
    _book(db, clock)
    feed = tmp_path / "txns.jsonl"
    feed.write_text("\n".join(TRANSACTIONS) + "\n", encoding="utf-8")
    with db.begin() as conn:
        s = ingest_transactions_file(conn, feed, "jsonl", clock.now())
    assert (s.lines, s.accepted, s.duplicates) == (11, 8, 1)
    assert [(n, r) for n, r, _ in s.rejects] == [(8, "malformed"), (9, "unknown_borrower")]
    assert s.out_of_order == [11]
    inv = tmp_path / "sales.csv"
    inv.write_text(_invoices(), encoding="utf-8")
    with db.begin() as conn:
        v = ingest_invoices_file(conn, inv, "csv", clock.now())
    assert (v.lines, v.accepted) == (16, 14)
    assert [(n, r) for n, r, _ in v.rejects] == [(16, "malformed"), (17, "unknown_borrower")]
    assert _count(db, monitoring_rejects) == 4
    assert _count(db, monitoring_transactions) + 1 + 2 == 11  # nothing lost
    assert _count(db, monitoring_invoices) + 2 == 16

    ids = SequentialIds()
    run = run_monitoring(db, clock, ids, date(2025, 3, 30))
    assert run.transactions_scanned == 8 and run.disbursements_evaluated == 2
    assert run.flow_hits == {
        "fund_round_trip": 1,  # t1 → t2 → t3: borrower → shell_a → shell_b → controller
        "fund_real_estate": 1,  # t4: 200 000 ≥ 10 % of the loan to a developer
        "fund_rapid_in_out": 2,  # t1 (95 % next day); t20 (all of loan_2 on day 0)
        "fund_entrusted_diverted": 1,  # t20 paid shell_z, the contract payee is supplier_x
        "invoice_revenue_collapse": 1,  # Dec–Feb 10 000 vs 100 000 a month before: −90 %
    }
    assert run.invoice_borrowers_evaluated == 1
    assert run.alerts_opened == 2 and run.borrower_levels["red"] == 1
    assert run.floors_raised == 2  # round trip and diverted 受托支付 → 关注

    # a late securities payment: only loan_1 is re-evaluated; earlier findings are not re-scored
    late = tmp_path / "late.jsonl"
    late.write_text(
        _txn("t6", USCC1, USCC1, "broker_1", "150000.00", "15", category="securities") + "\n"
    )
    with db.begin() as conn:
        assert ingest_transactions_file(conn, late, "jsonl", clock.now()).out_of_order == [1]
    again = run_monitoring(db, clock, ids, date(2025, 3, 31))
    assert (again.transactions_scanned, again.disbursements_evaluated) == (1, 1)
    assert again.flow_hits == {"fund_securities": 1}
    assert again.invoice_borrowers_evaluated == 0  # same month, no new invoices

    with db.connect() as conn:
        alert_id = conn.execute(
            select(monitoring_alerts.c.alert_id).where(monitoring_alerts.c.borrower_id == "bor_1")
        ).scalar_one()
    uow = MonitoringSqlUnitOfWork(db, clock)
    assign_alert(uow, clock, alert_id, "officer_1", "lead_1")
    investigate_alert(uow, clock, alert_id, "officer_1")
    dispose_alert(
        uow, clock, alert_id, (DispositionAction.ACCELERATE, DispositionAction.DOWNGRADE),
        "officer_1", "round trip confirmed", LoanGrade.SUBSTANDARD, date(2025, 3, 31),
    )  # fmt: skip
    with SqlUnitOfWork(db, clock) as u:
        loan = u.loans.get("loan_1")
    assert loan.grade_floor is LoanGrade.SUBSTANDARD
    last = loan.installments[-1]
    assert (last.due_date, last.principal_due) == (date(2025, 3, 31), Decimal("1000000.00"))
    with db.connect() as conn:
        by_officer = conn.execute(
            select(audit_entries.c.action, audit_entries.c.subject)
            .where(audit_entries.c.actor == "officer_1", audit_entries.c.action.like("loan.%"))
            .order_by(audit_entries.c.sequence)
        ).all()
    assert [tuple(r) for r in by_officer] == [
        ("loan.accelerated", "loan_1"),
        ("loan.grade_floor_set", "loan_1"),
    ]

    release = release_grade_floor(uow, clock, "loan_1", "risk_1", "bona fide group settlement")
    assert (release.from_floor, release.to_floor, release.level.value) == (
        "SUBSTANDARD",
        "PASS",
        "red",
    )
    with pytest.raises(InvalidFloorRelease):
        release_grade_floor(uow, clock, "loan_1", "risk_1", "again")
    third = run_monitoring(db, clock, ids, date(2025, 4, 1))
    assert third.floors_raised == 0  # still red: no worse than when released
    with SqlUnitOfWork(db, clock) as u:
        assert u.loans.get("loan_1").grade_floor is LoanGrade.PASS
    assert third.invoice_borrowers_evaluated == 1  # a new month: every invoicing borrower
    assert _count(db, monitoring_floor_releases) == 1
