"""The workbench's routers, in one place: each area's module under adapters/web/ holds its
router (`router = APIRouter(dependencies=[Depends(authorize)])`), listed here once; the API
app includes them (`install_web`) after the API routers, and mounts the static assets.

Areas add their router to WEB_ROUTERS, their menu entry to `nav.NAV`, their templates under
`templates/<area>/`, and each `METHOD /path` with its permission to the access document
(`access/policies/`, a new version).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from creditfactory.adapters.web.admin import router as admin_router
from creditfactory.adapters.web.audit import router as audit_router
from creditfactory.adapters.web.auth import router as auth_router
from creditfactory.adapters.web.home import router as home_router
from creditfactory.adapters.web.loans import router as loans_router
from creditfactory.adapters.web.referrals import router as referrals_router

__all__ = ["STATIC_DIR", "WEB_ROUTERS", "install_web"]

WEB_ROUTERS: Final[tuple[APIRouter, ...]] = (
    home_router,
    auth_router,
    referrals_router,
    loans_router,
    audit_router,
    admin_router,
)
STATIC_DIR: Final = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    """Include the workbench's routers in `app` and serve `/static` from the package."""
    for router in WEB_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
