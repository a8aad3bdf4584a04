"""Maker-checker (four eyes) as pure rules over approval items.

An item asks for one checked action on one subject: the maker requests it (`request`), a
different officer whose role holds `<kind>.approve` approves or rejects it (`approve`,
`reject`), and the checked action runs only against an approved item of the same kind and
subject (`authorise_execution`), which it then consumes (`executed`). Rules (issue 7; Fineract's
frequent bypass bugs are the reason each is explicit):

- the checker is never the maker (MakerCheckerViolation, 403);
- one open item (pending or approved, not yet executed) per subject (SubjectBusy, 409);
- a decided or executed item cannot be decided again (ItemNotPending, 409);
- no approved item of that kind and subject → the action is refused (MakerCheckerViolation).

Subjects name the business object: "application:<id>", "loan:<id>", "policy:<version>",
"model:<digest>", "officer:<id>", "rates:<import id>" (a batch of LPR fixings). Times are inputs;
no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any

from creditfactory.access.errors import ItemNotPending, MakerCheckerViolation, PermissionDenied
from creditfactory.access.policy import ROLES, AccessPolicy

__all__ = [
    "ApprovalItem",
    "ApprovalKind",
    "ApprovalStatus",
    "approve",
    "authorise_execution",
    "executed",
    "reject",
    "request",
]

_DECIMAL = re.compile(r"^\d{1,12}(\.\d{1,8})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ApprovalKind(str, Enum):
    """The checked actions and the subject prefix each acts on."""

    REFERRAL_DECISION = "referral_decision"
    LIMIT_OVERRIDE = "limit_override"
    PRICE_OVERRIDE = "price_override"
    WRITE_OFF = "write_off"
    POLICY_PUBLICATION = "policy_publication"
    MODEL_PUBLICATION = "model_publication"
    ROLE_CHANGE = "role_change"
    RATES_PUBLICATION = "rates_publication"

    @property
    def prefix(self) -> str:
        """Subject prefix ("application", "loan", …)."""
        return _PREFIX[self]


_PREFIX = {
    ApprovalKind.REFERRAL_DECISION: "application",
    ApprovalKind.LIMIT_OVERRIDE: "application",
    ApprovalKind.PRICE_OVERRIDE: "application",
    ApprovalKind.WRITE_OFF: "loan",
    ApprovalKind.POLICY_PUBLICATION: "policy",
    ApprovalKind.MODEL_PUBLICATION: "model",
    ApprovalKind.ROLE_CHANGE: "officer",
    ApprovalKind.RATES_PUBLICATION: "rates",
}


class ApprovalStatus(str, Enum):
    """Life of an item: pending → approved → executed, or pending → rejected."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXECUTED = "executed"

    @property
    def is_open(self) -> bool:
        """Pending or approved-not-executed: blocks another item on the subject."""
        return self in (ApprovalStatus.PENDING, ApprovalStatus.APPROVED)


