"""Every success answer of the e2e suite matches the body the OpenAPI document declares for its
route (`adapters/api/responses.py`; issue #14): `SyncClient` calls `check_documented` on each
answer, so a key a read model adds, drops or retypes without the document fails the test that
met it."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import Match

__all__ = ["check_documented", "declared_model"]


def _routes(routes: Any) -> Any:
    for route in routes:  # FastAPI ≥ 0.16x keeps an included router as one entry
        inner = getattr(route, "original_router", None)
        yield from (_routes(inner.routes) if inner is not None else (route,))


def declared_model(app: Any, method: str, path: str, status: int) -> type[BaseModel] | None:
    """The model the route matching `method path` declares for `status`; None for a route
    outside the document (pages, docs) or a status it declares no model for."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in _routes(app.routes):
        if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.FULL:
            if not route.include_in_schema:
                return None
            model: type[BaseModel] | None = route.responses.get(status, {}).get("model")
            assert model is not None, f"{method} {route.path} declares no {status} body"
            return model
    return None


def check_documented(app: Any, method: str, path: str, answer: httpx.Response) -> None:
    """raises AssertionError when a 2xx JSON answer does not fit its declared model."""
    if (
        not 200 <= answer.status_code < 300
        or answer.headers.get("content-type") != "application/json"
    ):
        return
    model = declared_model(app, method.upper(), path.split("?", 1)[0], answer.status_code)
    if model is not None:
        model.model_validate(answer.json(), strict=True)  # no coercion; undocumented keys fail
