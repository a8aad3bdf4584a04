"""SQL storage of the access context and of what replays need, on the unit of work's connection.

- `ApprovalStore`: maker-checker items (`identity_tables.approvals`); `open_subject` is set while
  an item is open, so the UNIQUE constraint refuses a second open item per subject (SubjectBusy).
- `OfficerStore`: officer rows (role changes happen only through an executed approval).
- `ModelStore`: frozen model specs by digest and credit-policy documents by version.
- `DecisionInputStore`: the replay inputs of automatic decisions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

from creditfactory.access import ApprovalItem, ApprovalKind, ApprovalStatus, SubjectBusy
from creditfactory.adapters.storage.branch_store import within
from creditfactory.adapters.storage.decisioning_tables import (
    decision_inputs,
    model_specs,
    policy_documents,
)
from creditfactory.adapters.storage.identity_tables import approvals, branches, officers
from creditfactory.adapters.storage.origination_tables import applications
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.service_layer.ownership import BranchScope

__all__ = [
    "ApprovalStore",
    "DecisionInputStore",
    "ModelStore",
    "OfficerStore",
    "approval_in_scope",
]


def _item(row: Any) -> ApprovalItem:
    return ApprovalItem(
        approval_id=row.approval_id,
        kind=ApprovalKind(row.kind),
        subject=row.subject,
        params=json.loads(row.params),
        maker=row.maker,
        note=row.note,
        status=ApprovalStatus(row.status),
        created_at=row.created_at,
        checker=row.checker,
        decided_at=row.decided_at,
        executed_by=row.executed_by,
        executed_at=row.executed_at,
    )


def _values(item: ApprovalItem) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "subject": item.subject,
        "open_subject": item.subject if item.status.is_open else None,
        "params": json.dumps(dict(item.params), sort_keys=True, ensure_ascii=False),
        "maker": item.maker,
        "note": item.note,
        "status": item.status.value,
        "checker": item.checker,
        "executed_by": item.executed_by,
        "created_at": item.created_at,
        "decided_at": item.decided_at,
        "executed_at": item.executed_at,
    }


# approval subjects that belong to a branch: "<prefix>:<id>" → the row holding its branch_id
_SCOPED_SUBJECTS = (
    ("application", applications, applications.c.application_id),
    ("loan", loans, loans.c.loan_id),
    ("officer", officers, officers.c.officer_id),
)


def approval_in_scope(scope: BranchScope) -> ColumnElement[bool]:
    """WHERE clause: the item's subject is bank-wide (a policy, model, LPR publication) or an
    application, loan or officer of `scope`'s branches (`service_layer.ownership`)."""
    subject = approvals.c.subject
    reached = union_all(*(
        select((literal(f"{prefix}:") + key).label("subject"))
        .where(within(table.c.branch_id, scope))
        for prefix, table, key in _SCOPED_SUBJECTS
    ))  # fmt: skip
    bank_wide = and_(*(~subject.like(f"{prefix}:%") for prefix, _, _ in _SCOPED_SUBJECTS))
    return or_(bank_wide, subject.in_(reached))


