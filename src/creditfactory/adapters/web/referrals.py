"""The loan officers' and approvers' pages (issue 14): the referral inbox (待办), the approval
inbox, the application page with its actions, customer search and the customer page.

- `GET /referrals`: referred applications (the list component), whose turn it is
  (``waiting_for``: a loan officer's recommendation, or an approver's check), with reasons,
  score, grade, age and data gaps.
- `GET /approvals`: pending maker-checker items with the maker and their note.
- `GET /applications/{application_id}`: declared vs verified data, the decision records,
  reasons, price components, the replay of the automatic decision, the officers' actions and,
  by role and turn, the forms: recommend (loan officer), approve or decline with an optional
  override of amount, term or rate within the bounds shown (approver, never the maker — the page
  says so to the maker), send back with a note.
- `POST /applications/{application_id}/recommendation | check | return`: the forms, through
  `service_layer.offer_flow` (maker-checker and audit leaves there); the page again on success
  (303), or with the refusal in words and its status (422 a bad value, 403 four eyes, 409 a
  busy or decided application).
- `GET /customers?q=`, `GET /customers/{borrower_id}`: search and one applicant's
  applications and loans.

Reads: `service_layer.referral_desk` and the list SELECTs of `adapters/storage/referral_views`,
each limited to the signed-in officer's branch and those below it (`ownership.scope_of`); the
pages naming an application or a customer are checked by the one ownership dependency first (a
404 outside the scope).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from creditfactory.access import AccessPolicy, ItemNotPending, MakerCheckerViolation, SubjectBusy
from creditfactory.adapters.api.security import Principal, authorize
from creditfactory.adapters.storage.referral_views import approvals_list, referrals_list
from creditfactory.adapters.web.forms import Form, may, read_form
from creditfactory.adapters.web.i18n import lang_of
from creditfactory.adapters.web.listing import Column, ListView, known_params, list_page
from creditfactory.adapters.web.nav import N_
from creditfactory.adapters.web.render import render
from creditfactory.decisioning.override import Override
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.service_layer.factory_ports import FactoryDeps, OfferNotOpen
from creditfactory.service_layer.factory_ports import MakerCheckerViolation as FlowFourEyes
from creditfactory.service_layer.offer_flow import (
    check_referral,
    recommend_referral,
    return_referral,
)
from creditfactory.service_layer.ownership import BranchScope, scope_of
from creditfactory.service_layer.referral_desk import (
    application_page,
    customer_page,
    referral_row,
    search_customers,
)

__all__ = ["APPROVALS", "REFERRALS", "WORDS", "router"]

router = APIRouter(dependencies=[Depends(authorize)])

WAITING: Final = (N_("recommendation"), N_("check"))
KINDS: Final = (N_("referral_decision"), N_("limit_override"), N_("price_override"),
                N_("write_off"), N_("policy_publication"), N_("model_publication"),
                N_("role_change"), N_("rates_publication"))  # fmt: skip

WORDS: Final = (
    N_("maker"), N_("checker"), N_("approve"), N_("decline"), N_("return"), N_("refer"),
    N_("enterprise"), N_("individual_business"), N_("unregistered_operator"),
    N_("open for acceptance"), N_("accepted"), N_("superseded"), N_("active"), N_("amount"), N_("term_months"),
    N_("annual_rate"), N_("capital_benefit"), N_("capital_cost"), N_("expected_loss"),
    N_("funding_ftp"), N_("operating_cost"), N_("tax_adjustment"),
)  # fmt: skip
"""Values the pages show through the catalogue (steps, actions, applicant types, offer
statuses, price components, override terms): marked here so `make messages` keeps them."""

OFFER_STATUS: Final = {"open": "open for acceptance", "accepted": "accepted",
                       "superseded": "superseded"}  # fmt: skip
"""An offer's status → its words (`WORDS`)."""

