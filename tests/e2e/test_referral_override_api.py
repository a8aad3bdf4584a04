"""The approver's override over HTTP (issue 14): `POST /referrals/{id}/check` with `override`
re-terms the offer within the bounds (the policy document's minimum, the requested amount), and
anything outside them is a 422 naming the override's field, with nothing decided."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx

from creditfactory.adapters.gateways import HttpDataGateway
from creditfactory.origination import DataSources
from creditfactory.origination.application import demo_uscc
from tests.e2e.conftest import application


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("vendor too slow", request=request)


def test_approver_overrides_the_amount_and_term_over_http(
    sqlite_engine: Any, make_api: Any
) -> None:
    gateway = HttpDataGateway("http://vendor", 0.05, transport=httpx.MockTransport(_timeout))
    api = make_api(sqlite_engine, DataSources(tax_grade=gateway))
    body = application(uscc=demo_uscc(secrets.randbelow(10**8)))
    body["consent"] = {"categories": ["tax"], "version": "auth-2024-01"}
    referred = api.post("/api/v1/applications", body, uuid.uuid4().hex).json()
    assert referred["status"] == "referred"
    path = f"/api/v1/referrals/{referred['application_id']}"
    assert api.officer("POST", f"{path}/recommendation", "analyst",
                       {"action": "approve", "note": "建议批准"}).status_code == 200  # fmt: skip
    cases = [
        ({"reason": "多给", "amount": "300001"}, "override.amount"),  # above the request
        ({"reason": "少给", "amount": "9999.99"}, "override.amount"),  # policy minimum 10,000
        ({"reason": "太长", "term_months": 37}, "override.term_months"),
        ({"reason": "太低", "annual_rate": "0.0399"}, "override.annual_rate"),
        ({"reason": "百分数", "annual_rate": "8.75"}, "override.annual_rate"),  # not a fraction
        ({"amount": "200000"}, "override.reason"),
    ]
    for override, field in cases:
        refused = api.officer("POST", f"{path}/check", "approver", {"override": override})
        problem = refused.json()  # a body-shape error names the leaf, its path the whole
        assert refused.status_code == 422 and problem.get("path", problem["field"]) == field
        assert problem["detail"].startswith(field + ":"), problem
    still = api.officer("GET", "/api/v1/referrals", "analyst").json()["data"]
    assert referred["application_id"] in {r["application_id"] for r in still}
    checked = api.officer(
        "POST",
        f"{path}/check",
        "approver",
        {
            "note": "同意",
            "override": {"reason": "按现金流核定", "amount": "250000", "term_months": 24},
        },
    )
    assert checked.status_code == 200, checked.text
    offer = checked.json()["offer"]
    assert (checked.json()["status"], offer["amount"], offer["term_months"]) == (
        "approved", "250000.00", 24)  # fmt: skip
    assert offer["annual_rate"] == referred["decision"]["annual_rate"]  # the rate was kept
