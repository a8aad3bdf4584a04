"""The administrator's main path in the browser (issue 14 "Done when": administrator grants a role
through maker-checker): an administrator adds a user (no role), asks for the auditor role with a
note and is told a second administrator must check it (no approve button for the maker); a
second administrator finds the pending change on the user's page with the maker and the note and
approves it; the page then shows the role 审计, the change executed, and the user signs in as an
auditor. Screenshots of the users list and the user page go to var/screenshots/."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from creditfactory.adapters.storage.identity_tables import officers
from tests.browser.conftest import Workbench, screenshot, sign_in


def _sign_out(page: Any) -> None:
    page.click("form.signout button")
    page.wait_for_url("**/login*")


def test_administrator_grants_a_role_a_second_administrator_approves(
    workbench: Workbench, page: Any
) -> None:
    name, password = f"new_{uuid.uuid4().hex[:6]}", "a long first password"
    sign_in(page, workbench, "administrator")
    page.goto(f"{workbench.url}/admin/users")
    page.fill("[data-testid=new-username]", name)
    page.fill("[data-testid=new-password]", password)
    page.select_option("[data-testid=new-branch]", "HQ")
    page.click("[data-testid=add-user-submit]")
    page.wait_for_url(f"{workbench.url}/admin/users")
    row = page.locator("#list-officers tbody tr", has_text=name)
    assert "无" in row.inner_text() and "总行" in row.inner_text()  # no role yet, head office
    screenshot(page, "admin-users")
    page.goto(f"{workbench.url}/admin/users/off_{name}")
    assert page.inner_text("[data-testid=officer-role]") == "无"
    page.select_option("[data-testid=role-select]", "auditor")
    page.fill("[data-testid=role-note]", "新入职审计岗")
    page.click("[data-testid=role-submit]")
    page.wait_for_selector("[data-testid=open-change]")
    assert page.inner_text("[data-testid=requested-role]") == "审计"
    assert "另一名管理员" in page.inner_text("[data-testid=four-eyes]")  # the maker may not check
    assert page.locator("[data-testid=approve-form]").count() == 0
    assert page.inner_text("[data-testid=officer-role]") == "无"  # nothing granted yet
    _sign_out(page)

    sign_in(page, workbench, "administrator_2")
    page.goto(f"{workbench.url}/admin/users/off_{name}")
    maker = workbench.users["administrator"][0]
    assert page.inner_text("[data-testid=maker]") == f"off_{maker}"
    assert page.inner_text("[data-testid=maker-note]") == "新入职审计岗"
    screenshot(page, "admin-user-pending")
    page.click("[data-testid=approve-submit]")
    page.wait_for_url(f"{workbench.url}/admin/users/off_{name}")
    assert page.inner_text("[data-testid=officer-role]") == "审计"
    history = page.inner_text("[data-testid=role-changes]")
    assert "已执行" in history and f"off_{workbench.users['administrator_2'][0]}" in history
    screenshot(page, "admin-user")
    with workbench.engine.connect() as db:
        role = db.execute(select(officers.c.role).where(officers.c.username == name))
        assert role.scalar_one() == "auditor"
    _sign_out(page)

    page.goto(f"{workbench.url}/login")  # the user has the role: signs in as an auditor
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{workbench.url}/")
    assert "审计" in page.inner_text("header")
