"""Access documents are versioned data: a published version is never edited, a change is a new
version (DESIGN.md §4: "versioned data with effective dates"). The bearer sign-out route was once
added to access-2026.3 in place (closing note of session 4); it is access-2026.4's change.

The digests below are those of the files as their versions were first committed (git: 2025.1
to 2026.2 unchanged since; 2026.3 as of d73c4a8, before 3c386c7 edited it) — computed from the
repository history, not from the files under test."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from creditfactory.access import PUBLIC
from creditfactory.access.policy import DEFAULT_ACCESS, load_access_policy

PUBLISHED = {
    "access-2025.1": "5a67075e02fb0b880ed1427a32c244d0ad352a5ee0731570baecca86686bd5d9",
    "access-2025.2": "77d839cacc60568348d4de5d9938729d79ae4880dae16d0c69ef7dcf1971970b",
    "access-2026.1": "13cc33e8a7734997738bf477faad61ff3179b6bea0c951d2891467d249f45101",
    "access-2026.2": "dd37902547d4295d3cd4317ae6b5c2d2d39b5934a96406e2c40f5ecc4209c9f5",
    "access-2026.3": "20ff49e464f667450ed33acf1d621401ad6a472d7841f60114a23dd20f15984e",
    "access-2026.4": "0d8c8abe40d3f1e3e0bf9fceb3a6f05c94505836d458b74055ae62cb35ae24f0",
}
LOGOUT = "POST /api/v1/officers/logout"


def _text(version: str) -> str:
    files = resources.files("creditfactory.access").joinpath("policies")
    return files.joinpath(f"{version}.json").read_text("utf-8")


@pytest.mark.parametrize("version", sorted(PUBLISHED))
def test_a_published_access_version_is_never_edited(version: str) -> None:
    assert hashlib.sha256(_text(version).encode()).hexdigest() == PUBLISHED[version]


def test_bearer_sign_out_is_a_new_access_version() -> None:
    older, newer = (
        load_access_policy(_text("access-2026.3")),
        load_access_policy(_text("access-2026.4")),
    )
    assert LOGOUT not in older.routes
    assert newer.routes[LOGOUT] == PUBLIC
    # the one change of 2026.4: that route; roles and every other route as in 2026.3
    assert newer.roles == older.roles and newer.legacy_roles == older.legacy_roles
    assert {k: v for k, v in newer.routes.items() if k != LOGOUT} == dict(older.routes)


WORKBENCH_DESK = {
    "GET /referrals": "referral.read",
    "GET /approvals": "approval.read",
    "GET /applications/{application_id}": "referral.read",
    "POST /applications/{application_id}/recommendation": "referral_decision.request",
    "POST /applications/{application_id}/check": "referral_decision.approve",
    "POST /applications/{application_id}/return": "referral_decision.approve",
    "GET /customers": "referral.read",
    "GET /customers/{borrower_id}": "referral.read",
}

ADMIN_PAGES = {  # the administrator's pages (branch6): each with its API route's permission
    "GET /admin/users": "user.read",
    "POST /admin/users": "user.manage",
    "GET /admin/users/{officer_id}": "user.read",
    "POST /admin/users/{officer_id}/role": "role_change.request",
    "POST /admin/approvals/{approval_id}/approve": "role_change.approve",
    "POST /admin/approvals/{approval_id}/reject": "role_change.approve",
}


def test_the_officers_pages_are_a_new_access_version() -> None:
    older, newer = (
        load_access_policy(_text("access-2026.4")),
        load_access_policy(_text("access-2026.5")),
    )
    # the change of 2026.5: the workbench's pages — the loan officers' and approvers', each with
    # the permission its API route has (GET /api/v1/referrals, the referral check and
    # recommendation, GET /api/v1/approvals), and the administrator's (users, role changes);
    # roles and every other route as in 2026.4
    pages = WORKBENCH_DESK | ADMIN_PAGES
    assert newer.roles == older.roles and newer.legacy_roles == older.legacy_roles
    assert {k: v for k, v in newer.routes.items() if k not in pages} == dict(older.routes)
    assert {k: newer.routes[k] for k in pages} == pages
    assert (
        WORKBENCH_DESK["POST /applications/{application_id}/check"]
        == older.routes["POST /api/v1/referrals/{application_id}/check"]
    )


def test_the_loan_pages_are_for_officers_only() -> None:
    """access-2026.6: a channel's key reads its own loans over the API (`loan.read`) but never
    the loan pages, whose list would show every channel's loans."""
    older, newer = (load_access_policy(_text(v)) for v in ("access-2026.5", "access-2026.6"))
    assert newer.routes["GET /loans"] == newer.routes["GET /loans/{loan_id}"] == "loan.page"
    assert newer.holders("loan.page") == older.holders("loan.read") - {"channel"}
    assert newer.routes["GET /audit"] == newer.routes["GET /audit/verify"] == "audit.read"
    assert {k: v for k, v in newer.routes.items() if k in older.routes} == dict(older.routes)
    assert {r: p - {"loan.page"} for r, p in newer.roles.items()} == dict(older.roles)
    assert DEFAULT_ACCESS.version == "access-2026.6"
