"""Sessions and browser hardening (issue 13 defect 9), against the OWASP Secure Headers Project
and CSRF Prevention Cheat Sheet: security headers on every answer, HSTS and a `Secure` cookie in
production, sign-out ends the session on the server, cookie-authenticated unsafe requests need
this site's Origin and the session's anti-CSRF token."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from creditfactory.adapters.api.main import create_app
from tests.e2e.conftest import SyncClient, _cipher, make_api, sqlite_engine

__all__ = ["_cipher", "make_api", "sqlite_engine"]  # fixtures used here

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SITE = {"Origin": "http://t"}  # the test client's base URL: same origin


def _officer(api: Any, role: str = "approver") -> tuple[str, str]:
    name = "s" + uuid.uuid4().hex[:12]
    api.client.app.state.security.create_officer(name, "pw-" + name, role, datetime.now(UTC))
    return name, "pw-" + name


def _sign_in(client: SyncClient, name: str, password: str) -> str:
    answer = client.post(
        "/login", content=f"username={name}&password={password}", headers={**FORM, **SITE}
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["set-cookie"].split("cf_session=", 1)[1].split(";", 1)[0])


def _csrf(client: SyncClient, token: str) -> str:
    page = client.get("/", headers={"Cookie": f"cf_session={token}"})
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert found, "the console's sign-out form carries the token"
    return found.group(1)


def test_defect_09_security_headers_on_every_answer(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    name, password = _officer(api)
    token = _sign_in(api.client, name, password)
    answers = [
        api.client.get("/", headers={"Cookie": f"cf_session={token}"}),  # console page
        api.client.get("/login"),
        api.client.get("/api/v1/loans/nope", headers={"X-API-Key": api.key}),  # 404
        api.client.get("/api/v1/referrals"),  # 401
        api.client.post("/api/v1/applications", content=b"x" * 1_100_000),  # 413
        api.client.get("/docs"),
    ]
    for answer in answers:
        headers = answer.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], answer.url
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in headers  # not in development
    policy = answers[0].headers["content-security-policy"]  # the workbench: its own files only
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_defect_09_production_pins_tls_and_secures_the_cookie(
    sqlite_engine: Any, make_api: Any
) -> None:
    """Behind a TLS proxy the app sees http://; before, the cookie then lacked `Secure`."""
    api = make_api(sqlite_engine)
    app = create_app(api.client.app.state.deps, sqlite_engine, "test-secret", production=True)
    client = SyncClient(app)
    name = "p" + uuid.uuid4().hex[:12]
    app.state.security.create_officer(name, "pw-" + name, "approver", datetime.now(UTC))
    answer = client.post("/login", content=f"username={name}&password=pw-{name}", headers=FORM)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert answer.headers["strict-transport-security"].startswith("max-age=63072000")


def test_defect_09_sign_out_ends_the_session_on_the_server(
    sqlite_engine: Any, make_api: Any
) -> None:
    """Before: the token stayed valid for 8 hours after /logout (only the cookie was cleared)."""
    api = make_api(sqlite_engine)
    name, password = _officer(api)
    token = _sign_in(api.client, name, password)
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/referrals", headers=bearer).status_code == 200
    csrf = _csrf(api.client, token)
    out = api.client.post(
        "/logout", content=f"csrf_token={csrf}",
        headers={**FORM, **SITE, "Cookie": f"cf_session={token}"},
    )  # fmt: skip
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert api.client.get("/api/v1/referrals", headers=bearer).status_code == 401
    page = api.client.get("/", headers={"Cookie": f"cf_session={token}", "Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_defect_09_bearer_token_sign_out_ends_it(sqlite_engine: Any, make_api: Any) -> None:
    """Before: an API client had no sign-out (the console's /logout reads only the cookie: a
    bearer token posted there stayed valid). POST /api/v1/officers/logout ends that token's
    session at once and no other."""
    api = make_api(sqlite_engine)
    name, password = _officer(api, "administrator")
    login = {"username": name, "password": password}
    tokens = [
        api.client.post("/api/v1/officers/login", json=login).json()["access_token"]
        for _ in range(2)
    ]
    bearer, other = ({"Authorization": f"Bearer {t}"} for t in tokens)
    assert api.client.get("/api/v1/officers", headers=bearer).status_code == 200
    out = api.client.post("/api/v1/officers/logout", headers=bearer)
    assert out.status_code == 204 and out.content == b""
    assert api.client.get("/api/v1/officers", headers=bearer).status_code == 401
    assert api.client.get("/api/v1/officers", headers=other).status_code == 200
    again = api.client.post("/api/v1/officers/logout", headers=bearer)
    assert again.status_code == 204  # signing out never fails


def test_defect_09_revocation_ends_every_session_of_the_officer(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    security = api.client.app.state.security
    name, password = _officer(api)
    tokens = [security.login(name, password), security.login(name, password)]
    assert security.revoke_sessions(name, "cli:test", "token leaked in a ticket") == 2
    for token in tokens:
        answer = api.client.get("/api/v1/referrals", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401


@pytest.mark.parametrize(
    ("origin", "with_token", "field"),
    [
        ({}, True, "Origin"),  # neither Origin nor Referer
        ({"Origin": "https://evil.example"}, True, "Origin"),
        ({"Referer": "https://evil.example/page"}, True, "Origin"),
        (SITE, False, "X-CSRF-Token"),
    ],
    ids=["no-origin", "cross-origin", "cross-referer", "no-token"],
)
def test_defect_09_cookie_requests_need_this_site_and_the_token(
    sqlite_engine: Any, make_api: Any, origin: dict[str, str], with_token: bool, field: str
) -> None:
    """Before: no CSRF token and no Origin check — a cross-site form could act as the officer."""
    api = make_api(sqlite_engine)
    name, password = _officer(api, "analyst")
    token = _sign_in(api.client, name, password)
    csrf = _csrf(api.client, token)
    body = {"kind": "write_off", "subject": "loan:nope", "params": {"business_date": "2025-01-01"}}
    cookie = {"Cookie": f"cf_session={token}", **origin}
    if with_token:
        cookie["X-CSRF-Token"] = csrf
    refused = api.client.post("/api/v1/approvals", json=body, headers=cookie)
    assert refused.status_code == 403 and refused.json()["field"] == field, refused.text
    good = {"Cookie": f"cf_session={token}", "X-CSRF-Token": csrf, **SITE}
    assert api.client.post("/api/v1/approvals", json=body, headers=good).status_code != 403
    logout = api.client.post(
        "/logout", content="csrf_token=" + ("0" * 64),
        headers={**FORM, **SITE, "Cookie": f"cf_session={token}"},
    )  # fmt: skip
    assert logout.status_code == 403  # a forged sign-out keeps the session
    assert api.client.get("/api/v1/referrals", headers=good).status_code == 200


def test_defect_09_a_cross_site_sign_in_is_refused(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    name, password = _officer(api)
    answer = api.client.post(
        "/login", content=f"username={name}&password={password}",
        headers={**FORM, "Origin": "https://evil.example"},
    )  # fmt: skip
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
