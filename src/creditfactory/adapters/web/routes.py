"""The console at `/` (officers only: counts, recent applications, decisions and loans, masked ids)
and its sign-in: `/login` sets an HttpOnly, SameSite=Strict cookie (`Secure` in production or
over HTTPS) holding the same officer token the API's bearer header carries; `/logout` ends the
session on the server and clears the cookie.

CSRF (OWASP CSRF Prevention Cheat Sheet): the console's forms carry the session's anti-CSRF
token (`Security.csrf_token`) and every unsafe request authenticated by the cookie must come from
this site (Origin/Referer) with that token — `/logout` here, the API through `authorize`. A
sign-in posted from another site is refused too (login CSRF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.api.security import (
    SESSION_COOKIE,
    TOKEN_TTL_S,
    Security,
    authorize,
    check_csrf,
    same_origin,
)
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.kernel.money import Money

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(authorize)])
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _yuan(minor: int | None) -> str:
    return f"{Money.from_minor(int(minor or 0)).amount:,.2f}"


def _loans(db: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = db.execute(
        select(loans.c.loan_id, loans.c.principal_minor, loans.c.annual_rate, loans.c.status,
               loans.c.dpd, loans.c.grade, loans.c.disbursement_date)
        .order_by(loans.c.updated_at.desc()).limit(15)
    )  # fmt: skip
    total = db.execute(
        select(func.count(), func.coalesce(func.sum(loans.c.principal_minor), 0))
    ).one()
    return [dict(r._mapping) for r in rows], {"count": total[0], "principal": _yuan(total[1])}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def console(request: Request) -> HTMLResponse:
    """Recent applications, decisions and loans, and the sign-out form."""
    deps = request.app.state.deps
    security: Security = request.app.state.security
    csrf = security.csrf_token(request.state.principal.session_id)
    with deps.uow() as uow:
        store = uow.applications
        apps, decisions, counts = store.recent(15), store.recent_decisions(15), store.counts()
        loan_rows, book = _loans(uow.connection)
    html = _ENV.get_template("console.html").render(
        apps=apps, decisions=decisions, counts=counts, loans=loan_rows, book=book, yuan=_yuan,
        policy=deps.policy.version, spec=deps.spec_digest[:12], csrf=csrf,
    )  # fmt: skip
    return HTMLResponse(html)


def _login_page(error: str = "", status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        _ENV.get_template("login.html").render(error=error), status_code=status_code
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form() -> HTMLResponse:
    """The sign-in form."""
    return _login_page()


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    """Check the officer's credentials (throttled like the API login) and set the session cookie."""
    if request.headers.get("origin") and not same_origin(request):
        return _login_page("跨站登录被拒绝 Cross-site sign-in refused", status_code=403)
    form = parse_qs((await request.body()).decode("utf-8"))
    security: Security = request.app.state.security
    address = request.client.host if request.client else "unknown"
    username, password = form.get("username", [""])[0], form.get("password", [""])[0]
    if not username or not password:
        return _login_page("请输入用户名和密码 Username and password are required", status_code=400)
    try:
        token = security.login(username, password, address)
    except Unauthorized:
        return _login_page("用户名或密码错误 Unknown user or wrong password", status_code=401)
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