REFERRALS: Final = ListView(
    name="referrals",
    columns=(
        Column(
            "application_id",
            N_("Application"),
            kind="id",
            filter="contains",
            link="/applications/{}",
        ),  # fmt: skip
        Column("applicant", N_("Applicant"), filter="contains"),
        Column("subject", N_("Identifier"), sortable=False),
        Column("amount", N_("Requested amount"), kind="money_minor"),
        Column("term_months", N_("Term (months)"), kind="number"),
        Column("grade", N_("Rating grade"), sortable=False),
        Column("score", N_("Score"), kind="number", sortable=False),
        Column("age_days", N_("Age (days)"), kind="number", sortable=False),
        Column("waiting_for", N_("Waiting for"), filter="equals", choices=WAITING),
        Column("maker", N_("Recommended by"), filter="contains"),
        Column("gap_text", N_("Data gaps"), sortable=False),
        Column("reason_text", N_("Reasons"), sortable=False),
        Column("submitted_at", N_("Submitted"), kind="time", filter="date_range"),
    ),
    default_sort="submitted_at",
)
"""The 待办 inbox: oldest first; the short columns first, the data gaps and the policy's reasons
(in the viewer's language, `_present`) last, so a 1280 px screen shows whose turn it is."""

APPROVALS: Final = ListView(
    name="approvals",
    columns=(
        Column("approval_id", N_("Item"), kind="id", sortable=False),
        Column("kind", N_("Kind"), filter="equals", choices=KINDS),
        Column("application_id", N_("Application"), kind="id", link="/applications/{}"),
        Column("applicant", N_("Applicant"), filter="contains"),
        Column("amount", N_("Requested amount"), kind="money_minor"),
        Column("action", N_("Recommendation"), sortable=False, choices=("approve", "decline")),
        Column("maker", N_("Maker"), filter="contains"),
        Column("note", N_("Maker's note"), sortable=False),
        Column("created_at", N_("Requested at"), kind="time", filter="date_range"),
    ),
    default_sort="created_at",
)
"""The checkers' inbox: every pending maker-checker item, oldest first."""


def _words(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh-CN" else en


def _present(lang: str) -> Any:
    def present(row: dict[str, Any]) -> dict[str, Any]:
        shown = referral_row(row, datetime.now(UTC))
        # the policy's rules only, in their own words (a data-gap rule's list of gaps is the
        # next column; the score's reasons are on the application page)
        shown["reason_text"] = "；".join(
            f"{r['code']} {_words(lang, r['zh'], r['en']).split('（')[0].split(' (')[0]}"
            for r in shown["reasons"] if r["kind"] != "score")  # fmt: skip
        shown["gap_text"] = "；".join(_words(lang, g["zh"], g["en"]) for g in shown["data_gaps"])
        return shown

    return present


def _approval_present(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "action": json.loads(row["params"] or "{}").get("action")}


@router.get("/referrals", include_in_schema=False)
def referrals(request: Request) -> Response:
    """The referral inbox (module docstring)."""
    view = replace(REFERRALS, present=_present(lang_of(request)))
    return list_page(request, view, referrals_list(_scope(request)), "referrals/inbox.html")


@router.get("/approvals", include_in_schema=False)
def approvals(request: Request) -> Response:
    """The approval inbox (module docstring)."""
    view = replace(APPROVALS, present=_approval_present)
    return list_page(request, view, approvals_list(_scope(request)), "referrals/approvals.html")


def _scope(request: Request) -> BranchScope:
    """The signed-in officer's branch scope: their branch and those below it."""
    return scope_of(request.state.principal.branch_id)


def _application(request: Request, application_id: str, error: str = "",
                 status_code: int = 200) -> Response:  # fmt: skip
    page = application_page(request.app.state.deps, application_id)
    who = request.state.principal
    item = page["recommendation"]
    return render(
        request, "referrals/application.html", status_code=status_code, app=page, error=error,
        decimal=Decimal, iso=datetime.fromisoformat, offer_status=OFFER_STATUS,
        may_recommend=may(request, "referral_decision.request") and item is None
        and page["status"] == "referred",
        may_check=may(request, "referral_decision.approve") and item is not None
        and item["maker"] != who.officer_id,
        is_maker=item is not None and item["maker"] == who.officer_id,
    )  # fmt: skip


@router.get("/applications/{application_id}", include_in_schema=False)
def application(application_id: str, request: Request) -> Response:
    """The application page (module docstring)."""
    known_params(request, set())
    return _application(request, application_id)


Step = Callable[[FactoryDeps, Principal, AccessPolicy, Form], None]


def _acted(request: Request, application_id: str, act: Callable[[], None]) -> Response:
    """Run `act`; the application page after it (303), or with the refusal and its status."""
    try:
        act()
    except ValidationError as refused:
        return _application(request, application_id, str(refused), 422)
    except (MakerCheckerViolation, FlowFourEyes) as refused:
        return _application(request, application_id, str(refused), 403)
    except (SubjectBusy, ItemNotPending, OfferNotOpen) as refused:
        return _application(request, application_id, str(refused), 409)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


async def _act(request: Request, application_id: str, step: Step) -> Response:
    """A form's step on the application, as the signed-in officer (in the thread pool)."""
    form = await read_form(request)
    deps, who = request.app.state.deps, request.state.principal
    access = request.app.state.security.access
    return await run_in_threadpool(_acted, request, application_id,
                                   lambda: step(deps, who, access, form))  # fmt: skip


@router.post("/applications/{application_id}/recommendation", include_in_schema=False)
async def recommend(application_id: str, request: Request) -> Response:
    """Loan officer (maker): recommend approve or decline with a note."""

    def step(deps: FactoryDeps, who: Principal, access: AccessPolicy, form: Form) -> None:
        if form.get("action") not in ("approve", "decline"):
            raise ValidationError("action", "approve or decline")
        recommend_referral(deps, application_id, who.officer_id, form["action"],
                           form.get("note", "")[:500], who.role, access)  # fmt: skip

    return await _act(request, application_id, step)


def _decimal(form: dict[str, str], name: str) -> Decimal | None:
    text = form.get(name, "").replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"override.{name}", "a decimal number") from None
    if not value.is_finite():
        raise ValidationError(f"override.{name}", "a decimal number")
    return value


