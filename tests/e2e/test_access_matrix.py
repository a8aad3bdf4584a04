"""Role × route matrix over EVERY route of the app: each route declares a permission in the
access document, passes the one `authorize` dependency, and answers 403 "Forbidden" exactly for
the roles the document does not grant (401 without credentials)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.routing import APIRoute

from creditfactory.access import DEFAULT_ACCESS, PUBLIC, ROLES
from creditfactory.adapters.api.security import authorize
from creditfactory.kernel.ids import RandomIds

OFFICER_ROLES = [r for r in ROLES if r != "channel"]


def _credentials(api: Any) -> dict[str, dict[str, str]]:
    security = api.client.app.state.security
    headers = {"channel": {"X-API-Key": api.key}}
    for role in OFFICER_ROLES:
        name = RandomIds().new("m")[-16:]
        security.create_officer(name, "pw-" + name, role, datetime.now(UTC))
        headers[role] = {"Authorization": f"Bearer {security.login(name, 'pw-' + name)}"}
    return headers


def _flat(routes: Any, prefix: str = "") -> Any:
    # FastAPI ≥ 0.16x keeps included routers as one entry; walk into them.
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            extra = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            yield from _flat(inner.routes, prefix + extra)
        else:
            yield prefix + route.path, route


def _routes(app: Any) -> list[tuple[str, str, Any]]:
    out = []
    for path, route in _flat(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            if method in ("HEAD", "OPTIONS"):
                continue
            out.append((method, path, route))
    return out


def _uses_authorize(route: Any) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is authorize:
            return True
        stack.extend(dep.dependencies)
    return False


def test_every_route_declares_a_permission_and_passes_authorize(
    sqlite_engine: Any, make_api: Any
) -> None:
    app = make_api(sqlite_engine).client.app
    routes = _routes(app)
    assert len(routes) >= 30
    for method, path, route in routes:
        permission = DEFAULT_ACCESS.permission_for(method, path)  # raises when undeclared
        if isinstance(route, APIRoute):
            assert _uses_authorize(route), f"{method} {path} bypasses authorize"
        else:
            assert permission == PUBLIC, f"{method} {path} is not an APIRoute"
    declared = {f"{m} {p}" for m, p, _ in routes}
    assert set(DEFAULT_ACCESS.routes) == declared  # no stale entries either


def _forbidden(response: Any) -> bool:
    """The 403 says "Forbidden": problem+json on the API, the HTML error page on a page route."""
    if response.headers["content-type"].startswith("text/html"):
        return 'data-status="403"' in response.text
    return bool(response.json()["title"] == "Forbidden")


def test_role_route_matrix(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    headers = _credentials(api)
    checked = 0
    for method, path, _ in _routes(api.client.app):
        permission = DEFAULT_ACCESS.permission_for(method, path)
        url = re.sub(r"\{[^}]+\}", "0", path)
        body = {} if method in ("POST", "PUT") else None
        anonymous = api.client.request(method, url, json=body)
        if permission == PUBLIC:
            assert anonymous.status_code not in (401, 403), (method, path)
            continue
        assert anonymous.status_code == 401, (method, path, anonymous.status_code)
        for role in ROLES:
            response = api.client.request(method, url, json=body, headers=headers[role])
            denied = response.status_code == 403 and _forbidden(response)
            allowed = DEFAULT_ACCESS.allows(role, permission)
            assert denied is not allowed, (role, method, path, response.status_code, response.text)
            checked += 1
    assert checked >= 6 * 25


def test_legacy_roles_map_to_the_new_ones() -> None:
    assert DEFAULT_ACCESS.role("analyst") == "loan_officer"
    assert DEFAULT_ACCESS.role("approver") == "credit_approver"
    assert DEFAULT_ACCESS.role("admin") == "administrator"
    assert not DEFAULT_ACCESS.allows("auditor", "approval.decide")  # read-only
    assert DEFAULT_ACCESS.allows("auditor", "audit.read")
