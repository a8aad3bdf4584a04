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

It also declares what labels the figures of a success response (issue #12 item 9): the limit
estimate and application views carry ``currency``, ``pd_horizon_months`` and ``model``
(`FigureLabels`, built by `service_layer.factory_views`), the loan view ``currency``
(`AmountLabels`); the rest of those bodies stays an open object.

`install_openapi(app, access)` replaces `app.openapi` with a builder that adds them once.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from creditfactory.access import PUBLIC, AccessPolicy
from creditfactory.adapters.api.errors import PROBLEM

__all__ = ["PROBLEM_SCHEMA", "declared_statuses", "install_openapi"]

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
_CURRENCY: Final = {
    "type": "string",
    "example": "CNY",
    "description": "ISO 4217 currency of every amount in the body",
}
MODEL_SCHEMA: Final[dict[str, Any]] = {
    "title": "ModelLabels",
    "type": "object",
    "description": "The model and data set the decision's score, PD and grade come from.",
    "required": ["model_id", "spec_sha256", "dataset", "dataset_currency", "pd_horizon"],
    "properties": {
        "model_id": {"type": "string", "example": "cumcm-2020c-ordinal"},
        "spec_sha256": {"type": "string", "description": "sha256 of the frozen spec"},
        "dataset": {"type": ["string", "null"], "example": "cumcm-2020c",
                    "description": "the training data set (null when the spec does not say)"},
        "dataset_currency": {"type": ["string", "null"], "example": "CNY",
                             "description": "currency of the training data's amounts"},
        "pd_horizon": {
            "type": "object",
            "description": "the model's own PD window and the horizon it is converted to",
            "properties": {
                "basis": {"type": "string", "enum": ["months", "life_of_loan"]},
                "window_months": {"type": "number", "example": 12},
                "converted_to_months": {"type": "integer", "example": 12},
            },
        },
    },
}  # fmt: skip
FIGURES_SCHEMA: Final[dict[str, Any]] = {
    "title": "FigureLabels",
    "type": "object",
    "required": ["currency", "pd_horizon_months", "model"],
    "properties": {
        "currency": _CURRENCY,
        "pd_horizon_months": {"type": "integer", "example": 12,
                              "description": "horizon of every PD (pd_12m) and grade shown"},
        "model": {"anyOf": [{"$ref": "#/components/schemas/ModelLabels"}, {"type": "null"}],
                  "description": "null only before a decision"},
    },
    "additionalProperties": True,
}  # fmt: skip
AMOUNTS_SCHEMA: Final[dict[str, Any]] = {
    "title": "AmountLabels",
    "type": "object",
    "required": ["currency"],
    "properties": {"currency": _CURRENCY},
    "additionalProperties": True,
}
LABELLED: Final = {
    ("post", "/api/v1/limit-estimates"): "FigureLabels",
    ("post", "/api/v1/applications"): "FigureLabels",
    ("get", "/api/v1/applications/{application_id}"): "FigureLabels",
    ("post", "/api/v1/offers/{offer_id}/accept"): "FigureLabels",
    ("get", "/api/v1/loans/{loan_id}"): "AmountLabels",
}
_UNSAFE: Final = frozenset({"post", "put", "patch", "delete"})
_SIGN_IN: Final = frozenset({"/api/v1/officers/login"})


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


def _with_labels(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(ModelLabels=MODEL_SCHEMA, FigureLabels=FIGURES_SCHEMA,
                      AmountLabels=AMOUNTS_SCHEMA)  # fmt: skip
    for (method, path), name in LABELLED.items():
        ok = document["paths"][path][method]["responses"]["200"]
        ok["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
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
            app.openapi_schema = _with_labels(_with_problems(document, access))
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
