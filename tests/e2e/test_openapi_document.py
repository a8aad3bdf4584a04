"""The OpenAPI document as issue #14 ("API documentation") asks for it, walked operation by
operation: security schemes declared and applied per route from the access document,
`Idempotency-Key` required where the route requires it, typed success bodies (no open object,
which Swagger UI shows as `additionalProp1`), problem+json for each 4xx a route can answer, and
an example for every request body that the API accepts. (That the declared bodies are the real
ones is checked on every e2e answer: tests/e2e/documented.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from creditfactory.access import DEFAULT_ACCESS, PUBLIC
from creditfactory.adapters.api.errors import PROBLEM
from creditfactory.adapters.api.main import API_ROUTERS
from creditfactory.adapters.api.openapi import declared_statuses
from creditfactory.kernel.ids import RandomIds
from tests.e2e.conftest import application

ISSUE_STATUSES = {401, 403, 404, 409, 422, 429}
OFFICER_ROLES = {"loan_officer", "credit_approver", "risk_manager", "auditor", "administrator"}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _api_routes() -> Iterator[tuple[str, APIRoute]]:
    for router in API_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods:
                yield method, route


@pytest.fixture
def document(sqlite_engine: Any, make_api: Any) -> dict[str, Any]:
    answer = make_api(sqlite_engine).client.get("/openapi.json")
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def test_security_schemes_are_declared_and_applied_per_route(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {**schemes["ApiKey"], "type": "apiKey", "in": "header",
                                 "name": "X-API-Key"}  # fmt: skip
    assert schemes["Bearer"] == {**schemes["Bearer"], "type": "http", "scheme": "bearer"}
    checked = 0
    for method, path, operation in _operations(document):
        permission = DEFAULT_ACCESS.routes[f"{method.upper()} {path}"]
        used = {name for requirement in operation["security"] for name in requirement}
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert not names & {"x-api-key"}, f"{method} {path}: the key is a scheme, not a parameter"
        if path == "/api/v1/officers/logout":
            assert operation["security"] == [{"Bearer": []}, {}]  # a token is optional
            continue
        if permission == PUBLIC:
            assert operation["security"] == [], (method, path)
            continue
        holders = DEFAULT_ACCESS.holders(permission)
        assert ("ApiKey" in used) == ("channel" in holders), (method, path)
        assert ("Bearer" in used) == bool(holders & OFFICER_ROLES), (method, path)
        assert "authorization" not in names, (method, path)
        checked += 1
    assert checked >= 30
    apply = document["paths"]["/api/v1/applications"]["post"]["security"]
    assert apply == [{"ApiKey": []}]  # channels only
    audit = document["paths"]["/api/v1/audit/head"]["get"]["security"]
    assert audit == [{"Bearer": []}]  # officers only


def test_idempotency_key_is_required_exactly_where_the_route_requires_it(
    document: dict[str, Any], sqlite_engine: Any, make_api: Any
) -> None:
    needing = {(m.lower(), r.path) for m, r in _api_routes()
               if any(p.alias.lower() == "idempotency-key" for p in r.dependant.header_params)}  # fmt: skip
    assert len(needing) >= 6
    for method, path, operation in _operations(document):
        keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
        if (method, path) in needing:
            assert len(keys) == 1 and keys[0]["required"] is True, (method, path)
            assert keys[0]["schema"]["maxLength"] == 128
        else:
            assert keys == [], (method, path)
    api = make_api(sqlite_engine)  # and required in fact: a missing key is a 422 naming it
    answer = api.post("/api/v1/applications", application())
    assert answer.status_code == 422 and answer.json()["field"] == "Idempotency-Key"


def _walk(schema: Any, schemas: dict[str, Any], seen: set[str]) -> Iterator[tuple[str, Any]]:
    """Every (where, subschema) reachable from `schema`, following $refs once each."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield name, schemas[name]
                yield from _walk(schemas[name], schemas, seen)
            return
        for key, value in schema.items():
            if key in ("properties",):
                for inner in value.values():
                    yield "property", inner
                    yield from _walk(inner, schemas, seen)
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                yield key, value
                yield from _walk(value, schemas, seen)
            elif key in ("anyOf", "oneOf", "allOf"):
                for inner in value:
                    yield key, inner
                    yield from _walk(inner, schemas, seen)


