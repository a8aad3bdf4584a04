"""Consent recording and withdrawal take an Idempotency-Key through THE idempotency mechanism
(issue 13, "What is still missing" 1 of session 4: consents took none, so a retried POST
/consents recorded a second consent). Concurrent duplicates are in
tests/reliability/test_concurrent_duplicates.py; here the contract: the header is required, a
retry answers the first consent id, the same key with another body is 409, another channel's
key is its own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from creditfactory.kernel.errors import ValidationError
from tests.e2e.conftest import application

CONSENT = {"categories": ["tax"], "version": "auth-2024-01"}


def _body(purpose: str = "credit_application") -> dict[str, Any]:
    return {"applicant": application()["applicant"], "purpose": purpose, "consent": CONSENT}


def _key() -> str:
    return uuid.uuid4().hex


def _stored(engine: Engine, consent_id: str) -> int:
    with engine.connect() as db:
        query = text("SELECT count(*) FROM consents WHERE consent_id = :i")
        return int(db.execute(query, {"i": consent_id}).scalar_one())


def test_a_retried_consent_is_recorded_once(sqlite_engine: Engine, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    key = _key()
    first = api.post("/api/v1/consents", _body(), key)
    assert first.status_code == 200, first.text
    again = api.post("/api/v1/consents", _body(), key)
    assert again.json() == first.json()  # before: a second consent with another id
    assert _stored(sqlite_engine, first.json()["consent_id"]) == 1
    other = api.post("/api/v1/consents", _body("limit_estimate"), key)
    assert (other.status_code, other.json()["field"]) == (409, "idempotency_key")


def test_consent_routes_require_the_key(sqlite_engine: Engine, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    given = api.post("/api/v1/consents", _body(), _key()).json()
    for path, body in (
        ("/api/v1/consents", _body()),
        (f"/api/v1/consents/{given['consent_id']}/withdraw", {}),
    ):
        for key in (None, "", "k" * 129):
            answer = api.post(path, body, key)
            assert (answer.status_code, answer.json()["field"]) == (422, "Idempotency-Key"), path


def test_a_retried_withdrawal_answers_the_first(sqlite_engine: Engine, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    consent_id = api.post("/api/v1/consents", _body(), _key()).json()["consent_id"]
    key = _key()
    path = f"/api/v1/consents/{consent_id}/withdraw"
    first = api.post(path, {}, key)
    assert first.json() == {"consent_id": consent_id, "withdrawn": True}
    assert api.post(path, {}, key).json() == first.json()
    assert _withdrawal_leaves(sqlite_engine, consent_id) == 1


def test_attack13_07_withdrawing_a_withdrawn_consent_again_has_no_second_effect(
    sqlite_engine: Engine, make_api: Any
) -> None:
    # 30 withdrawals of one consent with 30 keys wrote 30 `consent.withdrawn` leaves: now the
    # first withdraws, the others answer the same 200 and record nothing
    api = make_api(sqlite_engine)
    consent_id = api.post("/api/v1/consents", _body(), _key()).json()["consent_id"]
    path = f"/api/v1/consents/{consent_id}/withdraw"
    answers = [api.post(path, {}, _key()) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert all(a.json() == {"consent_id": consent_id, "withdrawn": True} for a in answers)
    assert _withdrawal_leaves(sqlite_engine, consent_id) == 1


def test_another_channels_key_is_its_own(sqlite_engine: Engine, make_api: Any) -> None:
    # keys are scoped by channel: channel B sending A's key records its own consent
    api = make_api(sqlite_engine)
    other = api.client.app.state.security.create_api_key("ch_keys_b", datetime.now(UTC))
    key = _key()
    mine = api.post("/api/v1/consents", _body(), key).json()["consent_id"]
    headers = {"X-API-Key": other, "Idempotency-Key": key}
    theirs = api.client.post("/api/v1/consents", json=_body(), headers=headers)
    assert theirs.status_code == 200 and theirs.json()["consent_id"] != mine


@pytest.mark.parametrize("channel", ["demo-channel:x", "a b", "", "c" * 65, "渠道"])
def test_attack13_08_channel_ids_cannot_carry_the_scope_separator(
    sqlite_engine: Engine, make_api: Any, channel: str
) -> None:
    # `users channel-key 'demo-channel:x'` was accepted: its key "collide1" met demo-channel's
    # key "x:collide1" in the scope "<channel>:<key>" and answered 409 for the other channel
    security = make_api(sqlite_engine).client.app.state.security
    with pytest.raises(ValidationError) as refused:
        security.create_api_key(channel, datetime.now(UTC))
    assert refused.value.field == "channel_id"
    assert security.create_api_key("demo-channel.x_1", datetime.now(UTC)).startswith("cfk_")


def _withdrawal_leaves(engine: Engine, consent_id: str) -> int:
    """How many `consent.withdrawn` audit leaves the consent has."""
    with engine.connect() as db:
        return int(
            db.execute(
                text("SELECT count(*) FROM audit_entries WHERE action = 'consent.withdrawn' "
                     "AND subject = :i"), {"i": consent_id}
            ).scalar_one()
        )  # fmt: skip
