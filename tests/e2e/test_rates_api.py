"""`POST /api/v1/rates` (issue 12): a risk manager imports LPR fixings (201, pending, with a
rates_publication item); a bad row is 422 problem+json naming `rows[<n>].<field>`; other roles
get 403; the maker cannot approve (403); a second risk manager approves through the approvals
path, which publishes; a serving app follows the publication and prices on the new fixing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import anyio
from sqlalchemy import Engine

from creditfactory.adapters.api.main import refresh_serving
from creditfactory.pricing.lpr import default_lpr_series
from tests.e2e.conftest import application
from tests.lpr_fixture import current_series


def _officer(api: Any, role: str) -> str:
    security, name = api.client.app.state.security, f"{role[:8]}_{uuid.uuid4().hex[:10]}"
    security.create_officer(name, "pw-" + name, role, datetime.now(UTC))
    api.tokens[name] = security.login(name, "pw-" + name)
    return name


def _fixing(source: str, **kw: str) -> dict[str, str]:
    last = current_series().fixings[-1]  # the latest fixing date on or before today
    return {"effective_date": last.effective_date.isoformat(), "one_year": "3.00",
            "over_five_year": "3.50", "confidence": "U", "source": source, **kw}  # fmt: skip


def test_import_approve_publish_and_price_on_it(own_engine: Engine, make_api: Any) -> None:
    api = make_api(own_engine, lpr_series=default_lpr_series())
    maker, checker = _officer(api, "risk_manager"), _officer(api, "risk_manager")
    source = f"e2e test fixture {uuid.uuid4().hex[:8]} (not a published value)"
    body = {"fixings": [_fixing(source)], "note": "monthly fixing"}
    created = api.officer("POST", "/api/v1/rates", maker, body)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["status"] == "pending" and item["fixings"][0]["one_year"] == "3.00"
    again = api.officer("POST", "/api/v1/rates", maker, body)
    assert again.status_code == 200 and again.json()["import_id"] == item["import_id"]

    stale = api.post("/api/v1/applications", application(), uuid.uuid4().hex).json()
    assert stale["status"] == "referred"  # pending fixings price nothing

    approve = f"/api/v1/approvals/{item['approval_id']}/approve"
    own = api.officer("POST", approve, maker, {})
    assert own.status_code == 403 and own.headers["content-type"] == "application/problem+json"
    assert api.officer("POST", approve, checker, {}).status_code == 200
    listed = api.officer("GET", "/api/v1/rates?status=published", checker).json()
    assert [r["import_id"] for r in listed["imported"]][-1] == item["import_id"]
    assert listed["stale"] is False and listed["series_version"].endswith(item["import_id"])

    started = datetime.now(UTC)
    assert anyio.run(refresh_serving, api.client.app, started) is True
    priced = api.post("/api/v1/applications", application(), uuid.uuid4().hex).json()
    assert priced["status"] == "disbursed"
    assert priced["decision"]["lpr"]["series_version"].endswith(item["import_id"])
    assert priced["decision"]["lpr"]["confidence"] == "U"


def test_a_bad_row_is_422_naming_row_and_field(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    maker = _officer(api, "risk_manager")
    rows = [_fixing("ok"), _fixing("bad", effective_date="2026-02-30")]
    response = api.officer("POST", "/api/v1/rates", maker, {"fixings": rows})
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "rows[2].effective_date" and problem["status"] == 422
    assert response.headers["content-type"] == "application/problem+json"
    listed = api.officer("GET", "/api/v1/rates", maker).json()
    assert all(r["source"] != "bad" for r in listed["imported"])  # nothing was written


def test_roles(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    body = {"fixings": [_fixing("roles")]}
    for role in ("loan_officer", "credit_approver", "auditor", "administrator"):
        who = _officer(api, role)
        response = api.officer("POST", "/api/v1/rates", who, body)
        assert response.status_code == 403, (role, response.text)
    assert api.officer("GET", "/api/v1/rates", _officer(api, "auditor")).status_code == 200
    channel = api.client.post("/api/v1/rates", json=body, headers={"X-API-Key": api.key})
    assert channel.status_code == 403
