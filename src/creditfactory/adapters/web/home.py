"""The workbench's home page at `/`: the signed-in officer's queues (only those their role
reaches, each with its size and a link to its page when that page exists) and, for roles that
read referrals, the applications list (the list component: paged, sorted, filtered, exported).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditfactory.adapters.api.security import authorize
from creditfactory.adapters.storage.workbench_views import (
    active_by_grade,
    applications_list,
    queue_counts,
)
from creditfactory.adapters.web.charts import BarChart, bar_chart
from creditfactory.adapters.web.formatting import GRADE_LABELS, money
from creditfactory.adapters.web.i18n import gettext, lang_of
from creditfactory.adapters.web.listing import Column, ListView, known_params, list_page
from creditfactory.adapters.web.nav import N_, nav_for
from creditfactory.adapters.web.render import render
from creditfactory.kernel.money import Money
from creditfactory.service_layer.ownership import scope_of

__all__ = ["APPLICATIONS", "QUEUE_LABELS", "router"]

router = APIRouter(dependencies=[Depends(authorize)])

QUEUE_LABELS: Final = {
    "referrals": (N_("Referrals waiting"), "/referrals"),
    "approvals": (N_("Approvals waiting for a checker"), "/approvals"),
    "alerts": (N_("Open post-loan alerts"), "/alerts"),
    "loans": (N_("Active loans"), "/loans"),
    "overdue": (N_("Loans past due"), "/loans"),
    "audit": (N_("Audit log entries"), "/audit"),
    "officers": (N_("Active users"), "/admin/users"),
}
"""Queue → (English label, the page that works it: linked once that page is in the user's menu)."""

PORTFOLIO_TITLE: Final = N_("Active loans by grade: booked principal")

STATUS_WORDS: Final = (N_("received"), N_("referred"), N_("approved"), N_("declined"),
                       N_("disbursed"))  # fmt: skip
"""Application statuses as words to translate (the list shows them through the catalogue)."""

APPLICATIONS: Final = ListView(
    name="applications",
    columns=(
        Column("application_id", N_("Application"), kind="id", filter="contains"),
        Column("applicant", N_("Applicant"), filter="contains"),
        Column("subject", N_("Identifier"), sortable=False),
        Column("amount", N_("Requested amount"), kind="money_minor"),
        Column("currency", N_("Currency"), filter="equals", choices=("CNY", "USD")),
        Column("term_months", N_("Term (months)"), kind="number"),
        Column("status", N_("Status"), filter="equals", choices=STATUS_WORDS),
        Column("submitted_at", N_("Submitted"), kind="time", filter="date_range"),
        Column("loan_id", N_("Loan"), kind="id", sortable=False),
    ),
    default_sort="-submitted_at",
)
"""The applications list on the home page (masked applicant columns only)."""


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """Queue counts for the role; with `loan.read`, the active book by 五级分类 (a chart and its
    table); with `referral.read`, the applications list."""
    security = request.app.state.security
    role = request.state.principal.role
    scope = scope_of(request.state.principal.branch_id)  # the viewer's branch and those below
    permissions = security.access.roles.get(security.access.role(role), frozenset())
    with request.app.state.engine.connect() as db:
        counts = queue_counts(db, permissions, scope)
        by_grade = active_by_grade(db, scope) if "loan.read" in permissions else None
    menu = {entry.path for entry in nav_for(security.access, role)}
    queues = [(name, QUEUE_LABELS[name][0], n,
               QUEUE_LABELS[name][1] if QUEUE_LABELS[name][1] in menu else None)
              for name, n in counts.items()]  # fmt: skip
    extra: dict[str, Any] = {"queues": queues, "portfolio": _portfolio(by_grade, lang_of(request))}
    if "referral.read" in permissions:
        return list_page(request, APPLICATIONS, applications_list(scope), "home/index.html",
                         **extra)  # fmt: skip
    known_params(request, set())  # no list: only `lang`
    return render(request, "home/index.html", listing=None, **extra)


def _portfolio(by_grade: list[tuple[str, int, int]] | None, lang: str) -> BarChart | None:
    """Booked principal of active loans per 五级分类, every grade shown (0 where none)."""
    if by_grade is None:
        return None
    found = {g: minor for g, _, minor in by_grade}
    rows = []
    for grade, (zh, en) in GRADE_LABELS.items():
        amount = Money.from_minor(found.get(grade.value, 0))
        rows.append((zh if lang == "zh-CN" else en, amount.amount, money(amount)))
    return bar_chart("portfolio-grades", gettext(lang, PORTFOLIO_TITLE), rows, "元")
