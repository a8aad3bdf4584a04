"""Concurrent duplicates on EVERY idempotent route (issue 13): the route table is walked, so a
new state-changing route fails `test_every_unsafe_route_is_classified` until it is listed here.

A route is idempotent when it takes an `Idempotency-Key` header (found in the route table) or
acts once per named object (`ONCE`). For each, N identical requests are fired at once: no 5xx,
every 2xx answer identical (the stored first response), and the audit leaves written — every
state change writes one — are exactly those of ONE request on a fresh object. The other unsafe
routes are listed in `OTHER` with why duplicates cannot double an effect (maker-checker items
are compare-and-set, one open item per subject; uploads are kept by digest; login is no command).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from creditfactory.kernel.clock import FixedClock
from creditfactory.servicing import services
from tests.e2e.conftest import Api, application
from tests.e2e.test_access_matrix import _routes
from tests.reliability.book import (
    START,
    apply,
    effects_since,
    last_leaf,
    new_key,
    non_performing,
    officer,
)
from tests.reliability.conftest import sized

DUPLICATES = sized(12, 60)


@dataclass(frozen=True)
class Request:
    """One request as a caller sends it (the officer's token or the channel's key)."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]


Prepare = Callable[[Api, Engine, FixedClock], Request]


def _channel(api: Api, path: str, body: dict[str, Any]) -> Request:
    return Request(path, body, {"X-API-Key": api.key, "Idempotency-Key": new_key()})


def _repayment(api: Api, engine: Engine, clock: FixedClock) -> Request:
    return _channel(api, f"/api/v1/loans/{apply(api)['loan_id']}/repayments", {"amount": "900.00"})


def _prepayment(api: Api, engine: Engine, clock: FixedClock) -> Request:
    loan_id = apply(api)["loan_id"]
    return _channel(api, f"/api/v1/loans/{loan_id}/prepayments", {"amount": "20000.00"})


def _application(api: Api, engine: Engine, clock: FixedClock) -> Request:
    from creditfactory.origination.application import demo_uscc

    body = application(uscc=demo_uscc(int(new_key()[:6], 16)))
    return _channel(api, "/api/v1/applications", body)


def _backdated(api: Api, engine: Engine, clock: FixedClock) -> Request:
    loan_id = apply(api)["loan_id"]
    clock.advance(timedelta(days=1))
    who = officer(api, "credit_approver")
    day = (services.business_date(clock) - timedelta(days=1)).isoformat()
    body = {"amount": "700.00", "value_date": day, "reason": "bank slip of yesterday"}
    headers = {"Authorization": f"Bearer {api.tokens[who]}", "Idempotency-Key": new_key()}
    return Request(f"/api/v1/loans/{loan_id}/backdated-repayments", body, headers)


def _consent_body() -> dict[str, Any]:
    from creditfactory.origination.application import demo_uscc

    applicant = application(uscc=demo_uscc(int(new_key()[:6], 16)))["applicant"]
    consent = {"categories": ["tax"], "version": "auth-2024-01"}
    return {"applicant": applicant, "purpose": "credit_application", "consent": consent}


def _consent(api: Api, engine: Engine, clock: FixedClock) -> Request:
    return _channel(api, "/api/v1/consents", _consent_body())


def _withdraw(api: Api, engine: Engine, clock: FixedClock) -> Request:
    given = api.post("/api/v1/consents", _consent_body(), new_key())
    assert given.status_code == 200, given.text
    return _channel(api, f"/api/v1/consents/{given.json()['consent_id']}/withdraw", {})


def _accept(api: Api, engine: Engine, clock: FixedClock) -> Request:
    offer_id = apply(api, auto_accept=False)["offer"]["offer_id"]
    return Request(f"/api/v1/offers/{offer_id}/accept", {}, {"X-API-Key": api.key})


def _write_off(api: Api, engine: Engine, clock: FixedClock) -> Request:
    loan_id = apply(api)["loan_id"]
    clock.advance(timedelta(days=1))
    non_performing(engine, clock, loan_id)
    maker, checker = officer(api, "loan_officer"), officer(api, "credit_approver")
    day = services.business_date(clock).isoformat()
    item = {"kind": "write_off", "subject": f"loan:{loan_id}", "params": {"business_date": day}}
    approval_id = api.officer("POST", "/api/v1/approvals", maker, item).json()["approval_id"]
    assert api.officer("POST", f"/api/v1/approvals/{approval_id}/approve", checker, {}).is_success
    headers = {"Authorization": f"Bearer {api.tokens[maker]}"}
    return Request(f"/api/v1/loans/{loan_id}/write-off", {"approval_id": approval_id}, headers)


