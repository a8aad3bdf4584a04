"""Stored idempotent responses are served only while intact (issue 13, N1 of the session-4
attack, listed under defect 7): a retry is answered with the response stored for its key, so a
database owner who edits that response (or moves another key's response onto it) could make the
server tell a caller anything. Each stored response carries a seal (an HMAC under the server
key, `IdempotencyRepository`); a retry whose response no longer matches it gets 409, nothing is
done again, and an `idempotency.replay_refused` audit leaf is the alert.

Before the seal, the server answered the retry with the edited body (200, "closed"):
`test_defect_07_edited_replay_response_is_not_served` failed on main 22f9bdb.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.repositories import REPLAY_REFUSED
from creditfactory.decisioning import digest
from creditfactory.kernel.idempotency import request_digest
from creditfactory.service_layer.origination_flow import (
    SubmitApplication,
    _request_body,
    submit_application,
)
from tests.e2e.conftest import Api, application
from tests.reliability.book import apply, effects_since, last_leaf, new_key


def _edit(engine: Engine, key: str, sql: str, **params: Any) -> None:
    """A database owner's edit of the stored row of `key` (any scope), committed."""
    with engine.begin() as db:
        db.execute(
            text(f"UPDATE idempotency_keys SET {sql} WHERE key = :key"), {**params, "key": key}
        )


def _refusals(engine: Engine, key: str) -> int:
    with engine.connect() as db:
        rows = db.execute(
            select(audit_entries.c.subject).where(audit_entries.c.action == REPLAY_REFUSED)
        ).scalars()
        return sum(1 for subject in rows if subject.endswith(key))


def _pay(api: Api, loan_id: str, key: str) -> Any:
    return api.post(f"/api/v1/loans/{loan_id}/repayments", {"amount": "900.00"}, key)


def _refused(answer: Any) -> None:
    assert answer.status_code == 409, answer.text
    problem = answer.json()
    assert problem["field"] == "idempotency_key", problem
    assert problem["title"] == "Stored response not served", problem


def test_defect_07_edited_replay_response_is_not_served(any_engine: Engine, make_api: Any) -> None:
    # the attack: the stored response of a repayment edited to show the loan closed; a retry
    # of the repayment got the forged body (200) instead of its first response
    api = make_api(any_engine)
    loan_id = apply(api)["loan_id"]
    key = new_key()
    first = _pay(api, loan_id, key)
    assert first.status_code == 200 and first.json()["status"] == "active", first.text
    stored_key = _stored_key(any_engine, key)
    _edit(any_engine, stored_key, "response = replace(response, 'active', 'closed')")
    mark = last_leaf(any_engine)
    retry = _pay(api, loan_id, key)
    _refused(retry)
    assert "closed" not in retry.text
    assert effects_since(any_engine, mark) == {REPLAY_REFUSED: 1}  # nothing posted again
    assert _refusals(any_engine, stored_key) == 1
    view = api.get(f"/api/v1/loans/{loan_id}").json()
    assert view["status"] == "active", view  # the loan itself never changed


def _stored_key(engine: Engine, key: str) -> str:
    with engine.connect() as db:
        found = db.execute(
            text("SELECT key FROM idempotency_keys WHERE key LIKE :k"), {"k": f"%:{key}"}
        ).scalar_one()
    return str(found)


def test_edited_application_replay_is_not_served(any_engine: Engine, make_api: Any) -> None:
    api = make_api(any_engine)
    key = new_key()
    body = application(uscc=_fresh_uscc())
    first = api.post("/api/v1/applications", body, key)
    assert first.status_code == 200, first.text
    stored_key = _stored_key(any_engine, key)
    _edit(
        any_engine,
        stored_key,
        "response = replace(response, :a, :b)",
        a='"disbursed"',
        b='"declined"',
    )
    mark = last_leaf(any_engine)
    _refused(api.post("/api/v1/applications", body, key))
    assert effects_since(any_engine, mark) == {REPLAY_REFUSED: 1}  # no second application


def test_a_response_moved_to_another_key_is_not_served(any_engine: Engine, make_api: Any) -> None:
    # the seal binds scope, key and request digest: another key's intact response and seal,
    # copied over this key's, do not pass
    api = make_api(any_engine)
    loan_id = apply(api)["loan_id"]
    one, two = new_key(), new_key()
    assert _pay(api, loan_id, one).status_code == 200
    assert _pay(api, loan_id, two).status_code == 200
    with any_engine.connect() as db:
        response, seal = db.execute(
            text("SELECT response, response_mac FROM idempotency_keys WHERE key = :k"),
            {"k": _stored_key(any_engine, one)},
        ).one()
    _edit(
        any_engine,
        _stored_key(any_engine, two),
        "response = :r, response_mac = :m",
        r=response,
        m=seal,
    )
    _refused(_pay(api, loan_id, two))
    assert _pay(api, loan_id, one).status_code == 200  # the intact one is still served


def _fresh_uscc() -> str:
    from creditfactory.origination.application import demo_uscc

    return demo_uscc(int(new_key()[:6], 16))


def test_an_application_stored_before_migration_0013_still_replays(
    tmp_path: Path, make_api: Any
) -> None:
    # applications claimed their key on their own row until 0013: the upgrade moves those keys
    # under the one mechanism, so a retry after it still gets the first response — never a
    # second application
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_schema(engine, "0012")
    body = application(uscc=_fresh_uscc())
    cmd = SubmitApplication(
        channel_id="ch_old", idempotency_key="k-old", **body["applicant"], amount=body["amount"],
        term_months=body["term_months"], declared=body["declared"],
    )  # fmt: skip
    old_digest = digest(_request_body(cmd))  # what the application row recorded
    with engine.begin() as db:
        db.execute(text(_OLD_APPLICATION), {"d": old_digest, "r": '{"application_id": "app_old"}'})
    upgrade_schema(engine)
    with engine.connect() as db:
        scope, key, stored_digest = db.execute(
            text("SELECT scope, key, request_digest FROM idempotency_keys")
        ).one()
    assert (scope, key) == ("application", "ch_old:k-old")
    assert stored_digest == request_digest({"request_digest": old_digest})
    deps = make_api(engine).client.app.state.deps
    assert submit_application(deps, cmd) == {"application_id": "app_old"}  # sealed, served
    with engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM applications")).scalar_one() == 1
    engine.dispose()


_OLD_APPLICATION = """
INSERT INTO applications (application_id, channel_id, idempotency_key, request_digest,
  applicant_type, applicant_name_enc, applicant_name_masked, subject_bidx, subject_id_enc,
  subject_masked, product_key, currency, requested_minor, term_months, status, response,
  submitted_at, updated_at, version)
VALUES ('app_old', 'ch_old', 'k-old', :d, 'enterprise', 'x', 'x', 'x', 'x', 'x', 'x', 'CNY',
  30000000, 12, 'declined', :r, '2026-03-01 01:00:00.000000', '2026-03-01 01:00:00.000000', 0)
"""
