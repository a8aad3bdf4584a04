"""Row evidence continuity (issue 13, defect 7; attack13 findings 1 and 2): an edit made by hand
between two legitimate writes of a row stays named after the second write. Before, `audit verify`
compared a row only with its newest leaf, and the next repayment or end of day recorded whatever
it found — the edit became attested state. SQLite, and PostgreSQL (a database of its own,
`<DATABASE_URL_PG's database>_evchain`, fresh each run) when DATABASE_URL_PG is set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.audit import Finding, verify_log
from creditfactory.kernel.ids import RandomIds
from creditfactory.servicing.services import business_date
from tests.e2e.conftest import _cipher, application, make_api  # noqa: F401 (fixtures)
from tests.pg import own_database, postgres_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A fresh database per run: each test edits committed rows, which no other suite may meet."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('evchain') / 'evchain.sqlite3'}"
    else:
        url = own_database(postgres_url(), "evchain", fresh=True)
    eng = make_engine(url)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


def _verify(engine: Engine) -> list[Finding]:
    with engine.connect() as conn:
        return list(verify_log(SqlAuditStore(conn), digesters=row_digesters(conn)).findings)


def _loan(api: Any) -> str:
    body = {**application(), "auto_accept": False}
    applied = api.post("/api/v1/applications", body, RandomIds().new("k")).json()
    assert applied["status"] == "approved", applied
    accepted = api.post(f"/api/v1/offers/{applied['offer']['offer_id']}/accept", {})
    assert accepted.status_code == 200, accepted.text
    return str(accepted.json()["loan_id"])


def _edit(engine: Engine, sql: str, **params: Any) -> None:
    """A committed edit by the database owner (triggers are not in the way of these tables)."""
    with engine.begin() as conn:
        assert conn.execute(text(sql), params).rowcount == 1


def _today(api: Any) -> str:
    """The business date (the China day) of the app's clock."""
    return business_date(api.client.app.state.deps.clock).isoformat()


def _named(found: list[Finding], start: str, kind: str, field: str) -> bool:
    return any(f.kind == kind and f.detail.startswith(start) and field in f.detail for f in found)


def _repay(api: Any, loan_id: str, key: str) -> None:
    paid = api.post(f"/api/v1/loans/{loan_id}/repayments", {"amount": "1.00"}, key)
    assert paid.status_code == 200, paid.text


def test_defect_07_edit_then_normal_write_is_still_named(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811
) -> None:
    # attack13 finding 1, the repayment reproduction: rate edited, then the owner channel pays
    api = make_api(engine)
    loan_id = _loan(api)
    before = _verify(engine)
    _edit(engine, "UPDATE loans SET annual_rate = '0.0001' WHERE loan_id = :k", k=loan_id)
    _repay(api, loan_id, RandomIds().new("pay"))
    found = [f for f in _verify(engine) if f not in before]
    assert _named(found, f"loans {loan_id}: field annual_rate edited between leaf", "row_edited",
                  "loan.repayment_posted"), found  # fmt: skip
    assert all(f.detail.startswith(f"loans {loan_id}") for f in found), found


def test_defect_07_edit_then_end_of_day_is_still_named(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811
) -> None:
    # attack13 finding 1, the end-of-day reproduction: principal ×10 on one loan, interest due
    # zeroed on another's installment, then the nightly run rewrites every active loan
    api = make_api(engine)
    loan_a, loan_b = _loan(api), _loan(api)
    _edit(engine, "UPDATE loans SET principal_minor = principal_minor * 10 WHERE loan_id = :k",
          k=loan_a)  # fmt: skip
    _edit(engine, "UPDATE installments SET interest_due_minor = 0 WHERE loan_id = :k AND seq = 2",
          k=loan_b)  # fmt: skip
    before = _verify(engine)
    done = api.officer("POST", "/api/v1/end-of-day", "approver", {"business_date": _today(api)})
    assert done.status_code == 200 and done.json()["loans_closed"] >= 2, done.text
    after = _verify(engine)
    found = [f for f in after if f not in before]
    assert _named(found, f"loans {loan_a}: field principal_minor edited between", "row_edited",
                  "eod.batch_closed"), found  # fmt: skip
    # whether or not the run rewrote that installment, its edit is still named
    assert _named(after, f"installments {loan_b}/2: field interest_due_minor", "row_edited",
                  "leaf"), after  # fmt: skip


