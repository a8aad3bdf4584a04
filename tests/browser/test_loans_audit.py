"""The loan page and the auditor's pages in Chromium (issue 14): the loan page shows the
disbursed amount, the schedule rows and the journal lines of a seeded loan; an auditor finds the
loan's audit trail, verifies an entry's inclusion proof in the page, verifies the whole log, and
downloads an offline bundle that the audit context's own checker accepts.

Expected values come from elsewhere: the amount the channel asked for (300,000 元), the API's
loan view (schedule), the database (journal lines), and for the proofs the Python verifier of
`creditfactory.audit` (check_bundle) — the page's checker is JavaScript, so the two agree or
the test fails; a tampered leaf must fail in the page."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from creditfactory.adapters.storage.ledger_tables import journal_entries, postings
from creditfactory.audit import check_bundle
from tests.browser.conftest import Workbench, screenshot, sign_in


def _loan(bench: Workbench) -> dict[str, Any]:
    return next(a for a in bench.seeded["disbursed"] if a["requested_amount"] == "300000.00")


def _yuan(text: str) -> str:
    return f"{Decimal(text):,.2f} 元"


def test_loan_page_shows_disbursement_schedule_and_journal(workbench: Workbench, page: Any) -> None:
    loan_id = _loan(workbench)["loan_id"]
    view = workbench.api.get(f"/api/v1/loans/{loan_id}").json()
    sign_in(page, workbench, "loan_officer")
    page.goto(f"{workbench.url}/loans/{loan_id}")
    assert page.get_by_test_id("disbursed").inner_text() == "300,000.00 元"
    assert page.get_by_test_id("loan-status").inner_text() == "正常还款"  # active
    rows = page.get_by_test_id("schedule-row")
    assert rows.count() == len(view["schedule"]) == 12
    first = [c.strip() for c in rows.first.locator("td").all_inner_texts()]
    assert first[1] == view["schedule"][0]["due_date"]
    assert first[2] == _yuan(view["schedule"][0]["principal_due"])
    assert first[3] == _yuan(view["schedule"][0]["interest_due"])
    assert rows.first.get_attribute("data-state") == "upcoming"
    with workbench.engine.connect() as db:
        legs = db.execute(select(postings.c.account, postings.c.amount_minor)
                          .join(journal_entries, journal_entries.c.entry_id == postings.c.entry_id)
                          .where(journal_entries.c.reference == loan_id)).all()  # fmt: skip
    lines = page.get_by_test_id("journal-line")
    assert lines.count() == len(legs) >= 2
    journal = page.get_by_test_id("journal").inner_text()
    assert "1301 贷款本金" in journal and "1001 清算资金" in journal and "放款" in journal
    assert "300,000.00 元" in page.get_by_test_id("transactions").inner_text()
    trail = page.get_by_test_id("trail-entry")
    assert trail.count() >= 4  # submitted, decided, offered, contracted, disbursed, posted
    page.get_by_test_id("verify-all").click()
    results = page.get_by_test_id("proof-result").all_inner_texts()
    assert results and all(r == "已包含：证明路径通向签名根" for r in results), results
    screenshot(page, "loan-page")


def test_auditor_finds_a_loans_trail_and_verifies_a_proof(workbench: Workbench, page: Any) -> None:
    loan_id = _loan(workbench)["loan_id"]
    sign_in(page, workbench, "auditor")
    page.goto(f"{workbench.url}/audit")
    page.get_by_test_id("lookup-kind").select_option("loan")
    page.get_by_test_id("lookup-value").fill(loan_id)
    page.get_by_role("button", name="查找").click()
    entries = page.get_by_test_id("trail-entry")
    entries.first.wait_for()
    actions = entries.locator("td:nth-child(3)").all_inner_texts()
    assert "application.submitted" in actions and "loan.disbursed" in actions
    sequences = [int(s) for s in entries.locator("td:nth-child(1)").all_inner_texts()]
    assert sequences == sorted(sequences)  # in log order
    disbursed = entries.nth(actions.index("loan.disbursed"))
    disbursed.locator("[data-verify=one]").click()
    assert disbursed.get_by_test_id("proof-result").inner_text() == "已包含：证明路径通向签名根"
    screenshot(page, "audit-trail")
    # the same proof, its leaf altered by one character, fails in the page
    page.evaluate("""() => { const row = document.querySelectorAll('[data-proof]')[0];
                             row.dataset.leaf = row.dataset.leaf.replace('"action"', '"actioN"'); }""")
    page.locator("[data-proof]").first.locator("[data-verify=one]").click()
    assert (
        "未包含" in page.locator("[data-proof]").first.get_by_test_id("proof-result").inner_text()
    )
    with page.expect_download() as download:
        disbursed.get_by_role("link", name="下载").click()
    bundle = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    key = workbench.app.state.signing_key
    assert check_bundle(bundle, key.public_key()).valid
    assert bundle["sequence"] == sequences[actions.index("loan.disbursed")]
    page.get_by_test_id("verify-log").click()
    assert "完好" in page.get_by_test_id("verify-result").inner_text()
    screenshot(page, "audit-verify")


def test_a_loan_officer_has_no_audit_pages(workbench: Workbench, page: Any) -> None:
    sign_in(page, workbench, "loan_officer")
    answer = page.goto(f"{workbench.url}/audit?kind=loan&value=x")
    assert answer is not None and answer.status == 403
    assert page.locator("header.topbar nav").get_by_role("link", name="审计").count() == 0
