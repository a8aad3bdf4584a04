"""Property-based fuzz run of the HTTP API over its own OpenAPI document (issue 13, defects 8 and
10): no input gives a 5xx, and every 4xx is problem+json with `type, title, status, detail,
field, rule` and a status the document declares for that operation.

For every operation of /openapi.json (walked, so a new route is fuzzed without a change here)
hypothesis draws requests: path and query parameters from their schemas or from ids that exist
(a real loan, application, offer, consent, approval, officer), bodies drawn from the request
schema (`schema_strategies.from_schema`), a valid seed body with one field replaced by any JSON value or
dropped, any JSON document, or raw bytes (not UTF-8, truncated, form-encoded) under a JSON or form
content type; credentials of a caller that holds the route's permission, sometimes none or
another role's. The web console's form posts (outside the document) get raw bodies too.

Size: `SMALL_EXAMPLES` per operation in CI; `FULL_EXAMPLES` with RELIABILITY_FULL=1
(`make reliability`). The figures (requests, by status, 5xx) are printed at the end (-s) and
written to `$RELIABILITY_REPORT_DIR/api_fuzz.json` when that is set.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest
from fastapi.openapi.utils import get_openapi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from creditfactory.access import PUBLIC
from creditfactory.adapters.api.main import API_ROUTERS
from creditfactory.adapters.api.openapi import declared_statuses
from tests.e2e.conftest import (  # noqa: F401 - fixtures used by name
    Api,
    _cipher,
    any_engine,
    application,
    make_api,
)
from tests.reliability.schema_strategies import from_schema
from tests.sba_applicants import GOOD

FULL = os.environ.get("RELIABILITY_FULL") == "1"
SMALL_EXAMPLES, FULL_EXAMPLES = 40, 500
EXAMPLES = FULL_EXAMPLES if FULL else SMALL_EXAMPLES
PROBLEM_KEYS = {"type", "title", "status", "detail", "field", "rule"}
TALLY: dict[str, Counter[str]] = {}  # by database: requests, then counts by status
ROLES = ("loan_officer", "credit_approver", "risk_manager", "auditor", "administrator")

edge_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="a\x00\u202e\ud7ff\U0001f600 %/\\", max_size=10),  # NUL, bidi, astral
    st.text(min_size=65, max_size=600),  # over the widths of PostgreSQL varchar columns
)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | edge_text
    | st.integers() | st.integers(min_value=10**30, max_value=10**400) | st.just(-(10**400)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.just(b'{"amount": "\xff\xfe"}'),
    st.just(b"[" * 20_000 + b"]" * 20_000),
    st.builds(lambda n: b'{"term_months": ' + b"9" * n + b"}", st.integers(1, 5_000)),
    st.builds(lambda s: s.encode("utf-16"), st.text(max_size=30)),
)
header_text = st.text(alphabet=string.printable.strip(), min_size=1, max_size=140)


class Fuzzer:
    """The app with one caller per role and ids that exist (module docstring)."""

    def __init__(self, api: Api, kind: str) -> None:
        self.api, self.app = api, api.client.app
        self.tally = TALLY.setdefault(kind, Counter())
        self.document: dict[str, Any] = self.app.openapi()
        security = self.app.state.security
        now = datetime.now(UTC)
        self.headers: dict[str, dict[str, str]] = {"channel": {"X-API-Key": api.key}}
        run = secrets.token_hex(4)  # the PostgreSQL database outlives a run
        for role in ROLES:
            name = f"fuzz_{run}_{role}"[:48]
            security.create_officer(name, "pw-" + name, role, now)
            token = security.login(name, "pw-" + name)
            self.headers[role] = {"Authorization": f"Bearer {token}"}
        seeded = api.post("/api/v1/applications", application(), "fuzz-seed").json()
        consent = api.post("/api/v1/consents", {
            "applicant": application()["applicant"], "purpose": "limit_estimate",
            "consent": {"categories": ["invoices"], "version": "v1"}},
            f"fuzz-consent-{run}").json()  # fmt: skip
        self.ids: dict[str, list[str]] = {
            "loan_id": [seeded["loan_id"]],
            "application_id": [seeded["application_id"]],
            "offer_id": [seeded["offer"]["offer_id"]],
            "consent_id": [consent["consent_id"]],
            "officer_id": [f"off_fuzz_{run}_auditor"],
            "sequence": ["1", "0", "-1", "9" * 400],
            "version": ["credit-policy-2026.1"],
            "digest": ["0" * 64],
            "approval_id": ["apr_missing"],
        }
        self.seeds: dict[str, dict[str, Any]] = {
            "/api/v1/applications": application(),
            "/api/v1/limit-estimates": {"applicant": application()["applicant"],
                                        "declared_revenue": "2000000", "declared": GOOD},
            "/api/v1/loans/{loan_id}/repayments": {"amount": "100.00"},
            "/api/v1/end-of-day": {"business_date": now.date().isoformat()},
        }  # fmt: skip

    def operations(self) -> list[tuple[str, str]]:
        return [(m.upper(), p) for p, ops in self.document["paths"].items() for m in ops]

    def caller(self, method: str, path: str) -> list[str]:
        """Roles whose headers may go with the request: holders first (a channel or an officer
        with the permission), then others for the 401/403 paths."""
        access = self.app.state.security.access
        permission = access.routes.get(f"{method} {path}", PUBLIC)
        holders = sorted(access.holders(permission) & set(self.headers))
        return holders + ["none"] + [r for r in self.headers if r not in holders]

    def request_strategy(self, method: str, path: str) -> st.SearchStrategy[dict[str, Any]]:
        operation = self.document["paths"][path][method.lower()]
        components = self.document["components"]["schemas"]
        params: dict[str, st.SearchStrategy[Any]] = {}
        for p in operation.get("parameters", []):
            if p["in"] not in ("path", "query"):
                continue
            drawn = from_schema(p.get("schema", {}), components)
            known = st.sampled_from(self.ids.get(p["name"], ["x"]))
            anything = edge_text.filter(lambda t: "/" not in t and t not in (".", ".."))
            value = st.one_of(known, drawn.map(str), anything)
            params[f"{p['in']}:{p['name']}"] = value if p.get("required") else st.none() | value
        bodies: list[st.SearchStrategy[Any]] = [raw_bodies.map(lambda b: ("raw", b))]
        bodies.append(json_values.map(lambda v: ("json", v)))
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if schema is not None:
            bodies.append(from_schema(schema["schema"], components).map(lambda v: ("json", v)))
        seed = self.seeds.get(path)
        if seed is not None:
            bodies.append(st.builds(_mutate, st.just(seed), st.data()).map(lambda v: ("json", v)))
            bodies.append(st.just(("json", seed)))
        return st.fixed_dictionaries({
            "params": st.fixed_dictionaries(params),
            "body": st.one_of(bodies) if schema is not None else st.none() | st.one_of(bodies),
            "content_type": st.sampled_from(["application/json", "application/json",
                                             "application/x-www-form-urlencoded", "text/plain"]),
            "role": st.sampled_from(self.caller(method, path)[:1] * 4 + self.caller(method, path)),
            "idempotency_key": st.none() | header_text,
        })  # fmt: skip

    def send(self, method: str, path: str, drawn: dict[str, Any]) -> httpx.Response:
        url, query = path, {}
        for key, value in drawn["params"].items():
            where, name = key.split(":", 1)
            if value is None:
                continue
            if where == "path":
                url = url.replace("{" + name + "}", quote(str(value), safe=""))
            else:
                query[name] = str(value)
        headers = dict(self.headers.get(drawn["role"], {}))
        if drawn["idempotency_key"] is not None:
            headers["Idempotency-Key"] = drawn["idempotency_key"]
        content: bytes | None = None
        if drawn["body"] is not None:
            kind, value = drawn["body"]
            content = value if kind == "raw" else json.dumps(value).encode()
            headers["Content-Type"] = drawn["content_type"] if kind == "raw" else "application/json"
        return _call(self.app, method, url, query, headers, content)


def _mutate(seed: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """`seed` with one (possibly nested) key replaced by any JSON value or dropped."""
    body = json.loads(json.dumps(seed))
    target = body
    while True:
        key = data.draw(st.sampled_from(sorted(target)))
        if isinstance(target[key], dict) and target[key] and data.draw(st.booleans()):
            target = target[key]
            continue
        break
    if data.draw(st.integers(0, 4)) == 0:
        del target[key]
    else:
        target[key] = data.draw(json_values)
    return body


def _call(
    app: Any, method: str, url: str, query: dict[str, str], headers: dict[str, str],
    content: bytes | None,
) -> httpx.Response:  # fmt: skip
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.request(method, url, params=query, headers=headers,
                                        content=content)  # fmt: skip

    return anyio.run(call)


def _check(response: httpx.Response, method: str, path: str, fuzzer: Fuzzer) -> None:
    fuzzer.tally["requests"] += 1
    fuzzer.tally[str(response.status_code)] += 1
    assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert PROBLEM_KEYS <= set(problem), problem
        assert problem["status"] == response.status_code
        access = fuzzer.app.state.security.access
        assert response.status_code in declared_statuses(method, path, access), (
            method, path, problem)  # fmt: skip


_BUILT: dict[str, Fuzzer] = {}


@pytest.fixture
def fuzzer(any_engine: Engine, make_api: Any) -> Fuzzer:  # noqa: F811
    """One app per database for the module (its data grows with the run), built on first use:
    SQLite, then PostgreSQL when DATABASE_URL_PG is set (NUL characters, integer widths and
    text lengths are refused there, not by SQLite)."""
    kind = any_engine.dialect.name
    if kind not in _BUILT:
        _BUILT[kind] = Fuzzer(make_api(any_engine), kind)
    return _BUILT[kind]


@pytest.fixture(scope="module", autouse=True)
def _figures() -> Iterator[None]:
    yield
    figures = {"examples_per_operation": EXAMPLES,
               **{kind: dict(sorted(t.items())) for kind, t in TALLY.items()}}  # fmt: skip
    print(f"\nAPI fuzz: {json.dumps(figures)}")
    folder = os.environ.get("RELIABILITY_REPORT_DIR")
    if folder:
        (Path(folder) / "api_fuzz.json").write_text(json.dumps(figures, indent=1))
    _BUILT.clear()
    TALLY.clear()


def _operations() -> list[tuple[str, str]]:
    """The operations of the API routers (`API_ROUTERS`), listed at collection (no database
    needed); the served document must list the same (`test_every_operation_is_fuzzed`)."""
    document = get_openapi(title="routes", version="0",
                           routes=[r for router in API_ROUTERS for r in router.routes])  # fmt: skip
    return [(m.upper(), p) for p, ops in document["paths"].items() for m in ops]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_input_gives_a_server_error(fuzzer: Fuzzer, method: str, path: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not FULL, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(drawn=fuzzer.request_strategy(method, path))
    def run(drawn: dict[str, Any]) -> None:
        _check(fuzzer.send(method, path, drawn), method, path, fuzzer)

    run()


def test_every_operation_is_fuzzed(fuzzer: Fuzzer) -> None:
    """The parametrisation above walks the same operations the served document lists."""
    assert sorted(fuzzer.operations()) == sorted(_operations())


@settings(max_examples=EXAMPLES * 2, deadline=None, derandomize=not FULL, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(body=raw_bodies | st.text(max_size=200).map(str.encode),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json",
                                     "multipart/form-data; boundary=x", "text/plain"]))  # fmt: skip
def test_console_forms_take_any_body(fuzzer: Fuzzer, body: bytes, content_type: str) -> None:
    """The console's sign-in form (not in the document): never a 5xx."""
    response = _call(fuzzer.app, "POST", "/login", {}, {"Content-Type": content_type}, body)
    fuzzer.tally["requests"] += 1
    fuzzer.tally[str(response.status_code)] += 1
    assert response.status_code < 500, response.text[:300]
