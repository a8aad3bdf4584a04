"""Friendly HTML error pages (403, 404, 422, 429, 500 …) for the workbench's page routes.

The one error mapping stays `adapters/api/errors.py` (status, title, field, rule); for a request
to a page route (`is_page`: anything outside /api/, the OpenAPI document, the API docs and
/static) it answers with `page_error` instead of problem+json. The page says what happened in
a sentence in the user's language, names the field and rule of a 422, gives the wait of a 429,
and never shows an exception's text for a 500. When the browser carries a live session the top
bar and menu are shown, so the user can go on from there.
"""

from __future__ import annotations

from typing import Final

from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from creditfactory.adapters.web.nav import N_
from creditfactory.adapters.web.render import Viewer, render, viewer_of

__all__ = ["MESSAGES", "is_page", "page_error"]

_NOT_PAGES: Final = ("/api/", "/openapi.json", "/docs", "/redoc", "/static/")

MESSAGES: Final = {
    400: (N_("Bad request"), N_("The request could not be read.")),
    401: (N_("Please sign in"), N_("You are not signed in, or your session has ended.")),
    403: (N_("Not allowed"), N_("Your role does not allow this page or action.")),
    404: (N_("Not found"), N_("There is no such page or record, or it is not yours to see.")),
    405: (N_("Not allowed"), N_("This page does not accept that kind of request.")),
    409: (N_("Conflict"), N_("The record changed or is busy; reload the page and try again.")),
    413: (N_("Too large"), N_("The request is too large.")),
    422: (N_("Check the input"), N_("A value on this page was not accepted.")),
    429: (N_("Too many attempts"), N_("Too many attempts. Please wait and try again.")),
    500: (N_("Something went wrong"),
          N_("Something went wrong on our side. It has been logged; please try again later.")),
}  # fmt: skip


def is_page(request: Request) -> bool:
    """True for a workbench page route (errors answered as HTML, not problem+json). An app
    without the workbench (no `security` on its state: an API-only app built around the error
    handlers) has no pages to render, so its errors stay problem+json."""
    if getattr(request.app.state, "security", None) is None:
        return False
    path = request.url.path
    return not path.startswith(_NOT_PAGES)


def _viewer(request: Request) -> Viewer | None:
    """The signed-in officer for the top bar, or None; never raises (an error page must
    render whatever the session's state)."""
    from creditfactory.adapters.api.security import SESSION_COOKIE

    if getattr(request.state, "principal", None) is None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        try:
            request.state.principal = request.app.state.security.officer(f"Bearer {token}")
        except Exception:  # an ended session or a database error: show the page without it
            return None
    try:
        return viewer_of(request)
    except Exception:  # the database may be why we are here
        return None


def _page(request: Request, status: int, detail: str, field: str, retry_after_s: int | None,
          headers: dict[str, str] | None) -> HTMLResponse:  # fmt: skip
    title, sentence = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    return render(
        request, "errors/error.html", status_code=status, headers=headers,
        viewer=_viewer(request), status=status, title=title, sentence=sentence,
        detail=detail if status in (403, 409, 422) else "", field=field,
        retry_after_s=retry_after_s,
    )  # fmt: skip


async def page_error(
    request: Request,
    status: int,
    *,
    detail: str = "",
    field: str = "",
    retry_after_s: int | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The HTML error page of `status` for `request` (module docstring). `detail` is shown for
    403 / 409 / 422 only (the rule broken); `retry_after_s` for 429."""
    return await run_in_threadpool(_page, request, status, detail, field, retry_after_s, headers)
