"""Tamper matrix (issue 13, defect 7): every covered state table × edit / insert / delete made
directly in the database, as a database owner would, is named by `audit verify` — table, row
and, for an edit, the field.

The state comes from the real flows over HTTP (an application, its offer, the accepted loan and
its installments and journal, a repayment, two officers and an executed role change), so the
test also shows that every writer on those paths leaves evidence: before tampering, `audit
verify` is clean. Each tamper runs in a transaction that is verified and rolled back.

Small (CI): one chosen field per table (the edits the attack found: principal × 10, the rate,
interest due = 0, the offer rate, the application status, an officer made administrator, an
approval flipped to approved, a journal amount), one insert and one delete per table.
RELIABILITY_FULL=1: every column of every table is edited in turn.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from creditfactory.adapters.storage.audit_store import (
    SqlAuditStore,
    read_snapshot,
    row_digesters,
)
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.state_digesters import COVERED
from creditfactory.audit import Finding, verify_log
from creditfactory.kernel.ids import RandomIds
from tests.e2e.conftest import _cipher, application, make_api  # noqa: F401 (fixtures)
from tests.pg import own_database, postgres_url

FULL = os.environ.get("RELIABILITY_FULL") == "1"

# the fields each table's small-matrix edits change, and how (SQL over the column): the edits
# the attack in issue 13 made, one at least per table
EDITS: dict[str, list[tuple[str, str]]] = {
    "loans": [("principal_minor", "principal_minor * 10"), ("annual_rate", "'0.0010'")],
    "installments": [("interest_due_minor", "0")],
    "offers": [("annual_rate", "'0.0100'")],
    "applications": [("status", "'declined'")],
    "approvals": [("status", "'approved'")],
    "officers": [("role", "'administrator'")],
    "journal_entries": [("reference", "'forged'")],
    "postings": [("amount_minor", "amount_minor * 10")],
    "idempotency_keys": [("response", "response || ' '")],
    "api_keys": [("channel_id", "'another-channel'")],
    "officer_sessions": [("expires_at", "created_at")],
    "consents": [("withdrawn_at", "given_at")],
    # a branch hung under another widens that branch's officers' scope (issue 14)
    "branches": [("parent_id", "branch_id")],
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A fresh SQLite database per run; on PostgreSQL (DATABASE_URL_PG) a fresh database of its
    own, `<that database>_tamper`, dropped and re-created each run: `_a_row` tampers with the
    first row of each table, so it must be a row this module wrote (in the shared database it
    was another test's declined application, and "set status to declined" changed nothing)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tamper') / 'tamper.sqlite3'}"
    else:
        url = own_database(postgres_url(), "tamper", fresh=True)
    eng = make_engine(url)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


def _officer(api: Any, role: str) -> str:
    security = api.client.app.state.security
    name = RandomIds().new("u")[-16:]
    officer_id = str(security.create_officer(name, "pw-" + name, role, datetime.now(UTC)))
    api.tokens[officer_id] = security.login(name, "pw-" + name)
    return officer_id


_STATE: dict[int, dict[str, Any]] = {}


@pytest.fixture
def state(engine: Engine, make_api: Callable[..., Any]) -> dict[str, Any]:  # noqa: F811
    """Rows in every covered table, written by the application's own flows (once per run)."""
    if id(engine) not in _STATE:
        _STATE[id(engine)] = _write_state(make_api(engine))
    return _STATE[id(engine)]


def _write_state(api: Any) -> dict[str, Any]:
    body = {**application(), "auto_accept": False}
    applied = api.post("/api/v1/applications", body, RandomIds().new("k")).json()
    assert applied["status"] == "approved", applied
    accepted = api.post(f"/api/v1/offers/{applied['offer']['offer_id']}/accept", {})
    assert accepted.status_code == 200, accepted.text
    loan_id = accepted.json()["loan_id"]
    paid = api.post(f"/api/v1/loans/{loan_id}/repayments", {"amount": "1000.00"}, "pay-1")
    assert paid.status_code == 200, paid.text
    admin_a, admin_b = _officer(api, "administrator"), _officer(api, "administrator")
    target = _officer(api, "analyst")
    item = {"kind": "role_change", "subject": f"officer:{target}", "params": {"role": "auditor"}}
    approval_id = api.officer("POST", "/api/v1/approvals", admin_a, item).json()["approval_id"]
    assert api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", admin_b, {}).is_success
    done = api.officer(
        "PUT", f"/api/v1/officers/{target}/role", admin_a, {"approval_id": approval_id}
    )
    assert done.status_code == 200, done.text
    consent = api.post(
        "/api/v1/consents",
        {"applicant": application()["applicant"], "purpose": "credit_application",
         "consent": {"categories": ["tax"], "version": "auth-2024-01"}},
        "consent-1",
    )  # fmt: skip
    assert consent.status_code == 200, consent.text
    consent_id = consent.json()["consent_id"]
    withdrawn = api.post(f"/api/v1/consents/{consent_id}/withdraw", {}, "withdraw-1")
    assert withdrawn.status_code == 200, withdrawn.text
    ids = [loan_id, applied["application_id"], applied["offer"]["offer_id"], approval_id, target]
    return {"loan_id": loan_id, "ids": ids, "withdrawn_consent": consent_id}


