"""The loan officer's and approver's main path in the browser (issue 14 "Done when"): a loan
officer finds a referral in the 待办 inbox with its reasons and data gaps, recommends approval
with a note; an approver finds it in the approval inbox with the maker's note, overrides the
amount and term with a reason and approves; the application page then shows the new offer and
status, and the customer page the approved application. The maker never gets the check form:
the page says why (maker-checker, enforced by the service layer and shown). Screenshots of
each page go to var/screenshots/."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Workbench, screenshot, sign_in


def _referred(bench: Workbench, index: int) -> dict[str, Any]:
    """The `index`-th seeded referral on a data gap (R01: the tax source timed out)."""
    gaps = [a for a in bench.seeded["referred"]
            if a["decision"]["reasons"][0]["code"] == "R01"]  # fmt: skip
    assert len(gaps) >= 2, bench.seeded.keys()  # the harness seeds two
    return gaps[index]


def _sign_out(page: Any) -> None:
    page.click("form.signout button")
    page.wait_for_url("**/login*")


def test_officer_recommends_then_approver_overrides_and_approves(
    workbench: Workbench, page: Any
) -> None:
    app = _referred(workbench, 0)
    app_id, name = app["application_id"], app["applicant"]["name"]
    assert app["requested_amount"] == "200000.00"  # the harness's first data-gap referral
    sign_in(page, workbench, "loan_officer")
    page.goto(f"{workbench.url}/referrals?waiting_for=recommendation")
    row = page.locator("#list-referrals tbody tr", has_text=name)
    # the inbox row: amount in 元, the rule's reason and the data gap in words (zh-CN)
    assert "200,000.00 元" in row.inner_text()
    assert "R01 外部数据缺失" in row.inner_text()
    assert "纳税信用等级暂时无法获取" in row.inner_text()
    screenshot(page, "referrals-inbox")
    row.locator(f"a[href='/applications/{app_id}']").click()
    page.wait_for_url(f"**/applications/{app_id}")
    assert page.inner_text("[data-testid=application-status]") == "转人工审批"
    assert page.inner_text("[data-testid=requested-amount]") == "200,000.00 元"
    assert "一致" in page.inner_text("[data-testid=replay]")  # the automatic decision replays
    screenshot(page, "application-referred")
    page.check("[data-testid=recommend-approve]")
    page.fill("[data-testid=recommend-note]", "纳税数据暂缺，经营流水稳定，建议批准")
    page.click("[data-testid=recommend-submit]")
    page.wait_for_selector("[data-testid=recommendation]")
    # the maker sees their own recommendation and no check form: another officer must check it
    assert "另一名审批人" in page.inner_text("[data-testid=four-eyes]")
    assert page.locator("[data-testid=check-form]").count() == 0
    _sign_out(page)

    sign_in(page, workbench, "credit_approver")
    page.goto(f"{workbench.url}/approvals")
    item = page.locator("#list-approvals tbody tr", has_text=name)
    assert "纳税数据暂缺，经营流水稳定，建议批准" in item.inner_text()  # the maker's note
    cells = item.locator("td")
    assert (cells.nth(1).inner_text(), cells.nth(5).inner_text()) == ("转人工决策", "批准")
    screenshot(page, "approvals-inbox")
    item.locator(f"a[href='/applications/{app_id}']").click()
    page.wait_for_url(f"**/applications/{app_id}")
    assert page.inner_text("[data-testid=maker-note]") == "纳税数据暂缺，经营流水稳定，建议批准"
    # an amount above the request is refused with the bound, nothing decided
    page.fill("[data-testid=override-amount]", "250000")
    page.fill("[data-testid=override-reason]", "多批一些")
    page.click("[data-testid=check-submit]")
    assert "override.amount" in page.inner_text("[data-testid=action-error]")
    assert page.inner_text("[data-testid=application-status]") == "转人工审批"
    page.fill("[data-testid=override-amount]", "150000")
    page.fill("[data-testid=override-term]", "24")
    page.fill("[data-testid=override-reason]", "按近六个月经营流水核定")
    screenshot(page, "application-check")
    page.click("[data-testid=check-submit]")
    page.wait_for_selector("[data-testid=offer]")
    assert page.inner_text("[data-testid=application-status]") == "已批准"
    assert page.inner_text("[data-testid=offer-amount]") == "150,000.00 元"
    assert page.inner_text("[data-testid=offer-term]") == "24 个月"
    assert "按近六个月经营流水核定" in page.inner_text("[data-testid=decisions]")
    assert "OVERRIDE" in page.inner_text("[data-testid=reasons]")
    screenshot(page, "application-approved")

    page.goto(f"{workbench.url}/customers?q={name}")
    page.locator(f"text={name}").first.click()
    page.wait_for_url("**/customers/bor_*")
    assert page.inner_text("[data-testid=customer-name]") == name
    assert "已批准" in page.inner_text("table")
    screenshot(page, "customer")


def test_the_approver_who_recommended_cannot_check(workbench: Workbench, page: Any) -> None:
    app = _referred(workbench, 1)
    sign_in(page, workbench, "credit_approver_2")
    page.goto(f"{workbench.url}/applications/{app['application_id']}?lang=en")
    page.check("[data-testid=recommend-decline]")
    page.click("[data-testid=recommend-submit]")
    page.wait_for_selector("[data-testid=recommendation]")
    assert "another approver must check it" in page.inner_text("[data-testid=four-eyes]")
    assert page.locator("[data-testid=check-form]").count() == 0
    assert page.inner_text("[data-testid=application-status]") == "referred"
