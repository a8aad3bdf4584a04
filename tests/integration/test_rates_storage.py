"""LPR fixings in the operational database (issue 12), on SQLite and PostgreSQL: migration 0007
creates `lpr_fixings`; an import is stored pending with its maker-checker item and audit leaf;
the maker cannot publish it; a second officer's approval publishes it and the published series
is the shipped one extended by it; a rejected import prices nothing."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, inspect, select, update

from creditfactory.access import DEFAULT_ACCESS, MakerCheckerViolation, PermissionDenied
from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork, reader_for
from creditfactory.adapters.storage.pricing_tables import lpr_fixings
from creditfactory.audit import verify_log
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.ids import RandomIds
from creditfactory.pricing.lpr import default_lpr_series
from creditfactory.service_layer.approval_flow import decide_approval
from creditfactory.service_layer.factory_ports import OfficeDeps
from creditfactory.service_layer.rates_flow import import_rates, list_rates, published_series

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _deps(engine: Engine) -> OfficeDeps:
    clock = FixedClock(NOW)
    return OfficeDeps(uow=lambda: FactoryUnitOfWork(engine, clock), clock=clock,
                      ids=RandomIds(), read=reader_for(engine, clock))  # fmt: skip


def _rows(tag: str) -> list[dict[str, object]]:
    # a unique source per test run: the import id is derived from the fixings
    return [
        {"effective_date": "2026-04-20", "one_year": "2.95", "over_five_year": "3.45",
         "confidence": "U", "source": f"storage test {tag} (not a published value)"},
        {"effective_date": "2026-05-20", "one_year": "2.95", "over_five_year": "3.45",
         "confidence": "U", "source": f"storage test {tag} (not a published value)"},
    ]  # fmt: skip


def _moved(rows: list[dict[str, object]], *dates: str) -> list[dict[str, object]]:
    # to months no other test publishes: a month has one fixing
    return [{**r, "effective_date": d} for r, d in zip(rows, dates, strict=True)]


def test_migration_creates_the_table(engine: Engine) -> None:
    columns = {c["name"] for c in inspect(engine).get_columns("lpr_fixings")}
    assert columns == {"import_id", "effective_date", "one_year", "over_five_year", "confidence",
                       "source", "status", "imported_by", "imported_at", "decided_by",
                       "decided_at"}  # fmt: skip


def test_import_then_publish_by_another_officer(engine: Engine) -> None:
    deps, tag = _deps(engine), uuid.uuid4().hex[:8]
    with pytest.raises(PermissionDenied):
        import_rates(deps, DEFAULT_ACCESS, _rows(tag), "off_lo", "loan_officer")
    view, created = import_rates(deps, DEFAULT_ACCESS, _rows(tag), "off_a", "risk_manager")
    assert created and view["status"] == "pending" and len(view["fixings"]) == 2
    assert view["fixings"][0] == {**_rows(tag)[0]}  # exact decimal text back
    assert import_rates(deps, DEFAULT_ACCESS, _rows(tag), "off_a", "risk_manager")[1] is False
    with pytest.raises(MakerCheckerViolation, match="checker must not be the maker"):
        decide_approval(deps, DEFAULT_ACCESS, view["approval_id"], "off_a", "risk_manager", True)
    decide_approval(deps, DEFAULT_ACCESS, view["approval_id"], "off_b", "risk_manager", True)
    series = published_series(deps)
    assert series.version == f"{default_lpr_series().version}+{view['import_id']}"
    assert series.fixing_on(date(2026, 6, 1)).effective_date == date(2026, 5, 20)
    assert str(series.fixing_on(date(2026, 6, 1)).one_year.value) == "0.0295"
    listed = list_rates(deps, "published")
    mine = [r for r in listed["imported"] if r["import_id"] == view["import_id"]]
    assert {r["decided_by"] for r in mine} == {"off_b"}
    with engine.connect() as db:
        actions = set(db.execute(select(audit_entries.c.action)
                                 .where(audit_entries.c.subject == view["subject"])).scalars())  # fmt: skip
    assert {"rates.imported", "approval.requested", "approval.approved", "approval.executed",
            "rates.published"} <= actions  # fmt: skip


def test_a_rejected_import_prices_nothing(engine: Engine) -> None:
    deps, tag = _deps(engine), uuid.uuid4().hex[:8]
    rows = _moved(_rows(tag), "2026-06-22", "2026-07-21")
    view, _ = import_rates(deps, DEFAULT_ACCESS, rows, "off_a", "risk_manager")
    before = published_series(deps)
    decide_approval(deps, DEFAULT_ACCESS, view["approval_id"], "off_b", "risk_manager", False)
    assert published_series(deps) == before
    listed = list_rates(deps, "rejected")
    assert view["import_id"] in {r["import_id"] for r in listed["imported"]}


def test_an_edited_fixing_is_named_by_audit_verify(engine: Engine) -> None:
    deps, tag = _deps(engine), uuid.uuid4().hex[:8]
    rows = _moved(_rows(tag), "2026-08-20", "2026-09-21")
    view, _ = import_rates(deps, DEFAULT_ACCESS, rows, "off_a", "risk_manager")
    with engine.connect() as db:
        clean = verify_log(SqlAuditStore(db), digesters=row_digesters(db)).findings
    assert not [f for f in clean if view["import_id"] in f.detail]
    mine = lpr_fixings.c.import_id == view["import_id"]
    with engine.begin() as db:  # an insider lowers the imported 1Y rate in place
        db.execute(update(lpr_fixings).where(mine).values(one_year=Decimal("2.50")))
    try:
        with engine.connect() as db:
            report = verify_log(SqlAuditStore(db), digesters=row_digesters(db))
    finally:  # the database is the session's: put the row back for the other tests
        with engine.begin() as db:
            db.execute(update(lpr_fixings).where(mine).values(one_year=Decimal("2.95")))
    named = [f for f in report.findings if view["import_id"] in f.detail]
    assert named and named[0].kind == "row_edited"


def test_concurrent_duplicate_imports_return_the_first_import(engine: Engine) -> None:
    # the attack: 180 concurrent identical POSTs → 106 IntegrityErrors (500) on PostgreSQL;
    # every duplicate must get the stored import back (the documented 200), one item opened
    deps, tag = _deps(engine), uuid.uuid4().hex[:8]
    start = threading.Barrier(6)

    def one(_: int) -> tuple[dict[str, object], bool]:
        start.wait()
        return import_rates(deps, DEFAULT_ACCESS, _rows(tag), "off_a", "risk_manager")

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(6)))
    assert sum(created for _, created in results) == 1
    assert len({view["import_id"] for view, _ in results}) == 1
    assert len({view["approval_id"] for view, _ in results}) == 1


@pytest.mark.parametrize(("where", "field"), [("source", "rows[2].source"), ("note", "note")])
def test_nul_byte_in_source_or_note_is_refused_naming_the_field(
    engine: Engine, where: str, field: str
) -> None:
    # the attack: a NUL byte reached PostgreSQL (500 / the CLI printed the SQL); a person's
    # text field must be refused at validation, naming it, with nothing stored
    deps, tag = _deps(engine), uuid.uuid4().hex[:8]
    rows, note = _rows(tag), "ok"
    if where == "source":
        rows[1]["source"] = "Xinhua\x00 2026-05-20"
    else:
        note = "checked\x00"
    with pytest.raises(ValidationError) as refused:
        import_rates(deps, DEFAULT_ACCESS, rows, "off_a", "risk_manager", note)
    assert refused.value.field == field
    assert not [r for r in list_rates(deps)["imported"] if tag in r["source"]]


def test_an_import_changing_a_published_fixing_needs_a_correction(engine: Engine) -> None:
    deps, tag = _deps(engine), uuid.uuid4().hex[:8]
    shipped = {"effective_date": "2019-08-20", "one_year": "20.00", "over_five_year": "4.85",
               "confidence": "U", "source": f"correction test {tag}"}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        import_rates(deps, DEFAULT_ACCESS, [shipped], "off_a", "risk_manager")
    assert refused.value.field == "rows[1].one_year" and "(4.25)" in refused.value.rule
    with pytest.raises(ValidationError) as unexplained:
        import_rates(deps, DEFAULT_ACCESS, [shipped], "off_a", "risk_manager", correction=True)
    assert unexplained.value.field == "note"
    view, created = import_rates(deps, DEFAULT_ACCESS, [shipped], "off_a", "risk_manager",
                                 "test: a correction the checker rejects", correction=True)  # fmt: skip
    with deps.uow() as uow:
        item = uow.approvals.get(view["approval_id"])
    assert created and item is not None
    assert item.params["corrections"] == "2019-08-20 1Y 4.25 → 20.00, 5Y+ 4.85 → 4.85"
    assert item.params["values"] == "2019-08-20 1Y 20.00 % 5Y+ 4.85 % [U]"
    decide_approval(deps, DEFAULT_ACCESS, view["approval_id"], "off_b", "risk_manager", False)
    assert str(published_series(deps).fixings[0].one_year.value) == "0.0425"
