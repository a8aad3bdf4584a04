"""`render(request, template, **ctx)`: the one way a workbench page is answered.

Every page template extends `base.html` and is rendered here with, besides `ctx`:

- `user`: the signed-in officer (`Viewer`: username, role, role label in zh and en, branch
  when the officer row has one) or None (sign-in and error pages without a session);
- `lang` ("zh-CN" | "en"), `lang_urls` (this page in each language, other query kept);
- `csrf`: the session's anti-CSRF token (every form carries it as `csrf_token`; htmx sends it
  as the X-CSRF-Token header from the `<body hx-headers>`); `authorize` checks either;
- `nav`: the menu entries the role may open (`nav.nav_for`), `path` (current path);
- the filters of `formatting` (`money`, `money_minor`, `cst`, `day`, `grade`, `masked_id`,
  `pct`, `uscc_masked`) and `_` / `gettext` / `ngettext` in the request's language
  (`{% trans %}` works too). Macros: `components/macros.html` (`id_copy`, `grade_badge`,
  `uscc`) and `components/list.html` (`list_table`, the list component).

A valid `?lang=` is kept in the `cf_lang` cookie (one year, SameSite=Lax: a preference, no
secret). Templates load only files from /static (the CSP allows nothing else): no inline
script or style.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request

from creditfactory.adapters.storage.access_store import OfficerStore
from creditfactory.adapters.web import formatting
from creditfactory.adapters.web.i18n import (
    LANG_COOKIE,
    LANG_PARAM,
    LANGS,
    lang_of,
    requested_lang,
    translations,
)
from creditfactory.adapters.web.nav import NavEntry, nav_for

__all__ = ["ENV", "Viewer", "render", "viewer_of"]

TEMPLATES: Final = Path(__file__).parent / "templates"
LANG_COOKIE_AGE_S: Final = 365 * 24 * 3600


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(context["lang"]).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context["lang"]).ngettext(singular, plural, n)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    for name in ("money", "money_minor", "cst", "day", "grade", "masked_id", "pct", "uscc_masked"):
        env.filters[name] = getattr(formatting, name)
    return env


ENV: Final = _environment()


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in officer as the top bar shows them."""

    officer_id: str
    username: str
    role: str
    role_zh: str
    role_en: str
    branch: str | None = None
    session_id: str = ""


def viewer_of(request: Request) -> Viewer | None:
    """The officer `authorize` resolved for this request (None for anonymous pages). Reads the
    officer row (username, branch) — call it from a worker thread, not the event loop."""
    principal = getattr(request.state, "principal", None)
    if principal is None or principal.kind != "officer":
        return None
    access = request.app.state.security.access
    with request.app.state.engine.connect() as db:
        row = OfficerStore(db).get(principal.officer_id) or {}
    zh, en = access.labels.get(principal.role, (principal.role, principal.role))
    return Viewer(
        officer_id=principal.officer_id,
        username=str(row.get("username", principal.officer_id)),
        role=principal.role, role_zh=zh, role_en=en,
        branch=row.get("branch_name") or row.get("branch_id"),
        session_id=principal.session_id,
    )  # fmt: skip


def _lang_urls(request: Request) -> dict[str, str]:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
    return {lang: f"{request.url.path}?{urlencode([*kept, (LANG_PARAM, lang)])}" for lang in LANGS}


def page_context(request: Request, viewer: Viewer | None) -> dict[str, Any]:
    """What every page template gets (module docstring), without the page's own `ctx`."""
    security = request.app.state.security
    nav: list[NavEntry] = nav_for(security.access, viewer.role) if viewer else []
    return {
        "request": request,
        "path": request.url.path,
        "user": viewer,
        "lang": lang_of(request),
        "lang_urls": _lang_urls(request),
        "csrf": security.csrf_token(viewer.session_id) if viewer else "",
        "nav": nav,
    }


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    viewer: Viewer | None = None,
    **ctx: Any,
) -> HTMLResponse:
    """The page `template` (under adapters/web/templates) for `request` with `ctx` and the
    common context (module docstring). `viewer`: pass one already resolved (error pages);
    otherwise it is read from the request's principal. Call from a worker thread (a sync
    route) — it reads the officer row."""
    who = viewer if viewer is not None else viewer_of(request)
    html = ENV.get_template(template).render(**page_context(request, who), **ctx)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    chosen = requested_lang(request)
    if chosen is not None and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE_S, samesite="lax",
                            httponly=True, secure=request.url.scheme == "https")  # fmt: skip
    return response