def _override(form: dict[str, str]) -> Override | None:
    """The override the check form carries (percent for the rate, as people type it), or None
    when every override field is empty. raises ValidationError naming the field."""
    amount, rate = _decimal(form, "amount"), _decimal(form, "annual_rate_pct")
    term_text = form.get("term_months", "")
    if amount is None and rate is None and not term_text and not form.get("reason"):
        return None
    if term_text and not term_text.isdigit():
        raise ValidationError("override.term_months", "a whole number of months")
    return Override(
        form.get("reason", ""), None if amount is None else Money.of(amount),
        int(term_text) if term_text else None,
        None if rate is None else (rate / 100).normalize(),
    )  # fmt: skip


@router.post("/applications/{application_id}/check", include_in_schema=False)
async def check(application_id: str, request: Request) -> Response:
    """Approver (checker, never the maker): confirm the recommendation, with an override."""

    def step(deps: FactoryDeps, who: Principal, access: AccessPolicy, form: Form) -> None:
        check_referral(deps, application_id, who.officer_id, who.role,
                       form.get("note", "")[:500], access, _override(form))  # fmt: skip

    return await _act(request, application_id, step)


@router.post("/applications/{application_id}/return", include_in_schema=False)
async def send_back(application_id: str, request: Request) -> Response:
    """Approver: send the recommendation back to the loan officers with a note."""

    def step(deps: FactoryDeps, who: Principal, access: AccessPolicy, form: Form) -> None:
        return_referral(deps, application_id, who.officer_id, who.role,
                        form.get("note", "")[:500], access)  # fmt: skip

    return await _act(request, application_id, step)


@router.get("/customers", include_in_schema=False)
def customers(request: Request) -> Response:
    """Search by name, USCC / resident ID, application id or loan id (`?q=`)."""
    known_params(request, {"q"})
    text = request.query_params.get("q", "")
    deps, scope = request.app.state.deps, _scope(request)
    found = search_customers(deps, text, scope) if text.strip() else None
    return render(request, "referrals/customers.html", q=text, found=found)


@router.get("/customers/{borrower_id}", include_in_schema=False)
def customer(borrower_id: str, request: Request) -> Response:
    """One applicant's applications and loans."""
    known_params(request, set())
    return render(request, "referrals/customer.html",
                  customer=customer_page(request.app.state.deps, borrower_id,
                                         _scope(request)))  # fmt: skip
