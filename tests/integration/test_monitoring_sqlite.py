"""Monitoring on SQLite end to end: a feed with malformed, unknown-borrower, duplicate and
out-of-order lines (every line accounted for, rejects stored), an incremental run that raises an
alert, the alert worked to disposal — facility frozen, grade floor raised, every step an audit
leaf in the same transaction — and the small simulated book's precision / recall."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select

from creditfactory.adapters.batch.monitoring_ingest import ingest_file
from creditfactory.adapters.batch.monitoring_run import run_monitoring
from creditfactory.adapters.batch.simulate_book import simulate_book
from creditfactory.adapters.batch.simulate_eval import evaluate
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.monitoring_store import MonitoringSqlUnitOfWork
from creditfactory.adapters.storage.monitoring_tables import (
    monitoring_alert_steps,
    monitoring_borrowers,
    monitoring_events,
    monitoring_rejects,
)
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.ids import SequentialIds
from creditfactory.monitoring import DispositionAction, InvalidAlertTransition
from creditfactory.monitoring.services import assign_alert, dispose_alert, investigate_alert
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.facility import CreditFacility, FacilityStatus
from creditfactory.servicing.services import BookLoan, draw_down, open_facility

USCC = "91310115MA1K3BTP2B"
OTHER = "91152201078377449P"  # valid, not enrolled


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    """USCCs, names and raw lines in the monitoring tables are encrypted (issue 13)."""
    install_pii_cipher(PIICipher(generate_pii_key()))


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    upgrade_schema(eng)
    return eng


def _event(event_id: str, event_type: str, on: str, uscc: str = USCC, **attrs: object) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "source": "court",
            "uscc": uscc,
            "event_type": event_type,
            "occurred_on": on,
            "attrs": attrs,
        },
        ensure_ascii=False,
    )


def _book(engine: Engine, clock: FixedClock) -> None:
    uow = SqlUnitOfWork(engine, clock)
    open_facility(
        uow,
        CreditFacility(
            "fac_1",
            "bor_1",
            "sme-term@2024.1",
            Decimal("500000.00"),
            date(2025, 1, 1),
            date(2026, 1, 1),
        ),
    )
    draw_down(
        uow,
        clock,
        "fac_1",
        BookLoan("loan_1", "bor_1", "sme-term@2024.1", "200000", "0.0445", 12, date(2025, 1, 15)),
    )
    with engine.begin() as conn:
        conn.execute(
            insert(monitoring_borrowers),
            [
                {
                    "borrower_id": "bor_1",
                    "uscc": USCC,
                    "name": "测试企业",
                    "controller_id": "ctrl_1",
                    "related_parties": "",
                }
            ],
        )


def test_feed_run_alert_and_disposal(engine: Engine, tmp_path: Path) -> None:
    clock = FixedClock(datetime(2025, 6, 30, 20, 0, tzinfo=UTC))
    _book(engine, clock)
    feed = tmp_path / "court.jsonl"
    feed.write_text("\n".join([
        _event("c1", "court_dishonest", "2025-06-20", action="listed"),
        _event("c2", "court_equity_freeze", "2025-06-25"),
        "{oops",
        _event("c3", "court_enforcement", "2025-06-21", uscc=OTHER),
        _event("c1", "court_dishonest", "2025-06-20", action="listed"),
        _event("c4", "court_equity_freeze", "2025-06-10"),  # before c2, same type
        _event("c5", "court_lawsuit", "2025-07-05", role="defendant"),  # after D: waits
    ]) + "\n", encoding="utf-8")  # fmt: skip
    with engine.begin() as conn:
        summary = ingest_file(conn, feed, "jsonl", clock.now())
    assert (summary.lines, summary.accepted, summary.duplicates) == (7, 4, 1)
    assert [(n, r) for n, r, _ in summary.rejects] == [(3, "malformed"), (4, "unknown_borrower")]
    assert summary.out_of_order == [6]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(monitoring_rejects)).scalar() == 2
        stored = int(
            conn.execute(select(func.count()).select_from(monitoring_events)).scalar() or 0
        )
    assert stored + summary.duplicates + len(summary.rejects) == summary.lines  # nothing lost
    with engine.begin() as conn:  # re-ingesting the same file is a no-op
        again = ingest_file(conn, feed, "jsonl", clock.now())
    assert (again.accepted, again.duplicates) == (0, 5)

    ids = SequentialIds()
    run = run_monitoring(engine, clock, ids, date(2025, 6, 30))
    assert run.events_scanned == 3 and run.alerts_opened == 1
    assert run.borrower_levels["red"] == 1 and run.floors_raised == 1  # 失信 → 关注 floor
    with pytest.raises(ValidationError):
        run_monitoring(engine, clock, ids, date(2025, 6, 30))  # a date runs once

    uow = MonitoringSqlUnitOfWork(engine, clock)
    with pytest.raises(InvalidAlertTransition):
        dispose_alert(
            uow, clock, "alert_000001", (DispositionAction.FREEZE_UNDRAWN_LIMIT,), "officer_1"
        )
    assign_alert(uow, clock, "alert_000001", "officer_1", "lead_1")
    investigate_alert(uow, clock, "alert_000001", "officer_1")
    actions = (DispositionAction.FREEZE_UNDRAWN_LIMIT, DispositionAction.DOWNGRADE)
    dispose_alert(
        uow, clock, "alert_000001", actions, "officer_1", downgrade_to=LoanGrade.SUBSTANDARD
    )
    with MonitoringSqlUnitOfWork(engine, clock) as u:
        assert u.facilities.get("fac_1").status is FacilityStatus.FROZEN
        assert u.loans.get("loan_1").grade_floor is LoanGrade.SUBSTANDARD
    with engine.connect() as conn:
        steps = (
            conn.execute(
                select(monitoring_alert_steps.c.action).order_by(monitoring_alert_steps.c.seq)
            )
            .scalars()
            .all()
        )
        audited = (
            conn.execute(
                select(audit_entries.c.action)
                .where(audit_entries.c.action.like("monitoring.%"))
                .order_by(audit_entries.c.sequence)
            )
            .scalars()
            .all()
        )
    assert steps == [
        "monitoring.alert_opened",
        "monitoring.alert_assigned",
        "monitoring.alert_investigating",
        "monitoring.alert_disposed",
    ]
    assert audited == [
        "monitoring.alert_opened",
        "monitoring.grade_floor_raised",
        "monitoring.alert_assigned",
        "monitoring.alert_investigating",
        "monitoring.alert_disposed",
        "monitoring.facility_frozen",
        "monitoring.grade_floor_raised",
    ]
    # next day: only the new (waiting) event is read
    later = run_monitoring(engine, clock, ids, date(2025, 7, 5))
    assert later.events_scanned == 1


def test_precision_recall_on_a_small_simulated_book() -> None:
    book = simulate_book(borrowers=150, months=6, seed=3)
    ev = evaluate(book)
    assert (
        ev.ingest["rejects"] == {"malformed": 1, "unknown_borrower": 1}
        and ev.ingest["duplicates"] == 1
    )
    assert ev.ingest["lines"] == ev.ingest["accepted"] + 3
    for family, r in ev.families.items():
        assert 0.0 <= r["precision"] <= 1.0 and 0.0 <= r["recall"] <= 1.0, family
        if r["injected"]:
            assert r["true_positives"] <= min(r["injected"], r["flagged"])
    # event families whose triggers are exact records find every injected case
    assert all(
        ev.families[f]["recall"] == 1.0
        for f in ("court", "tax", "fund_flow")
        if ev.families[f]["injected"]
    )
