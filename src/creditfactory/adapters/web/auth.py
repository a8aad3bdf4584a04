"""Sign-in and sign-out of the workbench.

`/login` sets an HttpOnly, SameSite=Strict cookie (`Secure` in production or over HTTPS)
holding the same officer token the API's bearer header carries; `/logout` ends the session on
the server and clears the cookie. Both go through `Security` (the API's login checks and
throttle). A throttled sign-in answers 429 with Retry-After and says, as a sentence, how long
to wait (never raw problem+json).

CSRF (OWASP CSRF Prevention Cheat Sheet): every form carries the session's anti-CSRF token
(`Security.csrf_token`) and every unsafe request authenticated by the cookie must come from
this site (Origin/Referer) with that token — `/logout` here, every other page and the API
through `authorize`. A sign-in posted from another site is refused too (login CSRF).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditfactory.access import LoginThrottled
from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.api.security import (
    SESSION_COOKIE,
    TOKEN_TTL_S,
    Security,
    authorize,
    check_csrf,
    same_origin,
)
from creditfactory.adapters.web.nav import N_
from creditfactory.adapters.web.render import render

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(authorize)])

CROSS_SITE = N_("Cross-site sign-in refused.")
MISSING = N_("Username and password are required.")
WRONG = N_("Unknown user or wrong password.")


def _login_page(
    request: Request, error: str = "", status_code: int = 200, wait_s: int | None = None
) -> HTMLResponse:
    headers = {"Retry-After": str(wait_s)} if wait_s is not None else None
    return render(request, "auth/login.html", status_code=status_code, headers=headers,
                  error=error, wait_s=wait_s)  # fmt: skip


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return _login_page(request)


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    """Check the officer's credentials (throttled like the API login) and set the session
    cookie; then to the home page."""
    if request.headers.get("origin") and not same_origin(request):
        return await run_in_threadpool(_login_page, request, CROSS_SITE, 403)
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    security: Security = request.app.state.security
    address = request.client.host if request.client else "unknown"
    username, password = form.get("username", [""])[0], form.get("password", [""])[0]
    if not username or not password:
        return await run_in_threadpool(_login_page, request, MISSING, 400)
    try:
        token = await run_in_threadpool(security.login, username, password, address)
    except LoginThrottled as exc:
        return await run_in_threadpool(_login_page, request, "", 429, exc.retry_after_s)
    except Unauthorized:
        return await run_in_threadpool(_login_page, request, WRONG, 401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=TOKEN_TTL_S, httponly=True, samesite="strict",
        secure=request.app.state.production or request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    """End the cookie's session on the server (a copied token stops working at once) and clear
    the cookie. With a session, the form must carry its anti-CSRF token and come from this
    site (403 otherwise, the session kept)."""
    security: Security = request.app.state.security
    token = request.cookies.get(SESSION_COOKIE)
    try:
        who = await run_in_threadpool(security.officer, f"Bearer {token}") if token else None
    except Unauthorized:  # the session is over already: only the cookie is left to clear
        who = None
    if token and who is not None:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        check_csrf(request, security, who.session_id, form.get("csrf_token", [""])[0])
        await run_in_threadpool(security.logout, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
