"""The loan page (issue 14), for every role that reads loans: `GET /loans/{loan_id}` — the
contract, the schedule with each installment's state (paid / due / overdue / upcoming), the
money movements, the journal entries with their lines, DPD and the 五级分类 grade, the
borrower's alerts, and the audit trail of the loan and its application with each entry's
inclusion proof, checked in the browser (`audit.proven`, `static/audit-proof.js`).
`GET /loans`: the loans list (the list component), of the officer's branch subtree; the loan
page's `loan_id` is in scope by `authorize` (a loan outside it is the 404 page).

Reads: `service_layer.loan_desk.loan_page` and `adapters/storage/loan_views.loans_list`.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditfactory.adapters.api.security import authorize
from creditfactory.adapters.storage.loan_views import loans_list
from creditfactory.adapters.web.audit import may_download, proven
from creditfactory.adapters.web.listing import Column, ListView, known_params, list_page
from creditfactory.adapters.web.nav import N_
from creditfactory.adapters.web.render import render
from creditfactory.service_layer.loan_desk import loan_page
from creditfactory.service_layer.ownership import scope_of

__all__ = ["LOANS", "STATES", "router"]

router = APIRouter(dependencies=[Depends(authorize)])

STATES: Final = (N_("paid"), N_("due"), N_("overdue"), N_("upcoming"))
"""Installment states as words to translate (`loan_desk.installment_state`)."""
LOAN_STATUSES: Final = (N_("approved"), N_("active"), N_("closed"), N_("written_off"),
                        N_("cancelled"))  # fmt: skip
GRADES: Final = ("PASS", "SPECIAL_MENTION", "SUBSTANDARD", "DOUBTFUL", "LOSS")

LOANS: Final = ListView(
    name="loans",
    columns=(
        Column("loan_id", N_("Loan"), kind="id", filter="contains"),
        Column("applicant", N_("Borrower"), filter="contains"),
        Column("principal", N_("Principal"), kind="money_minor"),
        Column("currency", N_("Currency"), filter="equals", choices=("CNY", "USD")),
        Column("status", N_("Status"), filter="equals", choices=LOAN_STATUSES),
        Column("dpd", N_("Days past due"), kind="number"),
        Column("grade", N_("Grade"), kind="grade", filter="equals", choices=GRADES),
        Column("disbursement_date", N_("Disbursed"), kind="date", filter="date_range"),
    ),
    default_sort="-disbursement_date",
)


@router.get("/loans", include_in_schema=False)
def loans(request: Request) -> Response:
    """The loans of the officer's branch and those below it, paged, sorted, filtered, exported."""
    scope = scope_of(request.state.principal.branch_id)
    return list_page(request, LOANS, loans_list(scope), "loans/index.html")


@router.get("/loans/{loan_id}", include_in_schema=False)
def loan(loan_id: str, request: Request) -> Response:
    """One loan (module docstring). An unknown id: the 404 page."""
    known_params(request, set())
    found = loan_page(request.app.state.deps, loan_id)
    return render(request, "loans/loan.html", loan=found, trail=proven(request, found["trail"]),
                  downloads=may_download(request))  # fmt: skip
