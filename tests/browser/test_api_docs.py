"""/docs and /redoc in Chromium with every request to another host aborted (a bank intranet
without internet): the operations render from the app's own assets (issue 14, "API
documentation"), and no request ever left for another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import Workbench, screenshot


def _offline(page: Any, bench: Workbench) -> list[str]:
    """Abort every request to a host other than the app's; returns the aborted URLs."""
    home = urlsplit(bench.url).netloc
    elsewhere: list[str] = []

    def route(found: Any) -> None:
        url = found.request.url
        if urlsplit(url).netloc == home or url.startswith(("data:", "blob:")):
            found.continue_()
        else:
            elsewhere.append(url)
            found.abort()

    page.route("**/*", route)
    return elsewhere


def test_swagger_ui_renders_every_operation_offline(workbench: Workbench, page: Any) -> None:
    elsewhere = _offline(page, workbench)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{workbench.url}/docs")
    operations = page.locator(".opblock")
    operations.first.wait_for()
    document = workbench.api.get("/openapi.json").json()
    expected = sum(len(ops) for ops in document["paths"].values())
    assert operations.count() == expected >= 30
    text = page.locator("#swagger-ui").inner_text()
    assert "/api/v1/applications" in text and "/api/v1/audit/head" in text
    assert page.locator(".btn.authorize").is_visible()  # the security schemes are declared
    page.locator("#operations-applications-post_application_api_v1_applications_post").click()
    example = page.locator(".opblock.is-open .body-param__example, .opblock.is-open .microlight")
    assert "厦门测试贸易有限公司" in example.first.inner_text()  # the request body's example
    assert "additionalProp1" not in page.locator(".opblock.is-open").inner_text()
    screenshot(page, "api-docs-swagger")
    assert elsewhere == [] and errors == []


def test_redoc_renders_offline(workbench: Workbench, page: Any) -> None:
    elsewhere = _offline(page, workbench)
    page.goto(f"{workbench.url}/redoc")
    page.get_by_text("/api/v1/limit-estimates").first.wait_for()
    menu = page.locator("[role=menuitem], .menu-content li").all_inner_texts()
    assert len(menu) >= 30
    screenshot(page, "api-docs-redoc")
    assert elsewhere == []
