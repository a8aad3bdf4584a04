"""The FastAPI application: `create_app(deps, engine, secret_key)`.

Wires the flow dependencies, the security (API keys, officer tokens, the one permission check
`security.authorize` on every router, login throttling), the error mapping and the
server-rendered console at `/`. OpenAPI at /docs and /openapi.json. Request bodies are never
logged (they carry identifiers); responses carry masked identifiers only. The serving model
spec is kept in `model_specs` by its digest at start, so every decision can be replayed.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditfactory.access import DEFAULT_ACCESS, AccessPolicy, LoginThrottle
from creditfactory.adapters.api.audit_routes import router as audit_router
from creditfactory.adapters.api.errors import install_error_handlers, problem
from creditfactory.adapters.api.officer_routes import router as officer_router
from creditfactory.adapters.api.routes import router
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.web.routes import router as web_router
from creditfactory.scoring.spec import dump_spec
from creditfactory.service_layer.factory_ports import FactoryDeps

__all__ = ["create_app", "keep_serving_spec"]


def keep_serving_spec(deps: FactoryDeps) -> None:
    """Store the serving spec by digest (first copy wins) with its audit leaf."""
    from creditfactory.service_layer.checked_actions import upload_model

    upload_model(deps, dump_spec(deps.spec), "system:serving")


MAX_BODY_BYTES = 1_000_000


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with 413 problem+json before anything parses them
    (declared length or, for chunked bodies, as they stream in)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"body: larger than {self.max_bytes} bytes"
        response = problem(413, "Request body too large", detail, field="body")
        await response(scope, receive, send)


class BodyTooLarge(Exception):
    """A streamed body went over the limit."""


def create_app(
    deps: FactoryDeps,
    engine: Engine,
    secret_key: str,
    *,
    access: AccessPolicy = DEFAULT_ACCESS,
    throttle: LoginThrottle | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> FastAPI:
    """The API app over `deps` (flow wiring) and `engine` (identity tables). `signing_key`
    signs audit tree heads (default: `Settings().audit_signing_key_path`, loaded on first use)."""
    app = FastAPI(
        title="creditfactory",
        version="0.1.0",
        description="小微企业 lending: 在线测额, applications, decisions, offers, loans (310 flow).",
    )
    app.state.deps = deps
    app.state.security = Security(engine, secret_key, deps.clock, access, throttle)
    app.state.engine = engine
    app.state.signing_key = signing_key
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.include_router(router)
    app.include_router(officer_router)
    app.include_router(audit_router)
    app.include_router(web_router)
    keep_serving_spec(deps)
    return app
