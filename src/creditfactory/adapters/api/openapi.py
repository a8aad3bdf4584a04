"""The OpenAPI document (/openapi.json) declares every error a route can answer: problem+json
(RFC 9457, the shape of `errors.problem`) under `components.schemas.Problem`, for each status:

- 404 (an unknown or another channel's object), 413 (a body over 1 MB, `request_guard.py`) and
  422 (a field or rule broken; FastAPI's own 422 schema is replaced, the handler answers
  problem+json) on every operation;
- 401 and 403 on every operation the access document does not make public; 401 on a public
  one that checks credentials (sign-in);
- 409 (idempotency key reused, a stored response that fails its integrity check, an item
  already open, an offer no longer open) on every POST / PUT / PATCH / DELETE;
- 429 (login throttling) on the public sign-in route.

It also declares (issue #14, "API documentation"):

- the security schemes — `ApiKey` (header `X-API-Key`, channels) and `Bearer` (officers' tokens)
  — and on each operation the ones whose holders the access document lets use it
  (`security_for`; none on a public route);
- `Idempotency-Key` as a required header where the route requires one;
- typed success bodies (`responses.py`: every key listed, no open object), including the
  labels of the figures (issue #12 item 9: ``currency``, ``pd_horizon_months``, ``model``);
- an example for every request body (`schemas.example`, or the route's `openapi_examples`).

`install_openapi(app, access)` replaces `app.openapi` with a builder that adds them once.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from creditfactory.access import PUBLIC, AccessPolicy
from creditfactory.adapters.api.errors import PROBLEM

__all__ = [
    "PROBLEM_SCHEMA",
    "SECURITY_SCHEMES",
    "declared_statuses",
    "install_openapi",
    "security_for",
]

PROBLEM_SCHEMA: Final[dict[str, Any]] = {
    "title": "Problem",
    "type": "object",
    "description": "problem+json (RFC 9457): `field` names the request field at fault "
    "(e.g. `declared.NoEmp`, `body`, `Idempotency-Key`; empty when none is), `rule` the rule "
    "it broke.",
    "required": ["type", "title", "status", "detail", "field", "rule"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Invalid field"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string", "example": "term_months: 1 to 36 months"},
        "field": {"type": "string", "example": "term_months"},
        "rule": {"type": "string", "example": "1 to 36 months"},
    },
}
TITLES: Final = {
    401: "Unauthorized: no, a malformed or an unknown X-API-Key / bearer token",
    403: "Forbidden: the caller's role lacks the route's permission, or maker-checker",
    404: "Not found: no such route or object, or another channel's",
    409: "Conflict: Idempotency-Key reused with another body, an open item, a closed offer",
    413: "Request body over 1,000,000 bytes (declared or chunked)",
    422: "Invalid field: `field` names it, `rule` says what it must be",
    429: "Too many failed logins (Retry-After)",
}
SECURITY_SCHEMES: Final[dict[str, Any]] = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
               "description": "a channel's key, cfk_<key id>_<secret> (`creditfactory users "
               "channel-key`)"},
    "Bearer": {"type": "http", "scheme": "bearer",
               "description": "an officer's token from POST /api/v1/officers/login (8 h)"},
}  # fmt: skip
IDEMPOTENCY: Final = (
    "Required: the request runs once per key (1–128 characters, scoped to the caller); a retry "
    "with the same key and body returns the first answer, another body under it is a 409."
)
_UNSAFE: Final = frozenset({"post", "put", "patch", "delete"})
_SIGN_IN: Final = frozenset({"/api/v1/officers/login"})
_SIGN_OUT: Final = frozenset({"/api/v1/officers/logout"})
_CREDENTIALS: Final = frozenset({("header", "x-api-key"), ("header", "authorization")})


def declared_statuses(method: str, path: str, access: AccessPolicy) -> list[int]:
    """The 4xx statuses an operation declares (module docstring), ascending."""
    found = {404, 413, 422}
    if access.routes.get(f"{method.upper()} {path}") != PUBLIC:
        found |= {401, 403}
    if method.lower() in _UNSAFE:
        found.add(409)
    if path in _SIGN_IN:
        found |= {401, 429}
    return sorted(found)


def _with_problems(document: dict[str, Any], access: AccessPolicy) -> dict[str, Any]:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, never answered
        components.pop(name, None)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in declared_statuses(method, path, access):
                responses[str(status)] = {
                    "description": TITLES[status],
                    "content": {PROBLEM: {"schema": ref}},
                }
    return document


def security_for(method: str, path: str, access: AccessPolicy) -> list[dict[str, list[str]]]:
    """The operation's security requirement: `ApiKey` when a channel holds the route's
    permission, `Bearer` when an officer role does, none for a public route."""
    permission = access.routes.get(f"{method.upper()} {path}", PUBLIC)
    if path in _SIGN_OUT:  # public, and ends the bearer token's session when one is sent
        return [{"Bearer": []}, {}]
    if permission == PUBLIC:
        return []
    holders = access.holders(permission)
    found: list[dict[str, list[str]]] = [{"ApiKey": []}] if "channel" in holders else []
    return found + ([{"Bearer": []}] if holders - {"channel"} else [])


def _with_security(document: dict[str, Any], access: AccessPolicy) -> dict[str, Any]:
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            operation["security"] = security_for(method, path, access)
            # the credentials `authorize` reads are the schemes above, not parameters
            parameters = [p for p in operation.get("parameters", [])
                          if (p["in"], p["name"].lower()) not in _CREDENTIALS]  # fmt: skip
            operation["parameters"] = parameters
            for parameter in parameters:
                if parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key":
                    # optional in the signature so a missing key is a 422 naming the header
                    # (routes._key), required in fact
                    parameter.update(name="Idempotency-Key", required=True,
                                     description=IDEMPOTENCY,
                                     schema={"type": "string", "minLength": 1, "maxLength": 128},
                                     example="7f9c2ba4-e88f-4a3b-9d1c-1f0e5a6b2c3d")  # fmt: skip
    return document


def _with_examples(document: dict[str, Any]) -> dict[str, Any]:
    """Each JSON request body shows its model's first example (`schemas.example`)."""
    schemas = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None or "examples" in media:  # Body(openapi_examples=…) already
                continue
            ref = media.get("schema", {}).get("$ref", "")
            examples = schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples")
            if examples:
                media["example"] = examples[0]
    return document


def install_openapi(app: FastAPI, access: AccessPolicy) -> None:
    """Serve the document with the problem responses (module docstring)."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = _with_examples(
                _with_security(_with_problems(document, access), access)
            )
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
