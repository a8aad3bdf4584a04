"""Branch scoping over HTTP (issue 14, "Organisation"), SQLite and PostgreSQL: a 支行 officer
cannot read or act on a sibling 支行's application or loan — a 404 like a missing id, so ids do
not leak (the channel ownership check's answer) — while their 分行 and the head office can; the
officer lists (referrals, approvals, officers) hold only the officer's subtree.

Tree used: HQ (总行) → F (分行) → A, B (支行). A channel key issued at A submits the application;
its application and loan belong to A."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from creditfactory.adapters.storage.origination_store import borrower_id_for
from creditfactory.origination.identity import org_code_check_character, uscc_check_character
from creditfactory.service_layer.organisation import add_branch
from tests.e2e.conftest import Api, application


def _uscc() -> str:
    """A valid USCC of a fresh enterprise (its own exposure, whatever the session booked)."""
    org = f"{secrets.randbelow(10**8):08d}"
    first17 = "91350100" + org + org_code_check_character(org)
    return first17 + uscc_check_character(first17)


def _tree(api: Api) -> dict[str, str]:
    deps = api.client.app.state.deps
    tag = secrets.token_hex(3)
    ids = {"F": f"F{tag}", "A": f"A{tag}", "B": f"B{tag}"}
    add_branch(deps, ids["F"], "测试分行", "test branch", "branch", "HQ", "test")
    add_branch(deps, ids["A"], "甲支行", "sub-branch A", "sub_branch", ids["F"], "test")
    add_branch(deps, ids["B"], "乙支行", "sub-branch B", "sub_branch", ids["F"], "test")
    return {"HQ": "HQ", **ids}


def _officer(api: Api, role: str, branch_id: str) -> str:
    security = api.client.app.state.security
    name = "u" + secrets.token_hex(6)
    officer_id: str = security.create_officer(
        name, "pw-" + name, role, datetime.now(UTC), branch_id=branch_id
    )
    api.tokens[officer_id] = security.login(name, "pw-" + name)
    return officer_id


def _submitted_at(api: Api, branch_id: str, uscc: str, **body: Any) -> dict[str, Any]:
    key = api.client.app.state.security.create_api_key("ch_branch", datetime.now(UTC), branch_id)
    response = api.client.post(
        "/api/v1/applications",
        json={**application(uscc=uscc), **body},
        headers={"X-API-Key": key, "Idempotency-Key": secrets.token_hex(8)},
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_a_sub_branch_officer_cannot_reach_a_sibling_sub_branch(
    any_engine: Any, make_api: Any
) -> None:
    api = make_api(any_engine)
    tree = _tree(api)
    uscc = _uscc()
    applied = _submitted_at(api, tree["A"], uscc)
    assert applied["status"] == "disbursed", applied
    loan_id, application_id = applied["loan_id"], applied["application_id"]
    officers = {b: _officer(api, "approver", tree[b]) for b in ("A", "B", "F", "HQ")}

    borrower = borrower_id_for(uscc)
    for where in ("A", "F", "HQ"):  # their own 支行, the 分行 above it, the head office
        seen = api.officer("GET", f"/api/v1/loans/{loan_id}", officers[where])
        assert seen.status_code == 200 and seen.json()["loan_id"] == loan_id, (where, seen.text)
        page = api.officer("GET", f"/customers/{borrower}", officers[where])  # the workbench's
        assert page.status_code == 200 and application_id in page.text, where
    assert api.officer("GET", f"/customers/{borrower}", officers["B"]).status_code == 404
    sibling = api.officer("GET", f"/api/v1/loans/{loan_id}", officers["B"])
    missing = api.officer("GET", "/api/v1/loans/loan_nowhere", officers["B"])
    assert sibling.status_code == missing.status_code == 404
    # the same answer as for an id that does not exist, but for the id itself
    assert sibling.json()["detail"].replace(loan_id, "X") == missing.json()["detail"].replace(
        "loan_nowhere", "X"
    )
    assert sibling.json()["field"] == "loan_id"

    # acting: a write-off request on the loan, the referral route on the application
    write_off = {"kind": "write_off", "subject": f"loan:{loan_id}",
                 "params": {"business_date": "2026-12-07"}, "note": "test"}  # fmt: skip
    refused = api.officer("POST", "/api/v1/approvals", officers["B"], write_off)
    assert refused.status_code == 404 and refused.json()["field"] == "subject", refused.text
    recommend = api.officer(
        "POST", f"/api/v1/referrals/{application_id}/recommendation", officers["B"],
        {"action": "approve", "note": "sibling"},
    )  # fmt: skip
    assert recommend.status_code == 404 and recommend.json()["field"] == "application_id"
    override = {"kind": "limit_override", "subject": f"application:{application_id}",
                "params": {"amount": "200000"}, "note": "test"}  # fmt: skip
    makers = {b: _officer(api, "analyst", tree[b]) for b in ("A", "B")}
    assert api.officer("POST", "/api/v1/approvals", makers["B"], override).status_code == 404
    opened = api.officer("POST", "/api/v1/approvals", makers["A"], override)
    assert opened.status_code == 200, opened.text
    approval_id = opened.json()["approval_id"]

    def queue(who: str) -> set[str]:
        listed = api.officer("GET", "/api/v1/approvals?status=pending", officers[who]).json()
        return {i["approval_id"] for i in listed["data"]}

    assert approval_id in queue("A") and approval_id in queue("F") and approval_id in queue("HQ")
    assert approval_id not in queue("B")
    decide = api.officer("POST", f"/api/v1/approvals/{approval_id}/reject", officers["B"], {})
    assert decide.status_code == 404 and decide.json()["field"] == "approval_id"
    assert (
        api.officer("POST", f"/api/v1/approvals/{approval_id}/reject", officers["HQ"], {})
    ).status_code == 200


def test_referral_and_officer_lists_hold_the_subtree_only(any_engine: Any, make_api: Any) -> None:
    api = make_api(any_engine)
    tree = _tree(api)
    # a referral at A: a request above what the declared revenue supports is referred (R-rules)
    # — any outcome other than referral leaves the queue test meaningless, so it is asserted
    referred = _submitted_at(api, tree["A"], _uscc(), amount="3000000", auto_accept=False)
    assert referred["status"] == "referred", referred["decision"]["reasons"]
    officers = {b: _officer(api, "analyst", tree[b]) for b in ("A", "B", "F", "HQ")}

    def referrals(who: str) -> set[str]:
        listed = api.officer("GET", "/api/v1/referrals", officers[who]).json()
        return {r["application_id"] for r in listed["data"]}

    for where, sees in (("A", True), ("B", False), ("F", True), ("HQ", True)):
        assert (referred["application_id"] in referrals(where)) is sees, where
        # the home page's applications list (and its export) holds the same subtree
        home = api.officer("GET", "/?format=csv", officers[where]).text
        assert (referred["application_id"] in home) is sees, where

    admins = {b: _officer(api, "administrator", tree[b]) for b in ("A", "HQ")}
    at_a = api.officer("GET", "/api/v1/officers", admins["A"]).json()["data"]
    assert {o["branch_id"] for o in at_a} == {tree["A"]}
    assert {officers["A"], admins["A"]} <= {o["officer_id"] for o in at_a}
    at_hq = {o["officer_id"] for o in api.officer("GET", "/api/v1/officers", admins["HQ"]).json()["data"]}  # fmt: skip
    assert set(officers.values()) <= at_hq
    # an A administrator cannot see (404) or place an officer outside A
    other = api.officer("GET", "/api/v1/officers", admins["A"])
    assert officers["B"] not in {o["officer_id"] for o in other.json()["data"]}
    placed = api.officer("POST", "/api/v1/officers", admins["A"],
                         {"username": "n" + secrets.token_hex(5), "password": "long-password-1",
                          "branch_id": tree["B"]})  # fmt: skip
    assert placed.status_code == 422 and placed.json()["field"] == "branch_id", placed.text
    grant = {"kind": "role_change", "subject": f"officer:{officers['B']}",
             "params": {"role": "auditor"}}  # fmt: skip
    assert api.officer("POST", "/api/v1/approvals", admins["A"], grant).status_code == 404
    # the administrator's pages: the same scope (the list in SQL, the officer's page a 404)
    listed = api.officer("GET", "/admin/users?format=csv", admins["A"]).text
    assert officers["A"] in listed and officers["B"] not in listed and officers["HQ"] not in listed
    assert api.officer("GET", f"/admin/users/{officers['B']}", admins["A"]).status_code == 404
    assert api.officer("GET", f"/admin/users/{officers['B']}", admins["HQ"]).status_code == 200
