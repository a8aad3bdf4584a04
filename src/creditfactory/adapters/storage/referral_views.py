"""Read models of the officers' workbench (issue 14): the referral and approval inboxes, customer
search and the customer page. The inboxes are SELECTs the list component pages, sorts and
filters in SQL (`adapters/storage/listing.py`); only a page's rows are decoded.

- `referrals_list`: referred applications, each with its automatic decision record (the reasons,
  score, grade, data gaps the inbox shows) and the open maker-checker item on it, if any (a
  loan officer's pending recommendation, with its maker and note); ``waiting_for`` says whose
  turn it is — the loan officers' 待办 ("recommendation") or the approvers' ("check").
- `approvals_list`: pending maker-checker items, with the application an item acts on.
- `ReferralViews.customers` (on the unit of work, `uow.referral_views`): applicants found by name (the displayed name: an enterprise's whole, a natural
  person's masked form, so a person is found by surname), by identifier (USCC or resident ID,
  matched on its blind index, never decrypted), by application id or by loan id; one row per
  applicant, named by the pseudonymous borrower id loans carry (`borrower_id_for`).
- `ReferralViews.customer`: every application and loan of one borrower id.

Every query is limited to an officer's scope (`service_layer.ownership.BranchScope`: their branch
and those below it, `branch_store.within` in SQL), so a page never loads a row it may not show.
Identifiers leave here masked only; names as `applicant_name_masked`.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, Select, and_, case, func, literal, or_, select

from creditfactory.adapters.storage.branch_store import within
from creditfactory.adapters.storage.decisioning_tables import decisions
from creditfactory.adapters.storage.identity_tables import approvals, officers
from creditfactory.adapters.storage.origination_store import (
    borrower_id_of_index,
    subject_index,
)
from creditfactory.adapters.storage.origination_tables import applications
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.origination.identity import normalise_identifier
from creditfactory.service_layer.ownership import BranchScope

__all__ = ["ReferralViews", "approvals_list", "referrals_list"]

_A = applications.c

_BORROWER_PREFIX: Final = len("bor_")
_SEARCH_LIMIT: Final = 50


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ReferralViews:
    """The workbench's read queries (module docstring) on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def customers(self, text: str, scope: BranchScope) -> list[dict[str, Any]]:
        """Applicants matching `text` (module docstring) among the applications of `scope`'s
        branches, latest application first, at most 50: borrower_id, name, identifier (masked),
        applicant_type, applications (in scope), last_submitted_at."""
        text = text.strip()
        if not text:
            return []
        index = subject_index(normalise_identifier(text))
        booked = select(_A.subject_bidx).where(_A.loan_id == text)
        matched = and_(
            within(_A.branch_id, scope),
            or_(
                _A.application_id == text,
                _A.subject_bidx == index,
                _A.subject_bidx.in_(booked),
                _A.applicant_name_masked.like(_like(text), escape="\\"),
            ),
        )
        found = (
            select(_A.subject_bidx, func.count().label("applications"),
                   func.max(_A.submitted_at).label("last_submitted_at"))
            .where(matched).group_by(_A.subject_bidx).subquery()
        )  # fmt: skip
        latest = (
            select(_A.subject_bidx, _A.applicant_name_masked, _A.subject_masked,
                   _A.applicant_type, found.c.applications, found.c.last_submitted_at)
            .join(found, (found.c.subject_bidx == _A.subject_bidx)
                  & (found.c.last_submitted_at == _A.submitted_at))
            .where(within(_A.branch_id, scope))
            .order_by(found.c.last_submitted_at.desc()).limit(_SEARCH_LIMIT)
        )  # fmt: skip
        out: dict[str, dict[str, Any]] = {}
        for r in self._db.execute(latest):
            out.setdefault(r.subject_bidx, {
                "borrower_id": borrower_id_of_index(r.subject_bidx),
                "name": r.applicant_name_masked, "identifier": r.subject_masked,
                "applicant_type": r.applicant_type, "applications": int(r.applications),
                "last_submitted_at": r.last_submitted_at,
            })  # fmt: skip
        return list(out.values())

    def customer(self, borrower_id: str, scope: BranchScope) -> dict[str, Any] | None:
        """The borrower's applications (latest first: masked columns, status, offer and loan
        ids) and loans (principal, rate, status, DPD, grade) of `scope`'s branches, or None
        when none carries `borrower_id`."""
        prefix = borrower_id[_BORROWER_PREFIX:]
        if not borrower_id.startswith("bor_") or not prefix.isalnum():
            return None
        apps = [dict(r._mapping) for r in self._db.execute(
            select(_A.application_id, _A.applicant_type, _A.applicant_name_masked,
                   _A.subject_masked, _A.requested_minor, _A.currency, _A.term_months,
                   _A.status, _A.offer_id, _A.loan_id, _A.submitted_at)
            .where(_A.subject_bidx.like(prefix + "%"), within(_A.branch_id, scope))
            .order_by(_A.submitted_at.desc(), _A.application_id)
        )]  # fmt: skip
        book = [dict(r._mapping) for r in self._db.execute(
            select(loans.c.loan_id, loans.c.currency, loans.c.principal_minor,
                   loans.c.annual_rate, loans.c.status, loans.c.dpd, loans.c.grade,
                   loans.c.disbursement_date)
            .where(loans.c.borrower_id == borrower_id, within(loans.c.branch_id, scope))
            .order_by(loans.c.disbursement_date.desc(), loans.c.loan_id)
        )]  # fmt: skip
        if not apps and not book:
            return None
        head = apps[0] if apps else {}
        return {"borrower_id": borrower_id, "name": head.get("applicant_name_masked"),
                "identifier": head.get("subject_masked"),
                "applicant_type": head.get("applicant_type"), "applications": apps,
                "loans": book}  # fmt: skip