KEYED: dict[str, Prepare] = {
    "POST /api/v1/applications": _application,
    "POST /api/v1/loans/{loan_id}/repayments": _repayment,
    "POST /api/v1/loans/{loan_id}/prepayments": _prepayment,
    "POST /api/v1/loans/{loan_id}/backdated-repayments": _backdated,
    "POST /api/v1/consents": _consent,
    "POST /api/v1/consents/{consent_id}/withdraw": _withdraw,
}
ONCE: dict[str, Prepare] = {  # once per named object, no header needed
    "POST /api/v1/offers/{offer_id}/accept": _accept,
    "POST /api/v1/loans/{loan_id}/write-off": _write_off,
}
OTHER = {  # unsafe routes whose duplicates cannot double an effect, and why
    "POST /api/v1/officers/login": "no command: a token per login",
    "POST /login": "no command: the console's login",
    "POST /logout": "ends a session; twice is once",
    "POST /api/v1/officers/logout": "ends the token's session; twice is once",
    "POST /api/v1/limit-estimates": "a quote: no money moves, no object changes",
    "POST /api/v1/end-of-day": "once per business date: closed loans are skipped "
    "(test_kill9: end of day under kill -9)",
    "POST /api/v1/referrals/{application_id}/recommendation": "one open item per subject",
    "POST /api/v1/referrals/{application_id}/check": "compare-and-set on the pending item",
    "POST /api/v1/approvals": "one open item per subject (unique open_subject)",
    "POST /api/v1/approvals/{approval_id}/approve": "compare-and-set on the pending item",
    "POST /api/v1/approvals/{approval_id}/reject": "compare-and-set on the pending item",
    "POST /api/v1/applications/{application_id}/override": "consumes its approved item once",
    "POST /api/v1/policies": "kept by version (first copy wins)",
    "POST /api/v1/policies/{version}/publish": "consumes its approved item once",
    "POST /api/v1/models": "kept by digest (first copy wins)",
    "POST /api/v1/models/{digest}/publish": "consumes its approved item once",
    "POST /api/v1/officers": "unique username",
    "PUT /api/v1/officers/{officer_id}/role": "consumes its approved item once",
    "POST /api/v1/rates": "kept by import digest (the first import is returned)",
    # the workbench's forms call the same service functions as their API twins above
    "POST /admin/users": "unique username",
    "POST /admin/users/{officer_id}/role": "one open item per subject (unique open_subject)",
    "POST /admin/approvals/{approval_id}/approve": "compare-and-set on the pending item",
    "POST /admin/approvals/{approval_id}/reject": "compare-and-set on the pending item",
    "POST /applications/{application_id}/recommendation": "one open item per subject",
    "POST /applications/{application_id}/check": "compare-and-set on the pending item",
    "POST /applications/{application_id}/return": "compare-and-set on the pending item",
}


def _unsafe_routes(api: Api) -> dict[str, APIRoute]:
    return {f"{m} {path}": route for m, path, route in _routes(api.client.app) if m != "GET"}


def _takes_key(route: APIRoute) -> bool:
    def headers(dependant: Dependant) -> list[str]:
        own = [p.alias.lower() for p in dependant.header_params]
        return own + [h for d in dependant.dependencies for h in headers(d)]

    return "idempotency-key" in headers(route.dependant)


def test_every_unsafe_route_is_classified(sqlite_engine: Engine, make_api: Any) -> None:
    routes = _unsafe_routes(make_api(sqlite_engine))
    keyed = {name for name, route in routes.items() if _takes_key(route)}
    assert keyed == set(KEYED), "a route with an Idempotency-Key needs its duplicate burst"
    assert set(routes) == set(KEYED) | set(ONCE) | set(OTHER), "classify every unsafe route"


def _send(api: Api, request: Request) -> Any:
    return api.client.post(request.path, json=request.body, headers=request.headers)


@pytest.mark.parametrize("route", sorted({**KEYED, **ONCE}))
def test_concurrent_duplicates_have_one_effect(
    route: str, any_engine: Engine, make_api: Any
) -> None:
    prepare = {**KEYED, **ONCE}[route]
    clock = FixedClock(START)
    api = make_api(any_engine, clock=clock)
    single = prepare(api, any_engine, clock)
    mark = last_leaf(any_engine)
    assert _send(api, single).is_success
    one = effects_since(any_engine, mark)
    burst = prepare(api, any_engine, clock)
    mark = last_leaf(any_engine)
    with ThreadPoolExecutor(DUPLICATES) as pool:
        answers = list(pool.map(lambda _: _send(api, burst), range(DUPLICATES)))
    assert not [a.text for a in answers if a.status_code >= 500]
    assert all(a.status_code == 200 for a in answers), {a.status_code for a in answers}
    assert all(a.json() == answers[0].json() for a in answers)
    assert effects_since(any_engine, mark) == one  # exactly one request's effects
    assert _send(api, burst).json() == answers[0].json()  # and a later retry: the same
    assert effects_since(any_engine, mark) == one
    print(f"\nduplicates: {route} ×{DUPLICATES} concurrent + 1 retry → one effect")
