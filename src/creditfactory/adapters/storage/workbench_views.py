"""Read models of the workbench's home page: the size of each queue and the applications list.

Every count and row is limited to the viewer's branch scope (`service_layer.ownership`: their
branch and those below it, `branch_store.within` in SQL); the audit log is bank-wide.

- `queue_counts(db, permissions, scope)`: for each queue the permissions reach, its size —
  referrals waiting for an officer (`referral.read`), maker-checker items waiting for a checker
  (`approval.read`), open post-loan alerts (`monitoring.act`), active and overdue loans
  (`loan.read`), audit log entries (`audit.read`), active officers (`user.read`).
- `applications_list(scope)`: applications with masked applicant columns only, for the list
  component (`adapters/web/listing.py`), labelled by its column keys.
- `active_by_grade(db, scope)`: active CNY loans per five-category grade: (grade, count, booked
  principal in minor units).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from sqlalchemy import Connection, Select, func, select

from creditfactory.adapters.storage.access_store import approval_in_scope
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.branch_store import within
from creditfactory.adapters.storage.identity_tables import approvals, officers
from creditfactory.adapters.storage.monitoring_tables import monitoring_alerts
from creditfactory.adapters.storage.origination_tables import applications
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.service_layer.ownership import BranchScope

__all__ = ["active_by_grade", "applications_list", "queue_counts", "queues"]

OPEN_ALERTS: Final = ("open", "assigned", "investigating")


def queues(scope: BranchScope) -> dict[str, tuple[str, Select[Any]]]:
    """Queue → (the permission that reaches it, COUNT query over `scope`), in the order the home
    page shows."""
    booked = select(loans.c.borrower_id).where(within(loans.c.branch_id, scope))
    return {
        "referrals": ("referral.read",
                      select(func.count()).select_from(applications)
                      .where(applications.c.status == "referred",
                             within(applications.c.branch_id, scope))),
        "approvals": ("approval.read",
                      select(func.count()).select_from(approvals)
                      .where(approvals.c.status == "pending", approval_in_scope(scope))),
        "alerts": ("monitoring.act",
                   select(func.count()).select_from(monitoring_alerts)
                   .where(monitoring_alerts.c.status.in_(OPEN_ALERTS),
                          monitoring_alerts.c.borrower_id.in_(booked))),
        "loans": ("loan.read",
                  select(func.count()).select_from(loans)
                  .where(loans.c.status == "active", within(loans.c.branch_id, scope))),
        "overdue": ("loan.read",
                    select(func.count()).select_from(loans)
                    .where(loans.c.status == "active", loans.c.dpd > 0,
                           within(loans.c.branch_id, scope))),
        "audit": ("audit.read", select(func.count()).select_from(audit_entries)),
        "officers": ("user.read",
                     select(func.count()).select_from(officers)
                     .where(officers.c.active.is_(True), within(officers.c.branch_id, scope))),
    }  # fmt: skip


def queue_counts(
    db: Connection, permissions: Collection[str], scope: BranchScope
) -> dict[str, int]:
    """The size of each queue whose permission is in `permissions`, over `scope`, in `queues`
    order."""
    return {
        name: int(db.execute(query).scalar_one())
        for name, (permission, query) in queues(scope).items()
        if permission in permissions
    }


def applications_list(scope: BranchScope) -> Select[Any]:
    """Applications of `scope`'s branches, newest first: id, masked name and identifier, requested amount (minor
    units) and its currency, term, status, submitted time (UTC), loan id."""
    return (
        select(
            applications.c.application_id.label("application_id"),
            applications.c.applicant_name_masked.label("applicant"),
            applications.c.subject_masked.label("subject"),
            applications.c.requested_minor.label("amount"),
            applications.c.currency.label("currency"),
            applications.c.term_months.label("term_months"),
            applications.c.status.label("status"),
            applications.c.submitted_at.label("submitted_at"),
            applications.c.loan_id.label("loan_id"),
        )
        .where(within(applications.c.branch_id, scope))
        .order_by(applications.c.submitted_at.desc())
    )


def active_by_grade(db: Connection, scope: BranchScope) -> list[tuple[str, int, int]]:
    """Active CNY loans of `scope`'s branches per grade (PASS … LOSS as stored): (grade, count, booked principal in
    分); grades without a loan are absent."""
    rows = db.execute(
        select(loans.c.grade, func.count(), func.sum(loans.c.principal_minor))
        .where(
            loans.c.status == "active", loans.c.currency == "CNY", within(loans.c.branch_id, scope)
        )
        .group_by(loans.c.grade)
    )
    return [(str(g), int(n), int(total)) for g, n, total in rows]