_ITEM = approvals.alias("item")
_ON_APPLICATION = literal("application:") + _A.application_id


def referrals_list(scope: BranchScope) -> Select[Any]:
    """Referred applications of `scope`'s branches (the officer's branch and those below it,
    `branch_store.within`) for the list component (`adapters/web/listing.py`), oldest first,
    labelled: application_id, applicant, subject (masked), amount (minor units), currency,
    term_months, submitted_at, record (the automatic decision record, JSON text), waiting_for
    ("recommendation": no open item, the loan officers' 待办; "check": a pending
    recommendation, the approvers'), and the open item's approval_id, maker, params (JSON text),
    note and recommended_at."""
    waiting = case((_ITEM.c.approval_id.is_(None), literal("recommendation")), else_="check")
    return (
        select(_A.application_id.label("application_id"),
               _A.applicant_name_masked.label("applicant"), _A.subject_masked.label("subject"),
               _A.requested_minor.label("amount"), _A.currency.label("currency"),
               _A.term_months.label("term_months"), _A.submitted_at.label("submitted_at"),
               decisions.c.record.label("record"), waiting.label("waiting_for"),
               _ITEM.c.approval_id.label("approval_id"), _ITEM.c.maker.label("maker"),
               _ITEM.c.params.label("params"), _ITEM.c.note.label("note"),
               _ITEM.c.created_at.label("recommended_at"))
        .select_from(applications)
        .outerjoin(decisions, decisions.c.decision_id == _A.decision_id)
        .outerjoin(_ITEM, _ITEM.c.open_subject == _ON_APPLICATION)
        .where(_A.status == "referred", within(_A.branch_id, scope))
        .order_by(_A.submitted_at, _A.application_id)
    )  # fmt: skip


def approvals_list(scope: BranchScope) -> Select[Any]:
    """Pending maker-checker items the officer of `scope` reaches, oldest first, for the list
    component, labelled: approval_id, kind, subject, params (JSON text), maker, note,
    created_at, and for an item on an application its application_id, applicant, amount (minor
    units), currency and status. An item on an application, loan or officer is in scope when
    that object's branch is (as `service_layer.ownership` checks an approval by its subject);
    items on bank-wide subjects (a policy, a model, LPR fixings) are everyone's."""
    item = approvals.c
    loan = loans.alias("subject_loan")
    officer = officers.alias("subject_officer")
    reached = or_(
        within(_A.branch_id, scope), within(loan.c.branch_id, scope),
        within(officer.c.branch_id, scope),
        and_(_A.application_id.is_(None), loan.c.loan_id.is_(None),
             officer.c.officer_id.is_(None)),
    )  # fmt: skip
    return (
        select(item.approval_id.label("approval_id"), item.kind.label("kind"),
               item.subject.label("subject"), item.params.label("params"),
               item.maker.label("maker"), item.note.label("note"),
               item.created_at.label("created_at"),
               _A.application_id.label("application_id"),
               _A.applicant_name_masked.label("applicant"), _A.requested_minor.label("amount"),
               _A.currency.label("currency"), _A.status.label("status"))
        .select_from(approvals)
        .outerjoin(applications, item.subject == _ON_APPLICATION)
        .outerjoin(loan, item.subject == literal("loan:") + loan.c.loan_id)
        .outerjoin(officer, item.subject == literal("officer:") + officer.c.officer_id)
        .where(item.status == "pending", reached)
        .order_by(item.created_at, item.approval_id)
    )  # fmt: skip