def _posted_with(engine: Engine, loan_id: str, key: str) -> int:
    """How many repayment leaves of `loan_id` carry `key` (the money effects of that key)."""
    import json

    query = text("SELECT payload FROM audit_entries WHERE subject = :s AND action = :a")
    with engine.connect() as conn:
        rows = conn.execute(query, {"s": loan_id, "a": "loan.repayment_posted"}).all()
    return sum(key in json.loads(p).get("idempotency_key", "") for (p,) in rows)


def test_defect_07_deleted_key_row_then_retry_posts_once(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811
) -> None:
    # attack13 finding 2: the key row deleted by hand, then a retry with the same key and body.
    # Before: 200 and a second loan.repayment_posted, and verify said nothing (the retry
    # rewrote the row). Now the effect carries its key: 409 field idempotency_key, one posting,
    # an idempotency.replay_refused alert, and the deleted row named.
    api = make_api(engine)
    loan_id = _loan(api)
    key = RandomIds().new("pay")
    _repay(api, loan_id, key)
    before = _verify(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM idempotency_keys WHERE key LIKE :k"), {"k": f"%{key}"})
    retry = api.post(f"/api/v1/loans/{loan_id}/repayments", {"amount": "1.00"}, key)
    assert (retry.status_code, retry.json()["field"]) == (409, "idempotency_key"), retry.text
    assert _posted_with(engine, loan_id, key) == 1
    with engine.connect() as conn:
        alerts = conn.execute(
            text("SELECT count(*) FROM audit_entries WHERE action = 'idempotency.replay_refused'"
                 " AND subject LIKE :k"), {"k": f"%{key}"}
        ).scalar_one()  # fmt: skip
    assert alerts == 1
    found = [f for f in _verify(engine) if f not in before]
    assert any(
        f.kind == "row_missing" and f.detail.startswith("idempotency_keys ") and key in f.detail
        for f in found
    ), found


def test_defect_07_legitimate_writes_keep_continuity(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811
) -> None:
    # no false alarm: many writes of the same rows (repayments, end of day, retries) in a row
    api = make_api(engine)
    before = _verify(engine)
    loan_id = _loan(api)
    for n in range(3):
        key = RandomIds().new(f"pay{n}")
        _repay(api, loan_id, key)
        _repay(api, loan_id, key)  # the retry: the stored answer, no write
    eod = {"business_date": _today(api)}
    assert api.officer("POST", "/api/v1/end-of-day", "approver", eod).is_success
    assert [f for f in _verify(engine) if f not in before] == []


def _leaf_rows(conn: Connection, loan_id: str) -> list[Any]:
    """The evidence rows the leaves carry for `loan_id`'s loan row, in log order."""
    import json

    rows: list[Any] = []
    for (payload,) in conn.execute(text("SELECT payload FROM audit_entries ORDER BY sequence")):
        block = json.loads(payload).get("row_evidence", {}).get("loans", {"rows": []})
        rows += [r for r in block["rows"] if r[0] == [loan_id]]
    return rows


def test_defect_07_each_write_records_the_row_it_found(
    engine: Engine,
    make_api: Callable[..., Any],  # noqa: F811
) -> None:
    # the format (docs/audit.md): [key, digest, fields, before]; before of the first write is
    # null (an INSERT), and each later before is the previous leaf's version
    api = make_api(engine)
    loan_id = _loan(api)
    _repay(api, loan_id, RandomIds().new("pay"))
    with engine.connect() as conn:
        rows = _leaf_rows(conn, loan_id)
    assert len(rows) >= 2 and rows[0][3] is None, rows
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row[3] == [previous[1], previous[2]], (previous, row)
