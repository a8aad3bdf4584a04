"""The officers' pages refuse bad input as pages, never a 500 (issue 14): an unknown application
or customer is the 404 page, an unknown query parameter a 422 page naming it, a form without
the session's anti-CSRF token a 403, a recommendation that is neither approve nor decline a 422
re-showing the application with the refusal, a second recommendation a 409; the loan officer's
recommendation shows on the page with its note, escaped."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from creditfactory.adapters.gateways import HttpDataGateway
from creditfactory.origination import DataSources
from creditfactory.origination.application import demo_uscc
from tests.e2e.conftest import application

FORM = "application/x-www-form-urlencoded"


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("vendor too slow", request=request)


class Officer:
    """A signed-in browser session of one officer (cookie, CSRF token from the page)."""

    def __init__(self, api: Any, role: str) -> None:
        self.client = api.client
        name = f"{role[:4]}_{uuid.uuid4().hex[:8]}"
        api.client.app.state.security.create_officer(name, f"pw-{name}-long", role,
                                                     datetime.now(UTC))  # fmt: skip
        signed = api.client.post("/login", content=f"username={name}&password=pw-{name}-long",
                                 headers={"Content-Type": FORM})  # fmt: skip
        self.cookie = signed.headers["set-cookie"].split(";", 1)[0]

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers={"Cookie": self.cookie})

    def post(self, path: str, form: str, csrf: bool = True) -> httpx.Response:
        token = ""
        if csrf:
            page = self.get("/customers")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return self.client.post(path, content=f"{form}&csrf_token={token}",
                                headers={"Cookie": self.cookie, "Content-Type": FORM,
                                         "Origin": "http://t"})  # fmt: skip


def _referred(api: Any) -> str:
    body = application(uscc=demo_uscc(secrets.randbelow(10**8)), name="错误页面测试有限公司")
    body["consent"] = {"categories": ["tax"], "version": "auth-2024-01"}
    answer = api.post("/api/v1/applications", body, uuid.uuid4().hex).json()
    assert answer["status"] == "referred"
    return str(answer["application_id"])


def test_bad_input_on_the_officers_pages_is_a_page_not_a_500(
    sqlite_engine: Any, make_api: Any
) -> None:
    gateway = HttpDataGateway("http://vendor", 0.05, transport=httpx.MockTransport(_timeout))
    api = make_api(sqlite_engine, DataSources(tax_grade=gateway))
    app_id = _referred(api)
    officer = Officer(api, "loan_officer")
    for path in ("/applications/app_missing", "/customers/bor_000000000000000000000000",
                 "/customers/not-a-borrower"):  # fmt: skip
        missing = officer.get(path)
        assert missing.status_code == 404 and 'data-status="404"' in missing.text, path
    unknown = officer.get(f"/applications/{app_id}?foo=1")
    assert unknown.status_code == 422 and "foo" in unknown.text
    bad_sort = officer.get("/referrals?sort=record")  # a selected column that is not sortable
    assert bad_sort.status_code == 422 and 'data-status="422"' in bad_sort.text
    path = f"/applications/{app_id}/recommendation"
    forged = officer.post(path, "action=approve&note=x", csrf=False)
    assert forged.status_code == 403
    wrong = officer.post(path, "action=maybe&note=x")
    assert wrong.status_code == 422 and "action: approve or decline" in wrong.text
    note = "<script>alert(1)</script> 建议批准"
    made = officer.post(path, f"action=approve&note={note}")
    assert (made.status_code, made.headers["location"]) == (303, f"/applications/{app_id}")
    shown = officer.get(f"/applications/{app_id}").text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; 建议批准" in shown and "<script>alert" not in shown
    )
    again = officer.post(path, "action=decline&note=y")
    assert again.status_code == 409 and "already has open item" in again.text
    # a loan officer may not check: the route's permission (referral_decision.approve)
    assert officer.post(f"/applications/{app_id}/check", "note=").status_code == 403
