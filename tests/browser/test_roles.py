"""Every role walks the whole menu: each page the access document lets it open answers 200 with
its own name in the top bar, and each menu page it may not open answers the 403 page — so a
page added to `nav.NAV` is walked by every role without a test of its own. Keyboard: the first
Tab reaches the skip link, and Enter on it moves to the page's main content."""

from __future__ import annotations

from typing import Any

import pytest

from creditfactory.access import ROLES
from creditfactory.adapters.web.nav import NAV
from tests.browser.conftest import Workbench, sign_in

OFFICER_ROLES = [r for r in ROLES if r != "channel"]


@pytest.mark.parametrize("role", OFFICER_ROLES)
def test_each_role_opens_its_menu_and_is_refused_the_rest(
    workbench: Workbench, page: Any, role: str
) -> None:
    sign_in(page, workbench, role)
    shown = page.locator("header.topbar nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert shown and shown[0] == "/"
    for entry in NAV:
        answer = page.goto(f"{workbench.url}{entry.path}")
        assert answer is not None
        if entry.path in shown:
            assert answer.status == 200, (role, entry.path)
            assert page.get_by_test_id("user-name").inner_text() == workbench.users[role][0]
            current = page.locator('header.topbar nav a[aria-current="page"]')
            assert current.get_attribute("href") == entry.path
        else:
            assert answer.status == 403, (role, entry.path, answer.status)
            assert page.locator("h1").inner_text() == "403 无权访问"


def test_keyboard_reaches_the_content_first(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "loan_officer")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
