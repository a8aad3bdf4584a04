"""The FastAPI application: `create_app(deps, engine, secret_key)`.

Wires the flow dependencies, the security (API keys, officer tokens, the one permission check
`security.authorize` on every router, login throttling, security headers on every response),
the error mapping and the
staff workbench (server-rendered pages, adapters/web/registry.py). OpenAPI at /openapi.json,
read at /docs and /redoc (local assets: `docs_pages.py`). Request bodies are never
logged (they carry identifiers); responses carry masked identifiers only. The serving model
spec is kept in `model_specs` by its digest at start, so every decision can be replayed.

With `follow_publications_every_s`, a background task polls for a spec or policy published
after the start (service_layer.serving) and swaps the wiring; requests read it once each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from datetime import datetime
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from creditfactory.access import DEFAULT_ACCESS, AccessPolicy, LoginThrottle
from creditfactory.adapters.api.audit_routes import router as audit_router
from creditfactory.adapters.api.docs_pages import install_docs
from creditfactory.adapters.api.errors import install_error_handlers
from creditfactory.adapters.api.headers import SecurityHeaders
from creditfactory.adapters.api.officer_routes import router as officer_router
from creditfactory.adapters.api.openapi import install_openapi
from creditfactory.adapters.api.rates_routes import router as rates_router
from creditfactory.adapters.api.request_guard import RequestGuard, known_query
from creditfactory.adapters.api.routes import router
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.web.registry import install_web
from creditfactory.kernel.errors import CreditFactoryError
from creditfactory.scoring.spec import dump_spec
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.serving import published_update

__all__ = ["API_ROUTERS", "create_app", "keep_serving_spec", "refresh_serving"]

API_ROUTERS: Final = (router, officer_router, rates_router, audit_router)
"""The routers of /api/v1, in the OpenAPI document (the workbench's pages are not); the
API fuzz run walks their operations (tests/reliability/test_api_fuzz.py)."""

log = logging.getLogger(__name__)


def keep_serving_spec(deps: FactoryDeps) -> None:
    """Store the serving spec by digest (first copy wins) with its audit leaf."""
    from creditfactory.service_layer.checked_actions import upload_model

    upload_model(deps, dump_spec(deps.spec), "system:serving")


async def refresh_serving(app: FastAPI, started_at: datetime) -> bool:
    """Serve the spec and policy published since `started_at`, if any changed; True when the
    wiring was swapped. A publication that fails to load, or a database error, is logged and
    the current wiring kept."""
    current: FactoryDeps = app.state.deps
    try:
        updated = await run_in_threadpool(published_update, current, started_at)
    except (CreditFactoryError, SQLAlchemyError) as exc:  # incl. an unapproved failing spec
        log.warning("publications not applied, still serving spec %s, policy %s: %s",
                    current.spec_digest[:12], current.policy.version, exc)  # fmt: skip
        return False
    if updated is None:
        return False
    app.state.deps = updated
    log.warning("now serving spec %s, policy %s, LPR series %s (published)",
                updated.spec_digest[:12], updated.policy.version,
                updated.lpr_series.version if updated.lpr_series else "shipped")  # fmt: skip
    return True


def _following(
    every_s: float, started_at: datetime
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def poll() -> None:
            while True:
                await asyncio.sleep(every_s)
                try:
                    await refresh_serving(app, started_at)
                except Exception:  # the poller outlives any one failure; it is logged
                    log.exception("looking for published specs and policies failed")

        task = asyncio.create_task(poll())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return lifespan


def create_app(
    deps: FactoryDeps,
    engine: Engine,
    secret_key: str,
    *,
    access: AccessPolicy = DEFAULT_ACCESS,
    throttle: LoginThrottle | None = None,
    signing_key: Ed25519PrivateKey | None = None,
    follow_publications_every_s: float | None = None,
    production: bool = False,
) -> FastAPI:
    """The API app over `deps` (flow wiring) and `engine` (identity tables). `signing_key`
    signs audit tree heads (default: `Settings().audit_signing_key_path`, loaded on first use).
    `follow_publications_every_s`: poll for published specs and policies (module docstring);
    None serves `deps` as given. `production`: HSTS on every response and the session cookie
    `Secure` whatever scheme the request arrived by (TLS ends at the proxy)."""
    lifespan = None
    if follow_publications_every_s is not None:
        lifespan = _following(follow_publications_every_s, deps.clock.now())
    app = FastAPI(
        title="creditfactory",
        version="0.1.0",
        description="小微企业 lending: 在线测额, applications, decisions, offers, loans (310 flow).",
        lifespan=lifespan,
        docs_url=None,  # docs_pages: the same pages with local assets
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.deps = deps
    app.state.security = Security(engine, secret_key, deps.clock, access, throttle)
    app.state.engine = engine
    app.state.signing_key = signing_key
    app.state.production = production
    install_error_handlers(app)
    install_openapi(app, access)
    install_docs(app)
    app.add_middleware(RequestGuard)
    app.add_middleware(SecurityHeaders, production=production)  # outermost: on every answer
    for api_router in API_ROUTERS:  # unknown query parameters: 422 (request_guard)
        app.include_router(api_router, dependencies=[Depends(known_query)])
    install_web(app)  # the workbench's pages (adapters/web/registry.py) and /static
    keep_serving_spec(deps)
    return app
