"""Read models of the officers' workbench (issue 14): the referral inboxes, customer search and
the customer page, on the unit of work's connection. Paged, sorted and filtered in SQL; only a
page's rows are decoded.

- `referrals`: referred applications, each with its automatic decision record (the reasons,
  score, grade, data gaps the inbox shows) and the open maker-checker item on it, if any (a
  loan officer's pending recommendation, with its maker and note). ``awaiting`` filters the
  loan officers' 待办 ("recommendation": no open item) or the approvers' ("check": a pending
  recommendation).
- `customers`: applicants found by name (the displayed name: an enterprise's whole, a natural
  person's masked form, so a person is found by surname), by identifier (USCC or resident ID,
  matched on its blind index, never decrypted), by application id or by loan id; one row per
  applicant, named by the pseudonymous borrower id loans carry (`borrower_id_for`).
- `customer`: every application and loan of one borrower id.

Identifiers leave here masked only; names as `applicant_name_masked`.
"""

from __future__ import annotations

import json
from typing import Any, Final

from sqlalchemy import Connection, Select, func, literal, or_, select

from creditfactory.adapters.storage.decisioning_tables import decisions
from creditfactory.adapters.storage.identity_tables import approvals
from creditfactory.adapters.storage.origination_store import (
    borrower_id_of_index,
    subject_index,
)
from creditfactory.adapters.storage.origination_tables import applications
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.origination.identity import normalise_identifier

__all__ = ["REFERRAL_SORTS", "ReferralViews"]

_A = applications.c
REFERRAL_SORTS: Final = {
    "submitted_at": _A.submitted_at,
    "amount": _A.requested_minor,
    "name": _A.applicant_name_masked,
}
"""Sort keys of `referrals` → column (ties broken by application id)."""

_BORROWER_PREFIX: Final = len("bor_")
_SEARCH_LIMIT: Final = 50


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ReferralViews:
    """The workbench's read queries (module docstring) on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def referrals(
        self, *, awaiting: str | None = None, name: str | None = None,
        sort: str = "submitted_at", descending: bool = False, offset: int = 0, limit: int = 25,
    ) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
        """(one page of referred applications, how many match). Each row: the application's
        masked columns, ``decision`` (the automatic record, parsed), ``recommendation`` (the open
        item: approval_id, maker, action, note, created_at, status; None). Sort by a key of
        `REFERRAL_SORTS`. raises KeyError for another sort key or `awaiting` value."""
        item = approvals.alias("item")
        query: Select[Any] = (
            select(
                _A.application_id,
                _A.applicant_type,
                _A.applicant_name_masked,
                _A.subject_masked,
                _A.requested_minor,
                _A.currency,
                _A.term_months,
                _A.submitted_at,
                decisions.c.record,
                item.c.approval_id,
                item.c.maker,
                item.c.params,
                item.c.note,
                item.c.created_at.label("recommended_at"),
                item.c.status.label("item_status"),
            )  # fmt: skip
            .select_from(applications)
            .outerjoin(decisions, decisions.c.decision_id == _A.decision_id)
            .outerjoin(item, item.c.open_subject == literal("application:") + _A.application_id)
            .where(_A.status == "referred")
        )
        wanted = {None: None, "recommendation": True, "check": False}[awaiting]
        if wanted is not None:
            query = query.where(item.c.approval_id.is_(None) if wanted else
                                item.c.status == "pending")  # fmt: skip
        if name:
            query = query.where(_A.applicant_name_masked.like(_like(name), escape="\\"))
        total = self._db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        column = REFERRAL_SORTS[sort]
        order = (column.desc(), _A.application_id.desc()) if descending else (
            column.asc(), _A.application_id.asc())  # fmt: skip
        rows = self._db.execute(query.order_by(*order).offset(offset).limit(limit))
        return [_referral(r._mapping) for r in rows], int(total)

    def customers(self, text: str) -> list[dict[str, Any]]:
        """Applicants matching `text` (module docstring), latest application first, at most 50:
        borrower_id, name, identifier (masked), applicant_type, applications, last_submitted_at."""
        text = text.strip()
        if not text:
            return []
        index = subject_index(normalise_identifier(text))
        booked = select(_A.subject_bidx).where(_A.loan_id == text)
        matched = or_(
            _A.application_id == text,
            _A.subject_bidx == index,
            _A.subject_bidx.in_(booked),
            _A.applicant_name_masked.like(_like(text), escape="\\"),
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

    def customer(self, borrower_id: str) -> dict[str, Any] | None:
        """The borrower's applications (latest first: masked columns, status, decision outcome,
        offer and loan ids) and loans (principal, rate, status, DPD, grade), or None when no
        application or loan carries `borrower_id`."""
        prefix = borrower_id[_BORROWER_PREFIX:]
        if not borrower_id.startswith("bor_") or not prefix.isalnum():
            return None
        apps = [dict(r._mapping) for r in self._db.execute(
            select(_A.application_id, _A.applicant_type, _A.applicant_name_masked,
                   _A.subject_masked, _A.requested_minor, _A.currency, _A.term_months,
                   _A.status, _A.offer_id, _A.loan_id, _A.submitted_at)
            .where(_A.subject_bidx.like(prefix + "%"))
            .order_by(_A.submitted_at.desc(), _A.application_id)
        )]  # fmt: skip
        book = [dict(r._mapping) for r in self._db.execute(
            select(loans.c.loan_id, loans.c.currency, loans.c.principal_minor,
                   loans.c.annual_rate, loans.c.status, loans.c.dpd, loans.c.grade,
                   loans.c.disbursement_date)
            .where(loans.c.borrower_id == borrower_id)
            .order_by(loans.c.disbursement_date.desc(), loans.c.loan_id)
        )]  # fmt: skip
        if not apps and not book:
            return None
        head = apps[0] if apps else {}
        return {"borrower_id": borrower_id, "name": head.get("applicant_name_masked"),
                "identifier": head.get("subject_masked"),
                "applicant_type": head.get("applicant_type"), "applications": apps,
                "loans": book}  # fmt: skip


def _referral(row: Any) -> dict[str, Any]:
    out = {k: row[k] for k in ("application_id", "applicant_type", "applicant_name_masked",
                               "subject_masked", "requested_minor", "currency", "term_months",
                               "submitted_at")}  # fmt: skip
    out["decision"] = None if row["record"] is None else json.loads(row["record"])
    out["recommendation"] = None if row["approval_id"] is None else {
        "approval_id": row["approval_id"], "maker": row["maker"],
        "action": json.loads(row["params"]).get("action"), "note": row["note"],
        "created_at": row["recommended_at"], "status": row["item_status"],
    }  # fmt: skip
    return out
