"""The FastAPI application: `create_app(deps, engine, secret_key)`.

Wires the flow dependencies, the security (API keys, officer tokens), the error mapping and the
server-rendered console at `/`. OpenAPI at /docs and /openapi.json. Request bodies are never
logged (they carry identifiers); responses carry masked identifiers only.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from creditfactory.adapters.api.errors import install_error_handlers
from creditfactory.adapters.api.routes import router
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.web.routes import router as web_router
from creditfactory.service_layer.factory_ports import FactoryDeps

__all__ = ["create_app"]


def create_app(deps: FactoryDeps, engine: Engine, secret_key: str) -> FastAPI:
    """The API app over `deps` (flow wiring) and `engine` (identity tables)."""
    app = FastAPI(
        title="creditfactory",
        version="0.1.0",
        description="小微企业 lending: 在线测额, applications, decisions, offers, loans (310 flow).",
    )
    app.state.deps = deps
    app.state.security = Security(engine, secret_key)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(web_router)
    return app