def _verify(conn: Connection) -> list[Finding]:
    return list(verify_log(SqlAuditStore(conn), digesters=row_digesters(conn)).findings)


def _pk(table: str) -> list[str]:
    return [c.name for c in COVERED[table][0].primary_key.columns]


def _a_row(conn: Connection, table: str) -> dict[str, Any]:
    row = conn.execute(text(f"SELECT * FROM {table} ORDER BY 1 LIMIT 1")).mappings().first()
    assert row is not None, f"the flows wrote no {table} row"
    return dict(row)


def _where(table: str, row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cols = _pk(table)
    return " AND ".join(f"{c} = :k_{c}" for c in cols), {f"k_{c}": row[c] for c in cols}


def _name(table: str, row: dict[str, Any]) -> str:
    return f"{table} " + "/".join(str(row[c]) for c in _pk(table))


def _tampered(engine: Engine, change: Callable[[Connection], str]) -> tuple[str, list[Finding]]:
    """Run `change` (returns what should be named), verify on the same transaction, roll back;
    the findings the tamper added."""
    with engine.connect() as conn:
        before = _verify(conn)
        conn.rollback()
        conn.begin()
        _unguard(conn)
        expected = change(conn)
        found = _verify(conn)
        conn.rollback()
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys = ON"))
            conn.commit()
    return expected, [f for f in found if f not in before]


def _unguard(conn: Connection) -> None:
    """What a database owner does first: drop the append-only triggers (journal, audit) and
    defer foreign keys (rolled back with the tamper)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("PRAGMA foreign_keys = OFF"))  # first: it is a no-op in a transaction
        # the driver opens a transaction only before DML: without this BEGIN the DROP TRIGGERs
        # below were committed at once, and later tests ran on a database without its guards
        conn.exec_driver_sql("BEGIN")
        triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        for (name,) in triggers.all():
            conn.execute(text(f"DROP TRIGGER {name}"))
    else:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers, no FKs


def _named(found: list[Finding], expected: str, kind: str) -> bool:
    return any(f.kind == kind and f.detail.startswith(expected) for f in found)


def _different(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, Decimal):
        return value + 1
    if isinstance(value, str):  # same length: the column's limit still holds
        return value[:-1] + ("y" if value.endswith("x") else "x")
    if isinstance(value, (date, datetime)):
        return value + timedelta(days=1)
    return None  # NULL: which value would be "different" depends on the column; not edited


def test_defect_07_every_writer_leaves_evidence(engine: Engine, state: dict[str, Any]) -> None:
    with engine.connect() as conn:
        found = _verify(conn)
        assert found == []  # a fresh database of this module's own: nothing at all
        for table in COVERED:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0, table


@pytest.mark.parametrize("table", list(COVERED))
def test_defect_07_direct_edit_is_named(
    engine: Engine,
    state: dict[str, Any],
    table: str,
) -> None:
    with engine.connect() as conn:
        row = _a_row(conn, table)
    columns = EDITS[table]
    if FULL:
        columns = [(c, "") for c in row if c not in _pk(table)]
    named = 0
    for column, sql in columns:
        value = _different(row[column]) if not sql else None
        if not sql and value is None:
            continue

        def change(
            conn: Connection, column: str = column, sql: str = sql, value: Any = value
        ) -> str:
            where, keys = _where(table, row)
            new = sql or ":v"
            conn.execute(
                text(f"UPDATE {table} SET {column} = {new} WHERE {where}"), {**keys, "v": value}
            )
            now = conn.execute(text(f"SELECT {column} FROM {table} WHERE {where}"), keys)
            assert now.scalar_one() != row[column], f"{column}: the edit changed nothing"
            return _name(table, row)

        expected, found = _tampered(engine, change)
        assert _named(found, expected, "row_edited"), (column, found)
        detail = next(f.detail for f in found if f.detail.startswith(expected))
        assert column in detail.split("field ", 1)[1], detail
        named += 1
    print(f"tamper matrix: {engine.dialect.name} {table}: {named} edits named")  # -s: figures
    assert named >= len(EDITS[table])


@pytest.mark.parametrize("table", list(COVERED))
def test_defect_07_direct_insert_is_named(
    engine: Engine, state: dict[str, Any], table: str
) -> None:
    def change(conn: Connection) -> str:
        row = _a_row(conn, table)
        copy = {k: v for k, v in row.items() if k != "posting_id"}
        if table == "installments":
            copy["seq"] = 999  # an extra installment on a real loan
        elif table != "postings":
            copy[_pk(table)[0]] += "_forged"
        if table == "applications":
            copy["idempotency_key"] += "_forged"
        if table == "offers":
            copy["loan_id"] = copy["application_id"] = None
        if table == "officers":
            copy["username"] += "_forged"
        if table == "approvals":
            copy["open_subject"] = None
        cols = ", ".join(copy)
        conn.execute(
            text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in copy)})"),
            copy,
        )
        if table == "postings":
            last = conn.execute(text("SELECT max(posting_id) FROM postings")).scalar_one()
            return f"postings {last}"
        return _name(table, copy)

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_unrecorded"), found


def test_defect_07_balanced_journal_entry_inserted_by_hand(
    engine: Engine, state: dict[str, Any]
) -> None:
    def change(conn: Connection) -> str:
        entry = _a_row(conn, "journal_entries")
        forged = {**entry, "entry_id": "je_forged", "reverses": None}
        conn.execute(
            text(
                "INSERT INTO journal_entries (entry_id, business_date, event, reference, "
                "reverses, posted_at) VALUES (:entry_id, :business_date, :event, :reference, "
                ":reverses, :posted_at)"
            ),
            forged,
        )
        for amount in (100_00, -100_00):
            conn.execute(
                text(
                    "INSERT INTO postings (entry_id, account, subledger, amount_minor, currency) "
                    "VALUES ('je_forged', '1001', 'cash', :a, 'CNY')"
                ),
                {"a": amount},
            )
        return "journal_entries je_forged"

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_unrecorded"), found


@pytest.mark.parametrize("table", list(COVERED))
def test_defect_07_direct_delete_is_named(
    engine: Engine, state: dict[str, Any], table: str
) -> None:
    def change(conn: Connection) -> str:
        row = _a_row(conn, table)
        where, keys = _where(table, row)
        conn.execute(text(f"DELETE FROM {table} WHERE {where}"), keys)
        return _name(table, row)

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_missing"), found


def test_defect_07_matrix_covers_the_issue_tables() -> None:
    # the tables the issue names (roles live on officers.role); the journal for inserted entries
    assert set(COVERED) == {"loans", "installments", "offers", "applications", "approvals",
                            "officers", "journal_entries", "postings",
                            "idempotency_keys", "api_keys", "officer_sessions",
                            "consents", "branches"}  # fmt: skip


def test_defect_07_stored_replay_response_edit_is_named(
    engine: Engine, state: dict[str, Any]
) -> None:
    # the attack: the stored response a retry of the repayment is answered with, edited to
    # show the loan closed; verify names table, row and the field `response`
    with engine.connect() as conn:
        row = dict(
            conn.execute(text("SELECT * FROM idempotency_keys WHERE key LIKE '%pay-1'"))
            .mappings()
            .one()
        )
    assert "active" in row["response"], row

    def change(conn: Connection) -> str:
        conn.execute(
            text(
                "UPDATE idempotency_keys SET response = replace(response, 'active', 'closed') "
                "WHERE key LIKE '%pay-1'"
            )
        )
        return _name("idempotency_keys", row)

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_edited"), found
    detail = next(f.detail for f in found if f.detail.startswith(expected))
    assert "response" in detail.split("field ", 1)[1], detail


def test_defect_07_audit_verify_on_a_missing_database_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from creditfactory.adapters.cli import main as cli_main

    missing = tmp_path / "nowhere" / "cf.sqlite3"
    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", f"sqlite:///{missing}")
    for args in (["audit", "verify"], ["audit", "head"], ["servicing", "trial-balance"]):
        monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
        with pytest.raises(SystemExit) as exc:
            cli_main.main()
        err = capsys.readouterr().err
        assert exc.value.code == 2 and err.count("\n") == 1 and "database" in err, (args, err)
    assert not missing.parent.exists()


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    import sys

    from creditfactory.adapters.cli import main as cli_main

    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    with pytest.raises(SystemExit) as exc:
        cli_main.main()
    return exc.value.code or 0, capsys.readouterr().out


def test_defect_07_committed_edit_named_by_verify_and_reconcile(
    engine: Engine,
    state: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the CLI contract on a copy of the database where the edit was committed: `audit verify`
    # names table, row and field; `servicing reconcile` names the loan and account it broke
    if engine.dialect.name != "sqlite":
        pytest.skip("the committed copy is a SQLite file")
    import shutil

    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    copy = tmp_path / "tampered.sqlite3"
    shutil.copy(engine.url.database or "", copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", url)
    assert _cli(monkeypatch, capsys, "servicing", "reconcile")[0] == 0
    assert _cli(monkeypatch, capsys, "audit", "verify")[0] == 0
    loan_id = state["loan_id"]
    tampered = make_engine(url)
    with tampered.begin() as conn:
        conn.execute(
            text("UPDATE loans SET principal_minor = principal_minor * 10 WHERE loan_id = :k"),
            {"k": loan_id},
        )
    tampered.dispose()
    code, out = _cli(monkeypatch, capsys, "audit", "verify")
    assert code == 1 and f"loans {loan_id}: field principal_minor differs" in out, out
    code, out = _cli(monkeypatch, capsys, "servicing", "reconcile", "--format", "json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert [(b["loan_id"], b["account"]) for b in report["breaks"]] == [(loan_id, "1301")]


def test_defect_07_verify_during_live_writes_is_clean(
    engine: Engine,
    state: dict[str, Any],
    make_api: Callable[..., Any],  # noqa: F811 (the imported fixture)
) -> None:
    # verify reads the log and the rows in one snapshot: applications committed while it runs
    # are neither half-seen nor reported as unrecorded
    import threading

    api = make_api(engine)
    with engine.connect() as conn:
        read_snapshot(conn)
        before = _verify(conn)
    done = threading.Event()

    def traffic() -> None:
        for n in range(12):
            api.post("/api/v1/applications", application(), f"live-{n}-{RandomIds().new('k')}")
        done.set()

    writer = threading.Thread(target=traffic)
    writer.start()
    runs = []
    while not done.is_set():
        with engine.connect() as conn:
            read_snapshot(conn)
            runs.append(_verify(conn))
    writer.join()
    assert runs and all(found == before for found in runs), runs


def test_defect_03_revived_session_is_refused_and_named(
    engine: Engine,
    state: dict[str, Any],
    make_api: Callable[..., Any],  # noqa: F811
) -> None:
    # attack13 finding 3: `revoked_at = NULL` brought a signed-out bearer token back (401 → 200).
    # The database refuses the edit; an owner who drops the trigger first is named by verify
    api = make_api(engine)
    who = _officer(api, "auditor")
    token = api.tokens[who]
    assert api.client.app.state.security.logout(token)
    assert api.officer("GET", "/api/v1/approvals", who).status_code == 401
    session_id = api.client.app.state.security._claims(token)[1]
    revive = text("UPDATE officer_sessions SET revoked_at = NULL WHERE session_id = :s")
    with pytest.raises(DBAPIError, match="revoked session stays revoked"):
        with engine.begin() as conn:
            conn.execute(revive, {"s": session_id})
    assert api.officer("GET", "/api/v1/approvals", who).status_code == 401

    def change(conn: Connection) -> str:
        conn.execute(revive, {"s": session_id})
        return f"officer_sessions {session_id}"

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_edited"), found
    assert "revoked_at" in next(f.detail for f in found if f.detail.startswith(expected))


def test_defect_03_hand_inserted_api_key_is_named(engine: Engine, state: dict[str, Any]) -> None:
    # the attack: a row (key_id, channel, sha256(secret)) inserted by hand worked at once as a
    # channel credential; verify names it (row_unrecorded)
    def change(conn: Connection) -> str:
        conn.execute(
            text(
                "INSERT INTO api_keys (key_id, channel_id, key_hash, active, created_at) "
                "VALUES ('handmade0000', 'demo-channel', :h, :t, :at)"
            ),
            {"h": hashlib.sha256(b"secret").hexdigest(), "t": True, "at": datetime.now(UTC)},
        )
        return "api_keys handmade0000"

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_unrecorded"), found


def test_defect_03_revived_consent_is_named(engine: Engine, state: dict[str, Any]) -> None:
    # the attack: `withdrawn_at = NULL` brought a withdrawn consent back
    consent_id = state["withdrawn_consent"]

    def change(conn: Connection) -> str:
        conn.execute(
            text("UPDATE consents SET withdrawn_at = NULL WHERE consent_id = :c"), {"c": consent_id}
        )
        return f"consents {consent_id}"

    expected, found = _tampered(engine, change)
    assert _named(found, expected, "row_edited"), found
    assert "withdrawn_at" in next(f.detail for f in found if f.detail.startswith(expected))
