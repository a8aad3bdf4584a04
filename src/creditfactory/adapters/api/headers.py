"""Security headers on every response (issue 13 defect 9; OWASP Secure Headers Project).

- `Content-Security-Policy`: the workbench and the API load nothing from elsewhere: scripts,
  stylesheets and htmx requests from this site only (the package's /static files: htmx, ECharts,
  app.js, app.css), no inline script or style, no eval (`default-src 'none'`). The API docs
  pages (/docs, /redoc: `docs_pages.py`) run Swagger UI / ReDoc from files this app serves
  and fetch /openapi.json, so their policy allows scripts from this origin only (no inline
  script, no other host); inline styles, data: images and a blob: worker, which both
  libraries use. `frame-ancestors 'none'` everywhere.
- `X-Frame-Options: DENY` (older browsers), `X-Content-Type-Options: nosniff`,
  `Referrer-Policy: same-origin` (no URL leaves the site; not `no-referrer`, under which
  Chromium sends `Origin: null` with a form post, so the sign-in's and sign-out's same-origin
  check refused every real browser — found by the workbench's browser tests).
- `Cache-Control: no-store`: responses carry personal data and officer pages; none may sit in a
  shared or browser cache. The package's static files (/static/, /docs/assets/: htmx, ECharts,
  Swagger UI …, no personal data) are `no-cache` instead: kept, revalidated by ETag (a 304), so
  a page does not download 1 MB of ECharts again each time.
- `Strict-Transport-Security` in production only (served behind TLS there; a development server
  on http://localhost must not pin HSTS into the developer's browser).
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders"]

_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_DOCS_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_DOCS: Final = ("/docs", "/redoc")
_STATIC: Final = ("/static/", "/docs/assets/")
HSTS: Final = "max-age=63072000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware adding the module's headers to every HTTP response."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(_DOCS)
        static = str(scope.get("path", "")).startswith(_STATIC)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = _DOCS_CSP if docs else _CSP
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cache-Control"] = "no-cache" if static else "no-store"
                if self.production:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, with_headers)
