"""Role × route × channel matrix (issue 13, defect 3 and "Done when").

Every route of the app (walked from the route table, so a new route is covered or the test fails)
is called by: no one, each officer role, and each of several channels — the channel that owns the
objects the path names and every other channel. Expected, from the access document and the
ownership rule (service_layer/ownership.py), not from the code under test:
- no credentials → 401 (public routes excepted);
- a role without the route's permission → 403 "Forbidden";
- a role with it → neither 401 nor 403;
- a channel with the permission on a route naming objects: the owner is served (not 401/403/404),
  every other channel gets 404 naming the path parameter, and nothing changes for the owner.

Small by default (2 channels); RELIABILITY_FULL=1 runs 5 channels, every ordered pair.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from creditfactory.access import DEFAULT_ACCESS, PUBLIC
from creditfactory.adapters.gateways import HttpDataGateway
from creditfactory.origination import DataSources
from creditfactory.service_layer.ownership import OWNED
from tests.e2e.conftest import _cipher, any_engine, application, make_api, sqlite_engine
from tests.e2e.test_access_matrix import OFFICER_ROLES, _routes
from tests.shared import load_case

__all__ = ["_cipher", "any_engine", "make_api", "sqlite_engine"]  # fixtures used here

FULL = os.environ.get("RELIABILITY_FULL") == "1"
CHANNELS = 5 if FULL else 2
USCC = [c for c in load_case("china_ids.json")["uscc_gb32100_2015"]["valid"] if c.startswith("91")]
PARAM = re.compile(r"\{([^}]+)\}")


def _key() -> str:
    return uuid.uuid4().hex


def _channel_objects(api: Any, key: str, number: int) -> dict[str, str]:
    """A disbursed application (its offer and loan) and a consent of the channel `key`."""
    headers = {"X-API-Key": key, "Idempotency-Key": _key()}
    applied = api.client.post("/api/v1/applications", json=application(), headers=headers)
    assert applied.status_code == 200 and applied.json()["status"] == "disbursed", applied.text
    view = applied.json()
    consent = api.client.post(
        "/api/v1/consents",
        json={"applicant": application(uscc=USCC[number % len(USCC)])["applicant"],
              "purpose": "credit_application",
              "consent": {"categories": ["tax"], "version": "auth-2024-01"}},
        headers={"X-API-Key": key, "Idempotency-Key": _key()},
    )  # fmt: skip
    assert consent.status_code == 200, consent.text
    return {
        "application_id": view["application_id"],
        "offer_id": view["offer"]["offer_id"],
        "loan_id": view["loan_id"],
        "consent_id": consent.json()["consent_id"],
    }


def _officers(api: Any) -> dict[str, dict[str, str]]:
    security = api.client.app.state.security
    headers = {}
    for role in OFFICER_ROLES:
        name = uuid.uuid4().hex[:16]
        security.create_officer(name, "pw-" + name, role, datetime.now(UTC))
        headers[role] = {"Authorization": f"Bearer {security.login(name, 'pw-' + name)}"}
    return headers


def _role_refused(answer: Any) -> bool:
    """A 403 for the role (not a maker-checker refusal): problem+json titled Forbidden on the API,
    the 403 page naming the field `role` on a workbench page (issue 14)."""
    if answer.headers["content-type"].startswith("text/html"):
        return 'data-testid="error-field">role<' in answer.text
    return bool(answer.json()["title"] == "Forbidden")


def _url(path: str, ids: dict[str, str]) -> str:
    return PARAM.sub(lambda m: ids.get(m.group(1), "0"), path)


def test_role_route_channel_matrix(any_engine: Any, make_api: Any) -> None:
    api = make_api(any_engine)
    security = api.client.app.state.security
    keys = [api.key] + [
        security.create_api_key(f"ch_m{n}_{_key()[:6]}", datetime.now(UTC))
        for n in range(1, CHANNELS)
    ]
    owned = [_channel_objects(api, key, n) for n, key in enumerate(keys)]
    officers = _officers(api)
    cases: Counter[str] = Counter()
    routes = _routes(api.client.app)
    for method, path, _ in routes:
        permission = DEFAULT_ACCESS.permission_for(method, path)
        params = PARAM.findall(path)
        body = {} if method in ("POST", "PUT") else None
        url = _url(path, owned[0])
        anonymous = api.client.request(method, url, json=body)
        cases["anonymous"] += 1
        if permission == PUBLIC:
            assert anonymous.status_code not in (401, 403), (method, path)
            continue
        assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        for role in OFFICER_ROLES:
            answer = api.client.request(method, url, json=body, headers=officers[role])
            denied = answer.status_code == 403 and _role_refused(answer)
            assert denied is not DEFAULT_ACCESS.allows(role, permission), (role, method, path)
            assert answer.status_code != 401, (role, method, path)
            cases["officer"] += 1
        if not DEFAULT_ACCESS.allows("channel", permission):
            for key in keys:
                answer = api.client.request(method, url, json=body, headers={"X-API-Key": key})
                assert answer.status_code == 403, (method, path, answer.status_code)
                cases["channel denied"] += 1
            continue
        assert set(params) <= set(OWNED), f"{method} {path}: a channel route names {params}"
        for owner, ids in zip(keys, owned, strict=True):
            url = _url(path, ids)
            for other in keys:
                if other == owner or not params:
                    continue
                before = api.client.get(_url("/api/v1/loans/{loan_id}", ids),
                                        headers={"X-API-Key": owner}).json()  # fmt: skip
                answer = api.client.request(method, url, json=body, headers={"X-API-Key": other})
                assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
                assert answer.json()["field"] in params, answer.text
                after = api.client.get(_url("/api/v1/loans/{loan_id}", ids),
                                       headers={"X-API-Key": owner}).json()  # fmt: skip
                assert after == before, (method, path)  # another channel changed nothing
                cases["channel other → 404"] += 1
            answer = api.client.request(method, url, json=body, headers={"X-API-Key": owner})
            assert answer.status_code not in (401, 403, 404), (method, path, answer.text)
            cases["channel owner served" if params else "channel served"] += 1
    total = sum(cases.values())
    print(f"\nrole × route × channel matrix: {len(routes)} routes, {CHANNELS} channels, "
          f"{total} requests: {dict(cases)}")  # fmt: skip
    assert cases["channel other → 404"] >= 5 * CHANNELS * (CHANNELS - 1)


def test_defect_03_loans_repayments_and_consents_of_another_channel_are_not_found(
    sqlite_engine: Any, make_api: Any
) -> None:
    """The three routes the attack named: GET /loans/{id}, POST /loans/{id}/repayments and
    POST /consents/{id}/withdraw answered another channel (200) before the ownership check."""
    api = make_api(sqlite_engine)
    other = api.client.app.state.security.create_api_key("ch_other", datetime.now(UTC))
    ids = _channel_objects(api, api.key, 0)
    thief = {"X-API-Key": other}
    loan = api.client.get(f"/api/v1/loans/{ids['loan_id']}", headers=thief)
    assert (loan.status_code, loan.json()["field"]) == (404, "loan_id")
    paid = api.client.post(
        f"/api/v1/loans/{ids['loan_id']}/repayments",
        json={"amount": "1000.00"},
        headers={**thief, "Idempotency-Key": _key()},
    )
    assert (paid.status_code, paid.json()["field"]) == (404, "loan_id")
    withdrawn = api.client.post(
        f"/api/v1/consents/{ids['consent_id']}/withdraw",
        headers={**thief, "Idempotency-Key": _key()},
    )
    assert (withdrawn.status_code, withdrawn.json()["field"]) == (404, "consent_id")
    mine = api.client.get(f"/api/v1/loans/{ids['loan_id']}", headers={"X-API-Key": api.key})
    assert mine.status_code == 200 and mine.json()["principal_outstanding"] == "300000.00"


def test_defect_03_a_consent_is_used_only_by_its_channel(sqlite_engine: Any, make_api: Any) -> None:
    """Channel A records a tax consent for a firm; channel B applies for the same firm without
    one: the data vendor must not be asked under A's consent (before: it was)."""
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    gateway = HttpDataGateway("http://vendor", transport=httpx.MockTransport(vendor))
    api = make_api(sqlite_engine, DataSources(tax_grade=gateway))
    other = api.client.app.state.security.create_api_key("ch_b", datetime.now(UTC))
    uscc = USCC[-1]
    given = api.client.post(
        "/api/v1/consents",
        json={"applicant": application(uscc=uscc)["applicant"], "purpose": "credit_application",
              "consent": {"categories": ["tax"], "version": "auth-2024-01"}},
        headers={"X-API-Key": api.key, "Idempotency-Key": _key()},
    )  # fmt: skip
    assert given.status_code == 200
    applied = api.client.post(
        "/api/v1/applications",
        json=application(uscc=uscc),
        headers={"X-API-Key": other, "Idempotency-Key": _key()},
    )
    assert applied.status_code == 200, applied.text
    assert seen == []  # B has no consent of its own: no pull


@pytest.mark.parametrize("param", sorted(OWNED))
def test_every_owned_kind_names_a_real_lookup(
    sqlite_engine: Any, make_api: Any, param: str
) -> None:
    """An unknown id of every kind is a 404 naming the parameter for its own channel too."""
    api = make_api(sqlite_engine)
    routes = [(m, p) for m, p, _ in _routes(api.client.app) if "{" + param + "}" in p]
    routes = [(m, p) for m, p in routes if DEFAULT_ACCESS.allows("channel",
                                                                 DEFAULT_ACCESS.permission_for(m, p))]  # fmt: skip
    assert routes, param
    for method, path in routes:
        answer = api.client.request(
            method, _url(path, {param: "nope"}), json={} if method == "POST" else None,
            headers={"X-API-Key": api.key, "Idempotency-Key": _key()},
        )  # fmt: skip
        assert (answer.status_code, answer.json()["field"]) == (404, param), (method, path)