@dataclass(frozen=True, slots=True)
class ApprovalItem:
    """One maker-checker item. `params` are JSON-able strings; times tz-aware UTC."""

    approval_id: str
    kind: ApprovalKind
    subject: str
    params: Mapping[str, str]
    maker: str
    note: str
    status: ApprovalStatus
    created_at: datetime
    checker: str | None = None
    decided_at: datetime | None = None
    executed_by: str | None = None
    executed_at: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (times ISO 8601)."""
        return {
            "approval_id": self.approval_id, "kind": self.kind.value, "subject": self.subject,
            "params": dict(self.params), "maker": self.maker, "note": self.note,
            "status": self.status.value, "created_at": _iso(self.created_at),
            "checker": self.checker, "decided_at": _iso(self.decided_at),
            "executed_by": self.executed_by, "executed_at": _iso(self.executed_at),
        }  # fmt: skip


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _check_params(kind: ApprovalKind, params: Mapping[str, str]) -> None:
    def need(
        name: str, pattern: re.Pattern[str] | None = None, values: tuple[str, ...] = ()
    ) -> None:
        value = params.get(name)
        ok = isinstance(value, str) and (
            (pattern is not None and pattern.match(value) is not None) or value in values
        )
        if not ok:
            raise MakerCheckerViolation(f"params.{name}: required for {kind.value}")

    if kind is ApprovalKind.REFERRAL_DECISION:
        need("action", values=("approve", "decline"))
    elif kind is ApprovalKind.LIMIT_OVERRIDE:
        need("amount", _DECIMAL)
    elif kind is ApprovalKind.PRICE_OVERRIDE:
        need("annual_rate", _DECIMAL)
    elif kind is ApprovalKind.WRITE_OFF:
        need("business_date", _DATE)
    elif kind is ApprovalKind.ROLE_CHANGE:
        need("role", values=tuple(r for r in ROLES if r != "channel"))


def request(
    access: AccessPolicy,
    approval_id: str,
    kind: ApprovalKind,
    subject: str,
    params: Mapping[str, str],
    maker: str,
    maker_role: str,
    note: str,
    at: datetime,
    open_item: ApprovalItem | None,
) -> ApprovalItem:
    """A new pending item. raises PermissionDenied (role lacks `<kind>.request`),
    MakerCheckerViolation (bad subject or params), SubjectBusy (an open item exists)."""
    from creditfactory.access.errors import SubjectBusy

    access.require(maker_role, f"{kind.value}.request")
    if not subject.startswith(kind.prefix + ":") or len(subject) <= len(kind.prefix) + 1:
        raise MakerCheckerViolation(f"subject: {kind.value} acts on '{kind.prefix}:<id>'")
    _check_params(kind, params)
    if open_item is not None:
        raise SubjectBusy(
            f"subject: {subject} already has open item {open_item.approval_id} "
            f"({open_item.kind.value}, {open_item.status.value})"
        )
    return ApprovalItem(
        approval_id, kind, subject, dict(params), maker, note[:500], ApprovalStatus.PENDING, at
    )


def _decide(
    access: AccessPolicy,
    item: ApprovalItem,
    checker: str,
    role: str,
    at: datetime,
    to: ApprovalStatus,
) -> ApprovalItem:
    if item.status is not ApprovalStatus.PENDING:
        raise ItemNotPending(f"approval_id: {item.approval_id} is {item.status.value}")
    if checker == item.maker:
        raise MakerCheckerViolation("officer_id: the checker must not be the maker")
    if not access.allows(role, f"{item.kind.value}.approve"):
        raise MakerCheckerViolation(f"role: {role} may not check {item.kind.value}")
    return replace(item, status=to, checker=checker, decided_at=at)


def approve(
    access: AccessPolicy, item: ApprovalItem, checker: str, role: str, at: datetime
) -> ApprovalItem:
    """Checker approves. raises ItemNotPending, MakerCheckerViolation (self-check, role)."""
    return _decide(access, item, checker, role, at, ApprovalStatus.APPROVED)


def reject(
    access: AccessPolicy, item: ApprovalItem, checker: str, role: str, at: datetime
) -> ApprovalItem:
    """Checker rejects (the subject is free again). Same errors as `approve`."""
    return _decide(access, item, checker, role, at, ApprovalStatus.REJECTED)


def authorise_execution(
    access: AccessPolicy,
    item: ApprovalItem | None,
    kind: ApprovalKind,
    subject: str,
    executor_role: str,
) -> ApprovalItem:
    """The approved item that lets `kind` run on `subject`. raises PermissionDenied
    (`<kind>.execute` missing), MakerCheckerViolation (no approved item of this kind and
    subject)."""
    if not access.allows(executor_role, f"{kind.value}.execute"):
        raise PermissionDenied(f"role: {executor_role} lacks permission {kind.value}.execute")
    if item is None or item.kind is not kind or item.subject != subject:
        raise MakerCheckerViolation(
            f"approval_id: no approved {kind.value} item for {subject} (maker-checker)"
        )
    if item.status is not ApprovalStatus.APPROVED:
        raise MakerCheckerViolation(
            f"approval_id: {item.approval_id} is {item.status.value}, not approved"
        )
    return item


def executed(item: ApprovalItem, by: str, at: datetime) -> ApprovalItem:
    """The item consumed by its action."""
    return replace(item, status=ApprovalStatus.EXECUTED, executed_by=by, executed_at=at)
