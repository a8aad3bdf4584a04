"""The friendly error pages on page routes, where a browser cannot show it: a defect in a page
(an unexpected exception) answers the 500 page in the user's language without a word of the
exception, while the API keeps problem+json for the same kind of failure; a page route without
a session and without `Accept: text/html` is a 401 page, not JSON. And the package's static files
are revalidated (`no-cache`, 304 on a matching ETag) while pages are never stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import pytest

from creditfactory.adapters.web import home
from tests.e2e.conftest import _cipher, make_api, sqlite_engine

__all__ = ["_cipher", "make_api", "sqlite_engine"]  # fixtures used here

SECRET = "the database said: password=hunter2"


def _get(app: Any, path: str, **headers: str) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(path, headers=headers)

    return anyio.run(call)


def test_a_defect_on_a_page_is_the_500_page_without_its_text(
    sqlite_engine: Any, make_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api(sqlite_engine)
    app = api.client.app
    app.state.security.create_officer("err_wang", "pw-err-wang-1", "approver", datetime.now(UTC))
    token = app.state.security.login("err_wang", "pw-err-wang-1")

    def broken(*_args: Any) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(home, "queue_counts", broken)
    page = _get(app, "/?lang=en", Cookie=f"cf_session={token}")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Something went wrong on our side" in page.text and "err_wang" in page.text
    assert "hunter2" not in page.text and "RuntimeError" not in page.text
    api_answer = _get(app, "/api/v1/loans/nope", **{"X-API-Key": api.key})
    assert api_answer.headers["content-type"] == "application/problem+json"  # API unchanged


def test_a_page_without_a_session_is_a_401_page_or_the_sign_in(
    sqlite_engine: Any, make_api: Any
) -> None:
    app = make_api(sqlite_engine).client.app
    bare = _get(app, "/")
    assert bare.status_code == 401 and bare.headers["content-type"].startswith("text/html")
    assert "您尚未登录，或会话已结束。" in bare.text
    browser = _get(app, "/", Accept="text/html")
    assert (browser.status_code, browser.headers["location"]) == (303, "/login")


def test_static_files_are_revalidated_pages_never_stored(sqlite_engine: Any, make_api: Any) -> None:
    app = make_api(sqlite_engine).client.app
    asset = _get(app, "/static/vendor/htmx-2.0.4.min.js")
    assert asset.status_code == 200 and asset.headers["cache-control"] == "no-cache"
    again = _get(
        app, "/static/vendor/htmx-2.0.4.min.js", **{"If-None-Match": asset.headers["etag"]}
    )
    assert again.status_code == 304  # revalidated, not downloaded again
    assert "script-src 'self'" in asset.headers["content-security-policy"]
    assert _get(app, "/login").headers["cache-control"] == "no-store"
