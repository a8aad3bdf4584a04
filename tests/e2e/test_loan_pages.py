"""The loan page and the auditor's pages without a browser (issue 14): bad input is a page,
never a 500 (an unknown loan the 404 page, an unknown parameter or lookup kind a 422 naming
it); a channel's API key, which reads its own loans over the API, gets no loan page (403); the
installment states by hand-worked dates; the auditor's lookups by application and officer; and
the page's log verification names the entry whose business row was edited behind the
platform's back."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.origination.application import demo_uscc
from creditfactory.service_layer.loan_desk import installment_state
from creditfactory.servicing.loan import InstallmentState
from tests.e2e.conftest import application
from tests.e2e.test_branch_scoping import _officer, _submitted_at, _tree, _uscc
from tests.e2e.test_referral_pages import Officer

DUE = date(2027, 1, 8)


def _disbursed(api: Any) -> dict[str, Any]:
    body = application(uscc=demo_uscc(secrets.randbelow(10**8)), name="贷款页面测试有限公司")
    answer = api.post("/api/v1/applications", body, uuid.uuid4().hex).json()
    assert answer["status"] == "disbursed", answer
    return dict(answer)


@pytest.mark.parametrize(
    ("principal_paid", "interest_paid", "fell_due", "as_of", "state"),
    [
        ("100.00", "10.00", True, date(2027, 2, 1), "paid"),  # settled, whatever the date
        ("100.00", "9.99", True, date(2027, 1, 9), "overdue"),  # one fen short, a day late
        ("0.00", "0.00", False, date(2027, 1, 9), "overdue"),  # end of day not yet run
        ("0.00", "0.00", False, DUE, "due"),  # due today
        ("0.00", "0.00", True, DUE, "due"),
        ("0.00", "0.00", False, date(2027, 1, 7), "upcoming"),
    ],
)
def test_installment_state(
    principal_paid: str, interest_paid: str, fell_due: bool, as_of: date, state: str
) -> None:
    installment = InstallmentState(
        seq=1, period_start=date(2026, 12, 8), period_end=DUE, due_date=DUE,
        principal_due=Decimal("100.00"), interest_due=Decimal("10.00"),
        principal_paid=Decimal(principal_paid), interest_paid=Decimal(interest_paid),
        fell_due=fell_due,
    )  # fmt: skip
    assert installment_state(installment, as_of) == state


def test_bad_input_on_the_loan_and_audit_pages_is_a_page(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    loan_id = _disbursed(api)["loan_id"]
    auditor = Officer(api, "auditor")
    missing = auditor.get("/loans/loan_missing")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    for path, field in [(f"/loans/{loan_id}?x=1", "x"), ("/loans?sort=nope", "sort"),
                        ("/audit?kind=bogus&value=x", "kind"), ("/audit?kind=loan&value=", "value"),
                        ("/audit/verify?all=1", "all")]:  # fmt: skip
        answer = auditor.get(path)
        assert answer.status_code == 422, (path, answer.status_code)
        assert "text/html" in answer.headers["content-type"] and field in answer.text, path
    assert auditor.get(f"/loans/{loan_id}").status_code == 200
    # the channel that owns the loan reads it over the API, never the pages
    assert api.get(f"/api/v1/loans/{loan_id}").status_code == 200
    for path in ("/loans", f"/loans/{loan_id}", "/audit"):
        assert api.get(path).status_code == 403, path


def test_the_auditor_looks_up_by_application_and_officer(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    made = _disbursed(api)
    auditor = Officer(api, "auditor")
    by_app = auditor.get(f"/audit?kind=application&value={made['application_id']}").text
    by_loan = auditor.get(f"/audit?kind=loan&value={made['loan_id']}").text
    for action in ("application.submitted", "decision.made", "offer.accepted", "loan.disbursed",
                   "ledger.entries_posted"):  # fmt: skip
        assert action in by_app and action in by_loan, action
    officer_id = api.client.app.state.security.create_officer(
        f"new_{uuid.uuid4().hex[:8]}", "a long password 1", "none", datetime.now(UTC)
    )
    by_officer = auditor.get(f"/audit?kind=officer&value={officer_id}").text
    assert "officer.created" in by_officer and "loan.disbursed" not in by_officer


def test_the_verify_page_names_an_edited_loan_row(make_api: Any, tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'verify.sqlite3'}")  # its own log to tamper
    try:
        upgrade_schema(engine)
        api = make_api(engine)
        made = api.post("/api/v1/applications", application(), uuid.uuid4().hex).json()
        loan_id = made["loan_id"]
        auditor = Officer(api, "auditor")
        intact = auditor.get("/audit/verify")
        assert intact.status_code == 200 and "完好" in intact.text
        with engine.begin() as db:  # raw SQL behind the platform's back (as the tamper matrix)
            db.execute(text("UPDATE loans SET principal_minor = 1 WHERE loan_id = :k"),
                       {"k": loan_id})  # fmt: skip
        tampered = auditor.get("/audit/verify")
        assert tampered.status_code == 200 and "已被篡改" in tampered.text
        assert f"loans {loan_id}: field principal_minor differs" in tampered.text
    finally:
        engine.dispose()


def test_a_sub_branch_sees_only_its_own_loans_and_trails(sqlite_engine: Any, make_api: Any) -> None:
    """branch6's scope on the loan and audit pages: a 支行 officer's loans list, loan page and
    audit lookups reach their 支行's loan, a sibling 支行's officer gets the 404 page and a list
    without it."""
    api = make_api(sqlite_engine)
    tree = _tree(api)
    loan_id = _submitted_at(api, tree["A"], _uscc())["loan_id"]
    for branch, reaches in (("A", True), ("F", True), ("B", False)):
        officer = _officer(api, "loan_officer", tree[branch])
        auditor = _officer(api, "auditor", tree[branch])
        page = api.officer("GET", f"/loans/{loan_id}", officer)
        assert page.status_code == (200 if reaches else 404), (branch, page.status_code)
        listed = api.officer("GET", f"/loans?loan_id={loan_id}", officer)
        shown = f'data-copy="{loan_id}"' in listed.text  # a row, not the filter box
        assert listed.status_code == 200 and shown == reaches, branch
        trail = api.officer("GET", f"/audit?kind=loan&value={loan_id}", auditor)
        assert trail.status_code == (200 if reaches else 404), (branch, trail.status_code)
        assert ("loan.disbursed" in trail.text) == reaches, branch
