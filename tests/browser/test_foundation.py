"""The workbench's foundation as a person in Chromium sees it: the top bar (user, role, sign-out),
amounts in 元 with separators, times in China Standard Time, the language switch and its cookie,
the list component (sort, filter, paging, bad parameters), CSV and Excel exports of the same
query, the copy button, the friendly 403 / 404 / 422 pages and the throttled sign-in sentence.

Expected values come from elsewhere: the seeded requests (amounts as the channel sent them),
the database (submission times, converted here with the IANA zone Asia/Shanghai, not with the
app's code), the zh-CN words of the catalogue."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from creditfactory.adapters.storage.origination_tables import applications
from tests.browser.conftest import LOGIN_WAIT_S, Workbench, screenshot, sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _rows(page: Any) -> list[list[str]]:
    return [[c.strip() for c in row.locator("td").all_inner_texts()]
            for row in page.locator("#list-applications tbody tr").all()]  # fmt: skip


def _submitted(bench: Workbench, application_id: str) -> datetime:
    with bench.engine.connect() as db:
        found = db.execute(select(applications.c.submitted_at).where(
            applications.c.application_id == application_id)).scalar_one()  # fmt: skip
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def test_home_shows_user_queues_money_and_cst_times(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "loan_officer")
    top = page.locator("header.topbar")
    assert top.get_by_test_id("user-name").inner_text() == workbench.users["loan_officer"][0]
    assert top.get_by_test_id("user-role").inner_text() == "客户经理 loan officer"
    assert top.get_by_role("button", name="退出").is_visible()
    assert top.get_by_test_id("user-branch").inner_text() == "总行"  # seeded at the head office
    referred = len(workbench.seeded["referred"])
    card = page.locator('[data-queue="referrals"]')
    assert card.locator("b").inner_text() == str(referred)
    first = workbench.seeded["disbursed"][0]  # 300000 as the channel sent it
    row = page.locator("#list-applications tbody tr", has=page.locator(
        f'[data-copy="{first["application_id"]}"]'))  # fmt: skip
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert "300,000.00 元" in cells and "已放款" in cells
    shown = _submitted(workbench, first["application_id"]).astimezone(SHANGHAI)
    assert shown.strftime("%Y-%m-%d %H:%M CST") in cells
    assert "125,000.50 元" in page.locator("#list-applications").inner_text()
    screenshot(page, "home-loan-officer")


def test_menu_and_queues_follow_the_role(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "administrator")
    assert page.get_by_test_id("user-role").inner_text() == "系统管理员 administrator"
    queues = page.locator("[data-queue]").evaluate_all("els => els.map(e => e.dataset.queue)")
    assert "officers" in queues and "referrals" not in queues and "loans" not in queues
    assert page.locator("#list-applications").count() == 0  # no referral.read
    screenshot(page, "home-administrator")


def test_language_switch_is_kept_in_a_cookie(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "credit_approver")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("user-role").inner_text() == "credit approver 审批人"
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.locator("h2").first.inner_text() == "Applications"
    page.goto(f"{workbench.url}/")  # no ?lang: the cookie keeps English
    assert page.get_by_role("heading", level=1).inner_text() == "Your work"
    screenshot(page, "home-credit-approver-en")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url(re.compile(r"lang=zh-CN"))
    assert page.get_by_role("heading", level=1).inner_text() == "我的工作"


def test_list_sorts_filters_and_pages_on_the_server(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "loan_officer")
    amount = page.locator("#list-applications th", has_text="申请金额")
    amount.locator("a").click()  # htmx swaps the page in: wait for the header to say so
    page.wait_for_selector('#list-applications th[aria-sort="ascending"] >> text=申请金额')
    amounts = [r[3] for r in _rows(page)]
    assert amounts[0] == "86,000.00 元" and amounts[-1] == "450,000.00 元"  # ascending
    assert "sort=amount" in page.url  # pushed: Back and a copied link give the same list
    amount.locator("a").click()
    page.wait_for_selector('#list-applications th[aria-sort="descending"] >> text=申请金额')
    assert [r[3] for r in _rows(page)][0] == "450,000.00 元"
    page.select_option('select[name="status"]', "referred")
    page.click('#list-applications button[type="submit"]')
    referred = len(workbench.seeded["referred"])
    page.wait_for_selector(f'[data-testid="list-total"] >> text=共 {referred} 行')
    assert {r[6] for r in _rows(page)} == {"转人工审批"}
    assert len(_rows(page)) == referred
    page.goto(f"{workbench.url}/?per_page=10&sort=amount&page=1&applicant=海峡")
    assert [r[1] for r in _rows(page)] == ["福州海峡餐饮有限公司"]
    page.goto(f"{workbench.url}/?per_page=10&page=2")
    assert page.locator("td.empty").inner_text() == "暂无数据。"
    screenshot(page, "home-list-empty-page")


def test_bad_list_parameters_answer_a_422_page_naming_them(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "loan_officer")
    for query, field in (("per_page=7", "per_page"), ("sort=nope", "sort"), ("bogus=1", "bogus"),
                         ("page=0", "page"), ("submitted_at_from=2026-13-01", "submitted_at_from"),
                         ("status=paid", "status")):  # fmt: skip
        answer = page.goto(f"{workbench.url}/?{query}")
        assert answer is not None and answer.status == 422, query
        assert page.get_by_test_id("error-field").inner_text() == field
        assert page.get_by_test_id("error-sentence").inner_text() == "本页有一个值不被接受。"
        assert page.get_by_test_id("user-name").is_visible()  # still inside the workbench
    screenshot(page, "error-422")


def test_exports_carry_the_same_query(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "loan_officer")
    page.goto(f"{workbench.url}/?status=disbursed&sort=amount")
    with page.expect_download() as got:
        page.get_by_test_id("export-csv").click()
    raw = got.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["申请", "申请人", "证件号码", "申请金额"]
    assert [r[3] for r in rows[1:]] == ["86000.00", "125000.50", "300000.00"]
    assert {r[6] for r in rows[1:]} == {"已放款"}
    ids = {a["application_id"] for a in workbench.seeded["disbursed"]}
    assert {r[0] for r in rows[1:]} == ids  # whole ids, not the shortened display
    with page.expect_download() as got:
        page.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(io.BytesIO(got.value.path().read_bytes())).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][3] == "申请金额"
    assert [Decimal(str(v[3])) for v in values[1:]] == [Decimal("86000"), Decimal("125000.5"),
                                                        Decimal("300000")]  # fmt: skip
    assert "福州海峡餐饮有限公司" in {v[1] for v in values[1:]}


def test_copy_button_copies_the_whole_id(workbench: Workbench, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=workbench.url)
    page = context.new_page()
    try:
        sign_in(page, workbench, "auditor")
        whole = workbench.seeded["disbursed"][0]["application_id"]
        button = page.locator(f'button[data-copy="{whole}"]')
        assert whole not in button.locator("xpath=..").inner_text()  # shown shortened
        button.click()
        page.wait_for_selector(f'button[data-copy="{whole}"][data-copied="1"]')
        assert page.evaluate("navigator.clipboard.readText()") == whole
    finally:
        context.close()


def test_a_role_without_the_permission_sees_the_403_page(workbench: Workbench, page: Any) -> None:
    name = "norole_" + uuid.uuid4().hex[:6]  # signed up, no role granted yet
    workbench.app.state.security.create_officer(name, "pw-" + name, "none", datetime.now(UTC))
    page.goto(f"{workbench.url}/login")
    page.fill("#username", name)
    page.fill("#password", "pw-" + name)
    with page.expect_response(f"{workbench.url}/") as answer:
        page.click("button[type=submit]")
    assert answer.value.status == 403
    assert page.locator("h1").inner_text() == "403 无权访问"
    assert page.get_by_test_id("error-sentence").inner_text() == "您的角色无权使用此页面或操作。"
    assert page.get_by_test_id("user-name").inner_text() == name
    screenshot(page, "error-403")


def test_unknown_page_is_a_404_page_inside_the_workbench(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "risk_manager")
    answer = page.goto(f"{workbench.url}/no-such-page")
    assert answer is not None and answer.status == 404
    assert page.locator("h1").inner_text() == "404 未找到"
    assert page.get_by_test_id("user-name").is_visible()
    assert "problem" not in (answer.headers.get("content-type") or "")
    screenshot(page, "error-404")


def test_throttled_sign_in_says_how_long_to_wait(workbench: Workbench, page: Any) -> None:
    username = workbench.users["auditor_2"][0]
    page.goto(f"{workbench.url}/login")
    statuses = []
    for _ in range(6):
        page.fill("#username", username)
        page.fill("#password", "wrong")
        with page.expect_response(f"{workbench.url}/login") as answer:
            page.click("button[type=submit]")
        statuses.append(answer.value.status)
    assert statuses == [401] * 5 + [429]
    sentence = page.get_by_test_id("login-error").inner_text()
    found = re.fullmatch(r"登录失败次数过多，请等待 (\d+) 秒后再试。", sentence)
    assert found and 0 < int(found.group(1)) <= LOGIN_WAIT_S, sentence
    assert "{" not in page.locator("body").inner_text()  # no raw problem+json
    screenshot(page, "sign-in-throttled")


def test_sign_out_ends_the_session(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "risk_manager")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{workbench.url}/login")
    screenshot(page, "sign-in")
    page.goto(f"{workbench.url}/")
    assert page.url == f"{workbench.url}/login"  # the session is over: back to the form


def test_home_chart_shows_the_book_by_grade(workbench: Workbench, page: Any) -> None:
    """ECharts draws (SVG: the axis labels are text) and the table under it gives the exact
    sums: every seeded disbursement is 正常 (PASS) on its first day."""
    sign_in(page, workbench, "risk_manager")
    booked = sum(Decimal(a["offer"]["amount"]) for a in workbench.seeded["disbursed"])
    table = page.get_by_test_id("chart-portfolio-grades-data")
    rows = [[c.strip() for c in r.locator("td").all_inner_texts()]
            for r in table.locator("tbody tr").all()]  # fmt: skip
    assert rows == [["正常", f"{booked:,.2f} 元"], ["关注", "0.00 元"], ["次级", "0.00 元"],
                    ["可疑", "0.00 元"], ["损失", "0.00 元"]]  # fmt: skip
    page.wait_for_selector('#chart-portfolio-grades [data-drawn="1"] svg')
    labels = page.locator("#chart-portfolio-grades svg text").evaluate_all(
        "texts => texts.map(t => t.textContent)"
    )  # SVG text has no innerText
    assert {"正常", "关注", "次级", "可疑", "损失"} <= set(labels)
    screenshot(page, "home-risk-manager")
