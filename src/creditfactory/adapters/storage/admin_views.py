"""Read models of the administrator's pages (issue 14, "Administrator"): the officers of a branch
scope for the list component (`adapters/web/listing.py`), labelled by the list's column keys.
Never a password hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from creditfactory.adapters.storage.branch_store import within
from creditfactory.adapters.storage.identity_tables import approvals, branches, officers
from creditfactory.service_layer.ownership import BranchScope

__all__ = ["officers_list"]


def officers_list(scope: BranchScope) -> Select[Any]:
    """Officers of `scope`'s branches, labelled: officer_id, username, role, branch (its
    Chinese name), branch_id, active (yes | no), created_at, pending (the open maker-checker
    item on the officer, if any: its kind)."""
    o = officers.c
    pending = (
        select(approvals.c.kind)
        .where(approvals.c.open_subject == "officer:" + o.officer_id)
        .scalar_subquery()
    )
    return (
        select(o.officer_id.label("officer_id"), o.username.label("username"),
               o.role.label("role"), branches.c.name.label("branch"),
               o.branch_id.label("branch_id"), o.active.label("active"),
               o.created_at.label("created_at"), pending.label("pending"))
        .join(branches, branches.c.branch_id == o.branch_id)
        .where(within(o.branch_id, scope))
        .order_by(o.username)
    )  # fmt: skip
