"""The organisation in SQL: branch rows (`identity_tables.branches`), the branch of an object,
and the branch-subtree filter every scoped list uses.

`within(column, scope)` is THE way a read model limits rows to an officer's scope: the rows whose
`branch_id` is the scope's root or a branch below it, selected in SQL by a recursive common table
expression over `branches.parent_id` (SQLite and PostgreSQL both run `WITH RECURSIVE`), so a page
never loads rows it may not show. `service_layer.ownership.scope_of` gives the scope of a caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, insert, select

from creditfactory.access.branches import Branch, BranchLevel
from creditfactory.adapters.storage.identity_tables import branches, officers
from creditfactory.adapters.storage.origination_tables import applications, offers
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.service_layer.ownership import BranchScope

__all__ = ["BranchStore", "subtree_ids", "within"]


def subtree_ids(root: str) -> Any:
    """SELECT of the ids of `root` and every branch below it (recursive CTE); empty when `root`
    is unknown. The SQL twin of `access.branches.subtree` (a property test holds them equal)."""
    tree = (
        select(branches.c.branch_id)
        .where(branches.c.branch_id == root)
        .cte(recursive=True)  # anonymous: one query may hold several (approvals by subject)
    )
    tree = tree.union_all(
        select(branches.c.branch_id).where(branches.c.parent_id == tree.c.branch_id)
    )
    return select(tree.c.branch_id)


def within(column: Any, scope: BranchScope) -> ColumnElement[bool]:
    """WHERE clause: `column` (a `branch_id` column) lies in `scope` — the root's subtree."""
    return column.in_(subtree_ids(scope.root))  # type: ignore[no-any-return]


def _branch(row: Any) -> Branch:
    return Branch(row.branch_id, row.name, row.name_en, BranchLevel(row.level), row.parent_id)


# object kind → (table, its id column): the objects an officer addresses by a path parameter
_OWNED: Mapping[str, tuple[Any, Any]] = {
    "application": (applications, applications.c.application_id),
    "loan": (loans, loans.c.loan_id),
    "officer": (officers, officers.c.officer_id),
}


class BranchStore:
    """Branch rows and object → branch look-ups on one connection (the caller's transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, branch: Branch, at: datetime) -> None:
        """Insert a branch (checked by `access.branches.check_new_branch` first)."""
        self._db.execute(
            insert(branches).values(
                branch_id=branch.branch_id, name=branch.name, name_en=branch.name_en,
                level=branch.level.value, parent_id=branch.parent_id, created_at=at,
            )
        )  # fmt: skip

    def get(self, branch_id: str) -> Branch | None:
        """The branch or None."""
        row = self._db.execute(
            select(branches).where(branches.c.branch_id == branch_id)
        ).one_or_none()
        return None if row is None else _branch(row)

    def listed(self) -> list[Branch]:
        """Every branch, the head office first, then by level and id."""
        order = {"head": 0, "branch": 1, "sub_branch": 2}
        rows = self._db.execute(select(branches)).all()
        found = [_branch(r) for r in rows]
        return sorted(found, key=lambda b: (order[b.level.value], b.branch_id))

    def parents(self) -> dict[str, str | None]:
        """branch id → parent id (None for the head office)."""
        rows = self._db.execute(select(branches.c.branch_id, branches.c.parent_id))
        return {r[0]: r[1] for r in rows}

    def branch_of(self, kind: str, object_id: str) -> str | None:
        """The branch of an application, offer (its application's), loan or officer; None when
        there is no such object. raises KeyError for another kind."""
        if kind == "offer":
            query = (
                select(applications.c.branch_id)
                .join(offers, offers.c.application_id == applications.c.application_id)
                .where(offers.c.offer_id == object_id)
            )
        else:
            table, key = _OWNED[kind]
            query = select(table.c.branch_id).where(key == object_id)
        found = self._db.execute(query.limit(1)).one_or_none()
        return None if found is None else str(found[0])

    def borrower_in_scope(self, borrower_id: str, scope: BranchScope) -> bool:
        """Whether a borrower ("bor_" + 24 hex of the subject's blind index) has an application
        or a loan in `scope` — a customer page shows only a borrower the officer deals with."""
        prefix = borrower_id.removeprefix("bor_")
        if prefix == borrower_id or not prefix.isalnum():
            return False
        applied = select(applications.c.application_id).where(
            applications.c.subject_bidx.like(prefix + "%"),
            within(applications.c.branch_id, scope),
        )
        booked = select(loans.c.loan_id).where(
            loans.c.borrower_id == borrower_id, within(loans.c.branch_id, scope)
        )
        found = self._db.execute(applied.union_all(booked).limit(1)).first()
        return found is not None

    def in_scope(self, branch_id: str, scope: BranchScope) -> bool:
        """Whether `branch_id` lies in `scope` (one recursive query)."""
        query = select(branches.c.branch_id).where(
            branches.c.branch_id == branch_id, within(branches.c.branch_id, scope)
        )
        return self._db.execute(query).one_or_none() is not None
