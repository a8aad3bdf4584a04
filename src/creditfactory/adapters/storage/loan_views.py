"""Read models of the loan page and the auditor's pages (issue 14), on the unit of work's
connection (`uow.loan_views`).

- `loans_list`: the loans list's SELECT (the list component pages, sorts and filters it).
- `LoanViews.application_of`: the application that booked a loan (masked applicant, term).
- `LoanViews.journal`: a loan's journal entries (reference = the loan id), oldest first, each
  with its posting lines.
- `LoanViews.alerts`: the monitoring alerts of a borrower, newest first.
- `LoanViews.trail_subjects`: the audit subjects of a loan or an application — the object itself,
  the maker-checker items on it (``loan:<id>`` / ``application:<id>``), the application's data
  pulls, decisions and offers, the loan's journal entries — and `LoanViews.entries`: the audit
  entries naming any of them (or written by an officer), in log order.

Nothing here decrypts: applicants appear as their masked columns.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, Select, or_, select

from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.branch_store import within
from creditfactory.adapters.storage.decisioning_tables import decisions
from creditfactory.adapters.storage.ledger_tables import journal_entries, postings
from creditfactory.adapters.storage.monitoring_tables import monitoring_alerts
from creditfactory.adapters.storage.origination_tables import applications, offers
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.service_layer.ownership import BranchScope

__all__ = ["TRAIL_LIMIT", "LoanViews", "loans_list"]

TRAIL_LIMIT: Final = 1000
"""At most this many audit entries on one page (the oldest first); the page says when cut."""

_A = applications.c
_E = audit_entries.c


class LoanViews:
    """The queries (module docstring) on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def application_of(self, loan_id: str) -> dict[str, Any] | None:
        """The booking application's id, type, masked name and identifier, requested amount
        (minor units), term and offer id; None for a loan booked outside the flow."""
        row = self._db.execute(
            select(_A.application_id, _A.applicant_type, _A.applicant_name_masked,
                   _A.subject_masked, _A.requested_minor, _A.term_months, _A.offer_id,
                   _A.submitted_at)
            .where(_A.loan_id == loan_id)
        ).first()  # fmt: skip
        return None if row is None else dict(row._mapping)

    def journal(self, loan_id: str) -> list[dict[str, Any]]:
        """Journal entries of the loan, oldest first: entry_id, business_date, event, reverses,
        posted_at and `lines` [{account, subledger, amount_minor (debit > 0), currency}]."""
        entries = [dict(r._mapping) for r in self._db.execute(
            select(journal_entries).where(journal_entries.c.reference == loan_id)
            .order_by(journal_entries.c.posted_at, journal_entries.c.entry_id)
        )]  # fmt: skip
        lines: dict[str, list[dict[str, Any]]] = {e["entry_id"]: [] for e in entries}
        if entries:
            for r in self._db.execute(
                select(postings.c.entry_id, postings.c.account, postings.c.subledger,
                       postings.c.amount_minor, postings.c.currency)
                .where(postings.c.entry_id.in_(list(lines)))
                .order_by(postings.c.posting_id)
            ):  # fmt: skip
                lines[r.entry_id].append(dict(r._mapping))
        return [{**e, "lines": lines[e["entry_id"]]} for e in entries]

    def alerts(self, borrower_id: str) -> list[dict[str, Any]]:
        """Monitoring alerts of the borrower, newest first (level, status, assignee, times,
        reason)."""
        c = monitoring_alerts.c
        return [dict(r._mapping) for r in self._db.execute(
            select(c.alert_id, c.level, c.status, c.assignee, c.opened_at, c.due_at,
                   c.closed_at, c.reason)
            .where(c.borrower_id == borrower_id).order_by(c.opened_at.desc())
        )]  # fmt: skip

    def trail_subjects(
        self, *, loan_id: str | None = None, application_id: str | None = None
    ) -> set[str]:
        """The audit subjects of a loan and/or an application (module docstring)."""
        found: set[str] = set()
        if loan_id is not None:
            found |= {loan_id, f"loan:{loan_id}"}
            found |= set(self._db.scalars(
                select(journal_entries.c.entry_id).where(journal_entries.c.reference == loan_id)
            ))  # fmt: skip
            booked = self._db.scalar(select(_A.application_id).where(_A.loan_id == loan_id))
            if booked is not None and application_id is None:
                application_id = booked
        if application_id is not None:
            found |= {application_id, f"application:{application_id}"}
            found |= set(self._db.scalars(
                select(decisions.c.decision_id).where(decisions.c.application_id == application_id)
            ))  # fmt: skip
            found |= set(self._db.scalars(
                select(offers.c.offer_id).where(offers.c.application_id == application_id)
            ))  # fmt: skip
            loan = self._db.scalar(select(_A.loan_id).where(_A.application_id == application_id))
            if loan is not None and loan_id is None:
                found |= self.trail_subjects(loan_id=loan)
        return found

    def entries(
        self, subjects: Collection[str] = (), actor: str | None = None
    ) -> list[dict[str, Any]]:
        """Audit entries naming one of `subjects` or written by `actor`, in log order (at most
        `TRAIL_LIMIT`): sequence, recorded_at, actor, action, subject, payload_digest."""
        where: list[ColumnElement[bool]] = []
        if subjects:
            where.append(_E.subject.in_(sorted(subjects)))
        if actor:
            where.append(_E.actor == actor)
        if not where:
            return []
        return [dict(r._mapping) for r in self._db.execute(
            select(_E.sequence, _E.recorded_at, _E.actor, _E.action, _E.subject,
                   _E.payload_digest)
            .where(or_(*where)).order_by(_E.sequence).limit(TRAIL_LIMIT)
        )]  # fmt: skip


def loans_list(scope: BranchScope) -> Select[Any]:
    """Loans of the officer's branch `scope` (`branch_store.within`) for the list component,
    labelled: loan_id, applicant (the booking application's masked name; empty for a loan
    booked outside the flow), principal (minor units), currency, status, dpd, grade,
    disbursement_date."""
    return (
        select(loans.c.loan_id, _A.applicant_name_masked.label("applicant"),
               loans.c.principal_minor.label("principal"), loans.c.currency, loans.c.status,
               loans.c.dpd, loans.c.grade, loans.c.disbursement_date)
        .select_from(loans.outerjoin(applications, _A.loan_id == loans.c.loan_id))
        .where(within(loans.c.branch_id, scope))
    )  # fmt: skip