def _open(schema: dict[str, Any]) -> bool:
    """True for a schema Swagger UI would fill with `additionalProp1`, or one that says
    nothing of its value: an object without properties whose extra keys are untyped or
    unexampled, or an empty (Any) schema."""
    if schema == {}:
        return True
    extra = schema.get("additionalProperties")
    if extra is True or extra == {}:
        return True
    if schema.get("type") == "object" and "properties" not in schema:
        return not (isinstance(extra, dict) and extra and "examples" in schema)
    return False


def test_success_bodies_are_typed_objects(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    bodies = 0
    for method, path, operation in _operations(document):
        ok = [s for s in operation["responses"] if s.startswith("2")]
        # one success status, or 201 on creation with 200 on an idempotent repeat (POST /rates)
        assert len(ok) == 1 or sorted(ok) == ["200", "201"], (method, path)
        for status in ok:
            content = operation["responses"][status].get("content")
            if status == "204":
                assert content is None, (method, path)
                continue
            schema = content["application/json"]["schema"]
            assert set(schema) == {"$ref"}, (method, path, schema)
            for where, inner in _walk(schema, schemas, set()):
                assert not _open(inner), (method, path, where, inner)
                if inner.get("type") == "object" or "properties" in inner:
                    assert inner.get("additionalProperties") is not True, (method, path, where)
            bodies += 1
    assert bodies >= 30
    # a typed map (approval params) keeps its example, which Swagger UI shows instead
    params = schemas["ApprovalItem"]["properties"]["params"]
    assert params["additionalProperties"] == {"type": "string"} and params["examples"]


def test_an_open_object_is_caught() -> None:
    """The check itself: FastAPI's `dict[str, Any]` schema, and an object without properties
    or a typed, exampled map, fail."""
    assert _open({"type": "object", "additionalProperties": True})
    assert _open({})
    assert _open({"type": "object", "additionalProperties": {"type": "string"}})
    assert not _open({"type": "object", "additionalProperties": {"type": "string"},
                      "examples": [{"role": "auditor"}]})  # fmt: skip
    assert not _open({"type": "object", "properties": {"a": {"type": "string"}},
                      "additionalProperties": False})  # fmt: skip


def test_every_route_documents_its_problems(document: dict[str, Any]) -> None:
    met: set[int] = set()
    for method, path, operation in _operations(document):
        statuses = declared_statuses(method, path, DEFAULT_ACCESS)
        for status in statuses:
            content = operation["responses"][str(status)]["content"]
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert {404, 422} <= set(statuses), (method, path)
        if operation["security"] and operation["security"] != [{"Bearer": []}, {}]:
            assert {401, 403} <= set(statuses), (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert 409 in statuses, (method, path)
        met |= set(statuses)
    assert ISSUE_STATUSES <= met


def test_every_request_body_has_an_example_the_model_accepts(document: dict[str, Any]) -> None:
    routes = {(m.lower(), r.path): r for m, r in _api_routes()}
    bodies = 0
    for method, path, operation in _operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        media = body["content"]["application/json"]
        examples = [media["example"]] if "example" in media else [
            e["value"] for e in media.get("examples", {}).values()]  # fmt: skip
        assert examples, (method, path)
        route = routes[(method, path)]
        annotation = route.body_field.field_info.annotation  # type: ignore[union-attr]
        if hasattr(annotation, "model_validate"):  # a typed body: its example must pass it
            for example in examples:
                annotation.model_validate(example, strict=True)
        bodies += 1
    assert bodies >= 20


def test_the_documented_examples_are_accepted_by_the_api(
    document: dict[str, Any], sqlite_engine: Any, make_api: Any
) -> None:
    """What a reader copies from /docs works: the channel's three bodies that need no earlier
    object are answered 200 (the served SBA spec)."""
    api = make_api(sqlite_engine)
    for path in ("/api/v1/limit-estimates", "/api/v1/applications", "/api/v1/consents"):
        example = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        answer = api.post(path, example["example"], RandomIds().new("k"))
        assert answer.status_code == 200, (path, answer.text)