class ApprovalStore:
    """Maker-checker items on one connection (the caller's transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, approval_id: str) -> ApprovalItem | None:
        """The item or None."""
        query = select(approvals).where(approvals.c.approval_id == approval_id)
        row = self._db.execute(query).one_or_none()
        return None if row is None else _item(row)

    def open_for(self, subject: str) -> ApprovalItem | None:
        """The open (pending or approved) item on `subject`, or None."""
        query = select(approvals).where(approvals.c.open_subject == subject)
        row = self._db.execute(query).one_or_none()
        return None if row is None else _item(row)

    def add(self, item: ApprovalItem) -> None:
        """Insert a new item. raises SubjectBusy when a concurrent request opened one first
        (the transaction is then unusable: the caller's unit of work rolls back)."""
        try:
            self._db.execute(
                insert(approvals).values(approval_id=item.approval_id, **_values(item))
            )
        except IntegrityError:
            raise SubjectBusy(f"subject: {item.subject} already has an open item") from None

    def save(self, item: ApprovalItem, expected: ApprovalStatus) -> bool:
        """Write `item` if the stored status is still `expected` (compare-and-set: two checkers
        racing decide once). False when someone else moved it first."""
        result = self._db.execute(
            update(approvals)
            .where(
                approvals.c.approval_id == item.approval_id, approvals.c.status == expected.value
            )
            .values(**_values(item))
        )
        return bool(result.rowcount == 1)

    def signed_off(self, kind: ApprovalKind, subject: str) -> ApprovalItem | None:
        """The last item of `kind` on `subject` a checker approved (status approved or executed),
        or None."""
        decided = (ApprovalStatus.APPROVED.value, ApprovalStatus.EXECUTED.value)
        query = (
            select(approvals)
            .where(
                approvals.c.kind == kind.value,
                approvals.c.subject == subject,
                approvals.c.status.in_(decided),
            )  # fmt: skip
            .order_by(approvals.c.decided_at.desc(), approvals.c.approval_id.desc())
            .limit(1)
        )
        row = self._db.execute(query).one_or_none()
        return None if row is None else _item(row)

    def of_subject(self, subject: str) -> list[ApprovalItem]:
        """Every item on `subject` ("officer:<id>", …), newest first."""
        query = (
            select(approvals)
            .where(approvals.c.subject == subject)
            .order_by(approvals.c.created_at.desc(), approvals.c.approval_id)
        )
        return [_item(r) for r in self._db.execute(query)]

    def listed(
        self, status: str | None = None, limit: int = 200, scope: BranchScope | None = None
    ) -> list[ApprovalItem]:
        """Items, oldest first, optionally of one status and within a branch scope."""
        query = select(approvals).order_by(approvals.c.created_at, approvals.c.approval_id)
        if status is not None:
            query = query.where(approvals.c.status == status)
        if scope is not None:
            query = query.where(approval_in_scope(scope))
        return [_item(r) for r in self._db.execute(query.limit(limit))]


_OFFICER_COLUMNS = (
    officers.c.officer_id,
    officers.c.username,
    officers.c.role,
    officers.c.active,
    officers.c.branch_id,
)


class OfficerStore:
    """Officer rows on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, officer_id: str) -> dict[str, Any] | None:
        """officer_id, username, role, active, branch_id, branch_name (e.g. 浦东支行) — never
        the hash."""
        query = (
            select(*_OFFICER_COLUMNS, branches.c.name.label("branch_name"))
            .join(branches, branches.c.branch_id == officers.c.branch_id)
            .where(officers.c.officer_id == officer_id)
        )
        row = self._db.execute(query).one_or_none()
        return None if row is None else dict(row._mapping)

    def add(self, row: Mapping[str, Any]) -> None:
        """Insert an officer row (raises IntegrityError on a taken username)."""
        self._db.execute(insert(officers).values(**row))

    def set_role(self, officer_id: str, role: str) -> None:
        """Change the role."""
        self._db.execute(
            update(officers).where(officers.c.officer_id == officer_id).values(role=role)
        )

    def listed(self, scope: BranchScope | None = None) -> list[dict[str, Any]]:
        """Every officer (no hashes), of `scope`'s branches when given, by username."""
        query = select(*_OFFICER_COLUMNS).order_by(officers.c.username)
        if scope is not None:
            query = query.where(within(officers.c.branch_id, scope))
        return [dict(r._mapping) for r in self._db.execute(query)]


class ModelStore:
    """Model specs by digest and policy documents by version."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def put_spec(self, digest: str, text: str, by: str, at: datetime) -> bool:
        """Keep a spec (first copy wins); True when it was new."""
        if self.spec(digest) is not None:
            return False
        self._db.execute(
            insert(model_specs).values(spec_digest=digest, spec=text, stored_at=at, stored_by=by)
        )
        return True

    def spec(self, digest: str) -> dict[str, Any] | None:
        """The spec row (text in `spec`) or None."""
        query = select(model_specs).where(model_specs.c.spec_digest == digest)
        row = self._db.execute(query).one_or_none()
        return None if row is None else dict(row._mapping)

    def publish_spec(self, digest: str, by: str, at: datetime) -> None:
        """Mark the spec published."""
        self._db.execute(
            update(model_specs)
            .where(model_specs.c.spec_digest == digest)
            .values(published_at=at, published_by=by)
        )

    def put_policy(self, version: str, digest: str, text: str, by: str, at: datetime) -> bool:
        """Keep a policy document (first copy of a version wins); True when it was new."""
        if self.policy(version) is not None:
            return False
        self._db.execute(
            insert(policy_documents).values(
                version=version, policy_digest=digest, document=text, stored_at=at, stored_by=by
            )
        )
        return True

    def policy(self, version: str) -> dict[str, Any] | None:
        """The policy row or None."""
        query = select(policy_documents).where(policy_documents.c.version == version)
        row = self._db.execute(query).one_or_none()
        return None if row is None else dict(row._mapping)

    def published_since(
        self, since: datetime
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The spec row and the policy row published last after `since`, each None when none."""
        found: list[dict[str, Any] | None] = []
        for table in (model_specs, policy_documents):
            query = (
                select(table)
                .where(table.c.published_at > since)
                .order_by(table.c.published_at.desc())
                .limit(1)
            )
            row = self._db.execute(query).one_or_none()
            found.append(None if row is None else dict(row._mapping))
        return found[0], found[1]

    def publish_policy(self, version: str, by: str, at: datetime) -> None:
        """Mark the policy document published."""
        self._db.execute(
            update(policy_documents)
            .where(policy_documents.c.version == version)
            .values(published_at=at, published_by=by)
        )


_INSERT_DECISION_INPUTS = insert(decision_inputs)  # built once: the flow adds one per application


class DecisionInputStore:
    """Replay inputs of automatic decisions."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, decision_id: str, snapshot: Mapping[str, Any], replay: Mapping[str, Any]) -> None:
        """Store the snapshot (encrypted) and the replay inputs (JSON)."""
        self._db.execute(
            _INSERT_DECISION_INPUTS,
            {
                "decision_id": decision_id,
                "snapshot_enc": json.dumps(
                    snapshot, ensure_ascii=False, sort_keys=True, default=str
                ),
                "replay": json.dumps(replay, ensure_ascii=False, sort_keys=True),
            },
        )

    def get(self, decision_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(snapshot, replay) or None."""
        query = select(decision_inputs).where(decision_inputs.c.decision_id == decision_id)
        row = self._db.execute(query).one_or_none()
        if row is None:
            return None
        return json.loads(row.snapshot_enc), json.loads(row.replay)
