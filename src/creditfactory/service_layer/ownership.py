"""Ownership: which caller may address an object — THE check of DESIGN §10 ("channel → its own
applications, loans, consents, offers; officers by role and branch").

`adapters/api/security.authorize` runs it on every route after the permission check, for every
path parameter of the route:

- a **channel** (API key) must own the object (issue 13, defect 3): an application, and its offer,
  belongs to the channel that submitted it; a loan to the channel whose application booked it (a
  loan booked outside the API belongs to none); a consent to the channel that recorded it.
- an **officer** must have the object in their branch scope (issue 14, "Organisation"): the
  object's branch is the officer's own or one below it (`access.branches.subtree`), so a
  head-office officer reaches everything and a 支行 officer only their 支行. An approval item is
  scoped by its subject (an application, loan or officer); items on bank-wide subjects (policy,
  model, LPR fixings) and the `BANK_WIDE` parameters (policy versions, model digests, audit
  sequence numbers) are the same for every branch.

Either way the refusal is a 404, the answer for an object that does not exist, so a caller learns
nothing about ids outside its reach. A path parameter not declared here is refused (fail closed):
a new route with, say, `{facility_id}` must register its kind before anyone can call it.

Lists are scoped the same way: `scope_of(branch_id)` is the `BranchScope` a read model passes to
`adapters/storage/branch_store.within` (the subtree selected in SQL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from creditfactory.access import PermissionDenied
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryUnitOfWork,
    OfficeWiring,
)

__all__ = [
    "BANK_WIDE",
    "OFFICER_SCOPED",
    "OWNED",
    "BranchScope",
    "require_channel_owns",
    "require_branch_in_scope",
    "require_officer_reaches",
    "require_subject_in_scope",
    "scope_of",
]

OWNED: Final = {
    "application_id": "application",
    "offer_id": "offer",
    "loan_id": "loan",
    "consent_id": "consent",
}
"""Channel routes: path parameter → object kind (`FactoryApplications.owning_channel`)."""

OFFICER_SCOPED: Final = {
    "application_id": "application",
    "offer_id": "offer",
    "loan_id": "loan",
    "officer_id": "officer",
    "approval_id": "approval",
    "borrower_id": "borrower",
}
"""Officer routes: path parameter → object kind whose branch must be in the officer's scope
(`BranchStore.branch_of`; an approval through its subject; a borrower — the customer page — when
one of its applications or loans is)."""

BANK_WIDE: Final = frozenset({"version", "digest", "sequence"})
"""Officer route parameters naming bank-wide objects (a policy version, a model digest, an audit
entry's sequence number): the same for every branch, not scoped."""

_SUBJECT_KINDS: Final = frozenset({"application", "loan", "officer"})


@dataclass(frozen=True, slots=True)
class BranchScope:
    """What an officer reaches: the branch `root` and every branch below it."""

    root: str


def scope_of(branch_id: str) -> BranchScope:
    """The scope of an officer of `branch_id` (`Principal.branch_id`)."""
    return BranchScope(branch_id)


def require_channel_owns(deps: OfficeWiring, channel_id: str, params: Mapping[str, str]) -> None:
    """Check that `channel_id` owns every object named by the route's path `params`.

    raises ApplicationNotFound ("<param>: no <kind> '<id>'", 404) for an unknown or another
    channel's object; PermissionDenied for a parameter naming no owned kind (fail closed).
    """
    if not params:
        return
    unknown = sorted(set(params) - set(OWNED))
    if unknown:
        raise PermissionDenied(f"{unknown[0]}: no channel ownership is declared for it")
    with deps.uow() as uow:
        for name, object_id in sorted(params.items()):
            kind = OWNED[name]
            if uow.applications.owning_channel(kind, object_id) != channel_id:
                raise ApplicationNotFound(f"{name}: no {kind} {object_id!r}")


def _reaches(uow: FactoryUnitOfWork, scope: BranchScope, kind: str, object_id: str) -> bool:
    if kind == "approval":
        item = uow.approvals.get(object_id)
        if item is None:
            return False
        kind, _, object_id = item.subject.partition(":")
        if kind not in _SUBJECT_KINDS:
            return True  # a policy, model or LPR publication: bank-wide
    if kind == "borrower":
        return bool(uow.branches.borrower_in_scope(object_id, scope))
    branch = uow.branches.branch_of(kind, object_id)
    return branch is not None and bool(uow.branches.in_scope(branch, scope))


def require_officer_reaches(deps: OfficeWiring, branch_id: str, params: Mapping[str, str]) -> None:
    """Check that every object named by the route's path `params` lies in the scope of an
    officer of `branch_id`. raises ApplicationNotFound (404, as for a missing object) outside
    it; PermissionDenied for a parameter declared neither in OFFICER_SCOPED nor BANK_WIDE."""
    unknown = sorted(set(params) - set(OFFICER_SCOPED) - BANK_WIDE)
    if unknown:
        raise PermissionDenied(f"{unknown[0]}: no branch scope is declared for it")
    scoped = {k: v for k, v in params.items() if k in OFFICER_SCOPED}
    if not scoped:
        return
    scope = scope_of(branch_id)
    with deps.uow() as uow:
        for name, object_id in sorted(scoped.items()):
            kind = OFFICER_SCOPED[name]
            if not _reaches(uow, scope, kind, object_id):
                raise ApplicationNotFound(f"{name}: no {kind} {object_id!r}")


def require_subject_in_scope(deps: OfficeWiring, branch_id: str, subject: str) -> None:
    """The same check for a maker-checker subject given in a request body ("loan:<id>", …):
    an application, loan or officer outside the scope is a 404; other subjects are bank-wide.
    raises ApplicationNotFound."""
    kind, _, object_id = subject.partition(":")
    if kind not in _SUBJECT_KINDS:
        return
    with deps.uow() as uow:
        if not _reaches(uow, scope_of(branch_id), kind, object_id):
            raise ApplicationNotFound(f"subject: no {kind} {object_id!r}")


def require_branch_in_scope(deps: OfficeWiring, branch_id: str, target: str) -> None:
    """An officer of `branch_id` may place someone (a new officer) only at a branch of their
    scope. raises ValidationError("branch_id") otherwise (branches are not secret: named)."""
    with deps.uow() as uow:
        if not uow.branches.in_scope(target, scope_of(branch_id)):
            raise ValidationError("branch_id", f"{target!r} is not a branch of your scope")
