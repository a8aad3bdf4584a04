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

from creditfactory.access import DEFAULT_ACCESS, AccessPolicy, LoginThrottle
from creditfactory.adapters.api.audit_routes import router as audit_router
from creditfactory.adapters.api.errors import install_error_handlers
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
    app.include_router(router)
    app.include_router(officer_router)
    app.include_router(audit_router)
    app.include_router(web_router)
    keep_serving_spec(deps)
    return app
