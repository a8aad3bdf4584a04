"""Maker-checker bypass attempts over HTTP (same user, second open item, direct call to the
checked action) and the happy paths of a role change and a write-off; login throttling with a
FixedClock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from creditfactory.access import DEFAULT_ACCESS, LoginThrottle, LoginThrottled
from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.api.security import Security
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.servicing.services import business_date
from tests.e2e.conftest import application
from tests.reliability.book import non_performing


def _officers(api: Any, *roles: str) -> list[tuple[str, str]]:
    security = api.client.app.state.security
    out = []
    for role in roles:
        name = RandomIds().new("u")[-16:]
        officer_id = security.create_officer(name, "pw-" + name, role, datetime.now(UTC))
        api.tokens[officer_id] = security.login(name, "pw-" + name)
        out.append((officer_id, name))
    return out


def test_role_change_needs_a_second_administrator(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    (a, _), (b, _) = _officers(api, "administrator", "administrator")
    created = api.officer("POST", "/api/v1/officers", a,
                          {"username": RandomIds().new("n")[-12:], "password": "long-password-1"})  # fmt: skip
    target = created.json()["officer_id"]
    body = {"kind": "role_change", "subject": f"officer:{target}", "params": {"role": "auditor"}}
    item = api.officer("POST", "/api/v1/approvals", a, body)
    assert item.status_code == 200, item.text
    approval_id = item.json()["approval_id"]
    assert api.officer("POST", "/api/v1/approvals", b, body).status_code == 409  # second item
    own = api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", a, {})
    assert own.status_code == 403 and own.json()["field"] == "officer_id"  # same user
    direct = api.officer("PUT", f"/api/v1/officers/{target}/role", a, {})
    assert direct.status_code == 403  # no approved item
    early = api.officer("PUT", f"/api/v1/officers/{target}/role", a, {"approval_id": approval_id})
    assert early.status_code == 403  # still pending
    queue = api.officer("GET", "/api/v1/approvals?status=pending", b).json()["data"]
    assert approval_id in {i["approval_id"] for i in queue}  # visible to checkers
    assert api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", b, {}).status_code == 200
    done = api.officer("PUT", f"/api/v1/officers/{target}/role", a, {"approval_id": approval_id})
    assert done.status_code == 200 and done.json()["role"] == "auditor"
    again = api.officer("PUT", f"/api/v1/officers/{target}/role", a, {"approval_id": approval_id})
    assert again.status_code == 403  # consumed once


def test_write_off_only_after_the_checker_approves(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    (maker, _), (checker, _) = _officers(api, "loan_officer", "credit_approver")
    loan_id = api.post("/api/v1/applications", application(), RandomIds().new("k")).json()[
        "loan_id"
    ]
    assert loan_id
    clock = api.client.app.state.deps.clock
    non_performing(sqlite_engine, clock, loan_id)  # only a 不良 loan is written off
    path = f"/api/v1/loans/{loan_id}/write-off"
    assert api.officer("POST", path, maker, {}).status_code == 403  # direct call
    body = {"kind": "write_off", "subject": f"loan:{loan_id}",
            "params": {"business_date": business_date(clock).isoformat()}}  # fmt: skip
    approval_id = api.officer("POST", "/api/v1/approvals", maker, body).json()["approval_id"]
    assert api.officer("POST", "/api/v1/approvals", checker, body).status_code == 409
    assert api.officer("POST", path, maker, {"approval_id": approval_id}).status_code == 403
    approve = api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", maker, {})
    assert approve.status_code == 403  # a loan officer may not check, and is the maker
    assert (
        api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", checker, {}).status_code
        == 200
    )
    written = api.officer("POST", path, maker, {"approval_id": approval_id})
    assert written.status_code == 200, written.text
    assert written.json()["status"] == "written_off"


def test_auditor_reads_audit_proofs_only(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from creditfactory.audit import check_bundle

    key = Ed25519PrivateKey.generate()
    api.client.app.state.signing_key = key
    ((auditor, _),) = _officers(api, "auditor")
    api.post("/api/v1/applications", application(), RandomIds().new("k"))
    head = api.officer("GET", "/api/v1/audit/head", auditor)
    assert head.status_code == 200 and head.json()["tree_size"] > 0
    bundle = api.officer("GET", "/api/v1/audit/entries/0/bundle", auditor)
    assert check_bundle(bundle.json(), key.public_key()).valid
    assert api.officer("GET", "/api/v1/audit/entries/99999999/proof", auditor).status_code == 404
    body = {"kind": "write_off", "subject": "loan:x", "params": {"business_date": "2025-01-01"}}
    assert api.officer("POST", "/api/v1/approvals", auditor, body).status_code == 403


def test_failed_logins_are_throttled_per_officer_and_address(sqlite_engine: Any) -> None:
    clock = FixedClock(datetime(2025, 3, 3, 9, tzinfo=UTC))
    security = Security(sqlite_engine, "s", clock, DEFAULT_ACCESS, LoginThrottle())
    name = RandomIds().new("t")[-12:]
    security.create_officer(name, "right-password", "loan_officer", clock.now())
    for _ in range(5):
        with pytest.raises(Unauthorized):
            security.login(name, "wrong", "10.0.0.1")
    with pytest.raises(LoginThrottled) as refused:  # even the right password, for a second
        security.login(name, "right-password", "10.0.0.2")
    assert refused.value.retry_after_s == 1  # a growing delay (tests/reliability), not a lock
    clock.advance(timedelta(seconds=1))
    assert security.login(name, "right-password", "10.0.0.2")
    address = f"10.9.{RandomIds().new('a')[-2:].encode().hex()[:2]}.1"
    for i in range(20):  # spread over users: the address limit still applies
        with pytest.raises(Unauthorized):
            security.login(f"nobody{i}", "wrong", address)
    with pytest.raises(LoginThrottled):
        security.login(name, "right-password", address)
