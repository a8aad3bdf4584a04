"""The API documentation pages, with their assets served by the app (issue #14: `/docs` was blank
on a bank intranet when Swagger UI and ReDoc loaded from a CDN).

- `/docs`: Swagger UI, `/redoc`: ReDoc, `/docs/oauth2-redirect`: Swagger UI's redirect page —
  each loads only files under `/docs/assets/` (`docs_assets/`, versions and licences in
  `docs_assets/VERSIONS.md`) and `/openapi.json`; no inline script, so the pages' CSP
  (`headers.py`) allows scripts from this origin only.
- `install_docs(app)` mounts the assets and adds the three routes (public in the access
  document). FastAPI's own docs routes are off (`docs_url=None` in `main.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from creditfactory.adapters.api.security import authorize

__all__ = ["ASSETS", "install_docs"]

ASSETS: Final = Path(__file__).parent / "docs_assets"
_PREFIX: Final = "/docs/assets"
_SWAGGER: Final = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>creditfactory API — Swagger UI</title>
<link rel="stylesheet" href="{_PREFIX}/swagger-ui.css">
</head><body>
<div id="swagger-ui"></div>
<script src="{_PREFIX}/swagger-ui-bundle.js"></script>
<script src="{_PREFIX}/swagger-init.js"></script>
</body></html>
"""
_REDOC: Final = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>creditfactory API — ReDoc</title>
</head><body>
<redoc spec-url="/openapi.json" hide-download-button="false"></redoc>
<script src="{_PREFIX}/redoc.standalone.js"></script>
</body></html>
"""
_REDIRECT: Final = f"""<!doctype html>
<html lang="en-US"><body>
<script src="{_PREFIX}/oauth2-redirect.js"></script>
</body></html>
"""

router = APIRouter(dependencies=[Depends(authorize)], include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    """Swagger UI over /openapi.json (local assets)."""
    return HTMLResponse(_SWAGGER)


@router.get("/docs/oauth2-redirect", response_class=HTMLResponse)
def oauth2_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (local assets)."""
    return HTMLResponse(_REDIRECT)


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    """ReDoc over /openapi.json (local assets)."""
    return HTMLResponse(_REDOC)


def install_docs(app: FastAPI) -> None:
    """Mount `/docs/assets` and add the pages (module docstring)."""
    app.mount(_PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    app.include_router(router)
