"""The console is for officers: a browser without a session is sent to the sign-in form, a good
sign-in sets an HttpOnly SameSite cookie carrying the officer token, a bad one is refused, and a
channel's API key does not open the console."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def test_sign_in_sets_a_session_cookie_that_opens_the_console(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    security = api.client.app.state.security
    security.create_officer("console_wang", "pw-console", "approver", datetime.now(UTC))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    bad = api.client.post("/login", content="username=console_wang&password=nope", headers=form)
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text  # zh-CN by default
    good = api.client.post(
        "/login", content="username=console_wang&password=pw-console", headers=form
    )
    assert (good.status_code, good.headers["location"]) == (303, "/")
    cookie = good.headers["set-cookie"]
    assert "cf_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = cookie.split("cf_session=", 1)[1].split(";", 1)[0]
    assert api.client.get("/", headers={"Cookie": f"cf_session={token}"}).status_code == 200
    assert api.client.get("/", headers={"X-API-Key": api.key}).status_code == 403
    assert api.client.get("/login").status_code == 200
