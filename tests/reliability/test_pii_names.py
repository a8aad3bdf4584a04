"""Names of natural persons at rest (issue 13, defect 11): a 个体工商户's or an unregistered
operator's name is stored encrypted like the other identifiers, shown masked in responses,
stored responses and pages, and appears nowhere in the database file in clear; the monitoring
tables hold USCCs, names and raw feed lines encrypted, unique by blind index; existing rows are
migrated."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from creditfactory.adapters.batch.monitoring_ingest import ingest_file
from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.monitoring_tables import monitoring_borrowers
from creditfactory.adapters.storage.pii import active_pii_cipher
from creditfactory.audit import verify_log
from tests.e2e.conftest import GOOD, _cipher, make_api  # noqa: F401 (fixtures)

# a real-shaped 个体工商户 and its operator (data/fixtures/cn_records/firms.csv, row E124)
USCC, OPERATOR_ID = "92320102309337226A", "320102196412037089"
PERSON = "张三丰"
SHOP = "南京市玄武区张三丰便利店"


def _body(applicant_type: str, name: str) -> dict[str, Any]:
    who: dict[str, Any] = {"applicant_type": applicant_type, "name": name,
                           "operator_id": OPERATOR_ID}  # fmt: skip
    if applicant_type == "individual_business":
        who["uscc"] = USCC
    return {"applicant": who, "amount": "100000", "term_months": 12, "declared": GOOD}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{tmp_path / 'names.sqlite3'}")
    upgrade_schema(eng)
    return eng


def test_defect_11_natural_person_names_encrypted_and_masked(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811 (the imported fixture)
    tmp_path: Path,
) -> None:
    api = make_api(engine)
    shop = api.post("/api/v1/applications", _body("individual_business", SHOP), "k-1")
    person = api.post("/api/v1/applications", _body("unregistered_operator", PERSON), "k-2")
    assert shop.status_code == 200 and person.status_code == 200, (shop.text, person.text)
    assert shop.json()["applicant"]["name"] == "南" + "*" * (len(SHOP) - 1)
    assert person.json()["applicant"]["name"] == "张**"
    again = api.post("/api/v1/applications", _body("unregistered_operator", PERSON), "k-2")
    assert again.json() == person.json()  # the stored response, masked too
    shown = api.get(f"/api/v1/applications/{person.json()['application_id']}").json()
    assert shown["applicant"]["name"] == "张**"
    with engine.connect() as conn:
        token = conn.execute(
            text("SELECT applicant_name_enc FROM applications WHERE application_id = :i"),
            {"i": person.json()["application_id"]},
        ).scalar_one()
        assert token.startswith("pii1.")
        assert active_pii_cipher().decrypt(token, "applications.applicant_name") == PERSON
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    stored = (tmp_path / "names.sqlite3").read_bytes()
    for clear in (PERSON, SHOP, "张三"):
        assert clear.encode("utf-8") not in stored, clear


def test_enterprise_names_stay_readable(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811 (the imported fixture)
) -> None:
    body = {"applicant": {"applicant_type": "enterprise", "name": "厦门测试贸易有限公司",
                          "uscc": "91350100M000100Y43"},
            "amount": "100000", "term_months": 12, "declared": GOOD}  # fmt: skip
    answer = make_api(engine).post("/api/v1/applications", body, secrets.token_hex(8)).json()
    assert answer["applicant"]["name"] == "厦门测试贸易有限公司"  # not personal information


def test_defect_11_migration_encrypts_existing_names(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_schema(eng, "0007")
    now = datetime.now(UTC)
    response = json.dumps({"applicant": {"name": PERSON, "identifier": "320102********7089"}})
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO applications (application_id, channel_id, idempotency_key, "
                "request_digest, applicant_type, applicant_name, subject_bidx, subject_id_enc, "
                "subject_masked, product_key, currency, requested_minor, term_months, status, "
                "response, submitted_at, updated_at, version) VALUES ('app_old', 'ch', 'k', 'd', "
                "'unregistered_operator', :n, 'b', 'x', 'm', 'p', 'CNY', 1, 12, 'approved', :r, "
                ":t, :t, 0)"
            ),
            {"n": PERSON, "r": response, "t": now},
        )
    upgrade_schema(eng)
    with eng.connect() as conn:
        row = conn.execute(text("SELECT * FROM applications")).mappings().one()
        assert (
            active_pii_cipher().decrypt(row["applicant_name_enc"], "applications.applicant_name")
            == PERSON
        )
        assert row["applicant_name_masked"] == "张**"
        assert json.loads(row["response"])["applicant"]["name"] == "张**"
        report = verify_log(SqlAuditStore(conn), digesters=row_digesters(conn))
        assert report.ok, report.findings  # the migrated row is covered (baseline leaf)
    eng.dispose()


BORROWER_USCC, STRANGER_USCC = "91310115MA1K3BTP2B", "91152201078377449P"


def _court(event_id: str, uscc: str) -> str:
    return json.dumps({"event_id": event_id, "source": "court", "uscc": uscc,
                       "event_type": "court_lawsuit", "occurred_on": "2025-06-20",
                       "attrs": {"role": "defendant"}})  # fmt: skip


def test_defect_11_monitoring_tables_hold_no_clear_uscc(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        conn.execute(insert(monitoring_borrowers), [{"borrower_id": "bor_1", "uscc": BORROWER_USCC,
                     "name": PERSON, "controller_id": None, "related_parties": ""}])  # fmt: skip
    feed = tmp_path / "court.jsonl"
    feed.write_text(_court("c1", BORROWER_USCC) + "\n" + _court("c2", STRANGER_USCC) + "\n")
    with engine.begin() as conn:
        summary = ingest_file(conn, feed, "jsonl", datetime.now(UTC))
    assert summary.accepted == 1 and summary.rejects == [
        (2, "unknown_borrower", "uscc 911522********449P")
    ]
    with engine.begin() as conn:  # still one borrower per USCC: the blind index is unique
        with pytest.raises(IntegrityError):
            conn.execute(insert(monitoring_borrowers), [{"borrower_id": "bor_2",
                         "uscc": BORROWER_USCC, "name": "x", "related_parties": ""}])  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(select(monitoring_borrowers.c.uscc)).scalar_one() == BORROWER_USCC
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    stored = (tmp_path / "names.sqlite3").read_bytes()
    for clear in (BORROWER_USCC, STRANGER_USCC, PERSON):
        assert clear.encode("utf-8") not in stored, clear


def test_defect_11_migration_encrypts_monitoring_rows(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'mon.sqlite3'}")
    upgrade_schema(eng, "0009")
    now = datetime.now(UTC)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO monitoring_borrowers (borrower_id, uscc, name, "
                          "related_parties) VALUES ('bor_1', :u, :n, '')"),
                     {"u": BORROWER_USCC, "n": PERSON})  # fmt: skip
        conn.execute(text("INSERT INTO monitoring_rejects (feed, line_no, reason, detail, raw, "
                          "received_at) VALUES ('f', 1, 'unknown_borrower', :d, :r, :t)"),
                     {"d": f"uscc {STRANGER_USCC}", "r": _court("c2", STRANGER_USCC), "t": now})  # fmt: skip
    upgrade_schema(eng)
    cipher = active_pii_cipher()
    with eng.connect() as conn:
        row = conn.execute(text("SELECT * FROM monitoring_borrowers")).mappings().one()
        assert cipher.decrypt(row["uscc"], "monitoring_borrowers.uscc") == BORROWER_USCC
        assert cipher.decrypt(row["name"], "monitoring_borrowers.name") == PERSON
        assert row["uscc_bidx"] == cipher.blind_index(BORROWER_USCC, "uscc")
        reject = conn.execute(text("SELECT detail, raw FROM monitoring_rejects")).one()
        assert STRANGER_USCC not in reject.detail + reject.raw
        assert cipher.decrypt(reject.detail, "monitoring_rejects.detail") == f"uscc {STRANGER_USCC}"
    eng.dispose()
