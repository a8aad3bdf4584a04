"""Maker-checker use cases: request, approve / reject, list, and the checked actions.

Each step is one transaction with its audit leaf (`approval.requested`, `approval.approved`,
`approval.rejected`, `approval.executed` plus the action's own leaves). The checked actions —
limit / price override, write-off, policy and model publication, role change — run only through
`_consume`, which needs an APPROVED item of the same kind and subject and marks it executed in
the same transaction (compare-and-set, so an item is consumed once). Referral decisions use the
same items; there the checker's approval is the action (offer_flow.check_referral), as it is for
LPR imports (`rates_flow.on_decided`: approving publishes them).

The write-off, its ledger entries, the consumed item and the leaves commit together, once per
approval item (the idempotency mechanism); a write-off item is checked when it is requested
(real date, loan exists, eligible) and an execution the rules refuse releases its item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from creditfactory.access import (
    AccessPolicy,
    ApprovalItem,
    ApprovalKind,
    ApprovalStatus,
    ItemNotPending,
    approve,
    authorise_execution,
    executed,
    reject,
    request,
)
from creditfactory.audit import AuditEntry
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.idempotency import run_once
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryDeps,
    OfficeWiring,
)
from creditfactory.service_layer.ownership import BranchScope
from creditfactory.servicing.errors import ServicingError

__all__ = [
    "consume",
    "decide_approval",
    "check_write_off_request",
    "execute_write_off",
    "leaf",
    "list_approvals",
    "request_approval",
]


def leaf(
    deps: OfficeWiring, actor: str, action: str, subject: str, payload: Mapping[str, Any]
) -> AuditEntry:
    """An audit entry timed by the deps' clock."""
    return AuditEntry(actor, action, subject, dict(payload), deps.clock.now())


def _kind(text: str) -> ApprovalKind:
    try:
        return ApprovalKind(text)
    except ValueError:
        kinds = " | ".join(k.value for k in ApprovalKind)
        raise ValidationError("kind", kinds) from None


def _payload(item: ApprovalItem) -> dict[str, Any]:
    return {"approval_id": item.approval_id, "kind": item.kind.value,
            "params": dict(item.params), "maker": item.maker, "note": item.note,
            "checker": item.checker, "status": item.status.value}  # fmt: skip


def open_item(
    uow: Any, access: AccessPolicy, kind: ApprovalKind, subject: str, params: Mapping[str, str],
    maker: str, role: str, note: str, deps: OfficeWiring,
) -> ApprovalItem:  # fmt: skip
    """Create a pending item in `uow` with its leaf. raises PermissionDenied,
    MakerCheckerViolation (bad params / subject), SubjectBusy (409)."""
    current = uow.approvals.open_for(subject)
    item = request(access, deps.ids.new("apr"), kind, subject, params, maker, role, note,
                   deps.clock.now(), current)  # fmt: skip
    uow.approvals.add(item)
    uow.applications.audit([leaf(deps, maker, "approval.requested", subject, _payload(item))])
    return item


def request_approval(
    deps: OfficeWiring, access: AccessPolicy, kind: str, subject: str,
    params: Mapping[str, str], maker: str, role: str, note: str = "",
) -> dict[str, Any]:  # fmt: skip
    """Maker step for any kind (see `open_item`); returns the item. A model publication's
    params carry the spec's sha256 and verdict, and a spec that fails its checks needs the
    maker's reason (`model_approval.signing_params`)."""
    checked = _kind(kind)
    with deps.uow() as uow:
        _subject_exists(uow, checked, subject)
        if checked is ApprovalKind.WRITE_OFF:
            check_write_off_request(uow, deps, subject, params)
        if checked is ApprovalKind.MODEL_PUBLICATION:
            from creditfactory.service_layer.model_approval import signing_params

            params = signing_params(uow, subject, params, note)
        item = open_item(uow, access, checked, subject, params, maker, role, note, deps)
        uow.commit()
    return item.to_dict()


def _subject_exists(uow: Any, kind: ApprovalKind, subject: str) -> None:
    _, _, ref = subject.partition(":")
    found: object = True
    if kind.prefix == "application":
        found = uow.applications.get(ref)
    elif kind.prefix == "officer":
        found = uow.officers.get(ref)
    elif kind.prefix == "model":
        found = uow.models.spec(ref)
    elif kind.prefix == "policy":
        found = uow.models.policy(ref)
    elif kind.prefix == "rates":
        found = uow.rates.of_import(ref) or None
    if found is None:
        raise ApplicationNotFound(f"subject: no {subject}")


def decide_approval(
    deps: OfficeWiring, access: AccessPolicy, approval_id: str, checker: str, role: str,
    approved: bool,
) -> dict[str, Any]:  # fmt: skip
    """Checker step (not for referral decisions, which /referrals/{id}/check decides and
    executes). raises ApplicationNotFound, ItemNotPending (409), MakerCheckerViolation (403)."""
    with deps.uow() as uow:
        item = uow.approvals.get(approval_id)
        if item is None:
            raise ApplicationNotFound(f"approval_id: no item {approval_id!r}")
        if item.kind is ApprovalKind.REFERRAL_DECISION and approved:
            raise ItemNotPending(
                f"approval_id: check referrals at /referrals/{item.subject[12:]}/check"
            )
        step = approve if approved else reject
        decided = step(access, item, checker, role, deps.clock.now())
        if not uow.approvals.save(decided, ApprovalStatus.PENDING):
            raise ItemNotPending(f"approval_id: {approval_id} was decided meanwhile")
        action = "approval.approved" if approved else "approval.rejected"
        uow.applications.audit([leaf(deps, checker, action, item.subject, _payload(decided))])
        if item.kind is ApprovalKind.RATES_PUBLICATION:  # the checker's decision is the action
            from creditfactory.service_layer.rates_flow import on_decided  # it imports this

            on_decided(uow, deps, access, decided, checker, role)
        uow.commit()
    return decided.to_dict()


def list_approvals(
    deps: FactoryDeps, status: str | None, scope: BranchScope | None = None
) -> list[dict[str, Any]]:
    """Items (oldest first), e.g. status="pending" for the checkers' queue; with `scope`, only
    those on bank-wide subjects or on applications, loans and officers of its branches."""
    if status is not None and status not in {s.value for s in ApprovalStatus}:
        raise ValidationError("status", " | ".join(s.value for s in ApprovalStatus))
    with deps.uow() as uow:
        return [i.to_dict() for i in uow.approvals.listed(status, scope=scope)]


def consume(
    uow: Any, deps: OfficeWiring, access: AccessPolicy, approval_id: str | None,
    kind: ApprovalKind, subject: str, executor: str, role: str,
) -> ApprovalItem:  # fmt: skip
    """The approved item for this action, marked executed in `uow` with its leaf. raises
    PermissionDenied, MakerCheckerViolation (no approved item: a direct call is refused)."""
    item = None if not approval_id else uow.approvals.get(approval_id)
    item = authorise_execution(access, item, kind, subject, role)
    done = executed(item, executor, deps.clock.now())
    if not uow.approvals.save(done, ApprovalStatus.APPROVED):
        raise ItemNotPending(f"approval_id: {item.approval_id} was executed meanwhile")
    uow.applications.audit([leaf(deps, executor, "approval.executed", subject, _payload(done))])
    return done


def execute_write_off(
    deps: FactoryDeps, access: AccessPolicy, loan_id: str, approval_id: str | None,
    executor: str, role: str,
) -> dict[str, Any]:  # fmt: skip
    """核销 `loan_id` on the approved item's business date (servicing.write_off_loan), in one
    transaction with the consumed item, once per approval item (`kernel.idempotency.run_once`:
    a retry or a concurrent duplicate gets the first response). An execution the rules refuse
    (the loan was repaid to 正常 meanwhile, say) releases its item — marked rejected with the
    reason, leaf `approval.failed` — so a failed approval never blocks the loan.
    raises MakerCheckerViolation without an approved item; WriteOffNotEligible, LoanNotFound."""
    from creditfactory.servicing.services import write_off_loan

    def work(uow: Any) -> dict[str, Any]:
        item = consume(uow, deps, access, approval_id, ApprovalKind.WRITE_OFF, f"loan:{loan_id}",
                       executor, role)  # fmt: skip
        value_date = date.fromisoformat(item.params["business_date"])  # checked at request
        loan = write_off_loan(uow, deps.clock, loan_id, value_date)
        return {"loan_id": loan_id, "status": loan.status.value, "approval_id": item.approval_id,
                "business_date": value_date.isoformat(),
                "principal_outstanding": str(loan.principal_outstanding)}  # fmt: skip

    request = {"loan_id": loan_id, "approval_id": approval_id}
    try:
        return run_once(deps.uow(), "write_off", approval_id or "", request, work, deps.clock.now)
    except (ServicingError, ValidationError) as refused:  # the loan's rules, not the caller's
        if approval_id:
            _release(deps, approval_id, f"loan:{loan_id}", executor, str(refused))
        raise


def _release(deps: FactoryDeps, approval_id: str, subject: str, executor: str, why: str) -> None:
    """An approved item whose execution the rules refused: rejected, with its leaf."""
    with deps.uow() as uow:
        item = uow.approvals.get(approval_id)
        if item is None or item.status is not ApprovalStatus.APPROVED or item.subject != subject:
            return
        failed = replace(item, status=ApprovalStatus.REJECTED, extra={"failure": why[:500]})
        if uow.approvals.save(failed, ApprovalStatus.APPROVED):
            payload = {**_payload(failed), "failure": why[:500]}
            uow.applications.audit([leaf(deps, executor, "approval.failed", subject, payload)])
            uow.commit()


def check_write_off_request(uow: Any, deps: OfficeWiring, subject: str,
                            params: Mapping[str, str]) -> None:  # fmt: skip
    """A write-off item names a loan that exists and may be written off on a real calendar
    date not after the business date (issue 13, defect 6: "2026-02-31" once passed, failed at
    execution and blocked the loan). raises ValidationError("params.business_date"),
    LoanNotFound (404), WriteOffNotEligible."""
    from creditfactory.servicing.repayment import check_write_off
    from creditfactory.servicing.services import business_date
    from creditfactory.servicing.value_dates import check_value_date

    text = params.get("business_date", "")
    try:
        value_date = date.fromisoformat(text)
    except ValueError:
        raise ValidationError("params.business_date", "a real calendar date YYYY-MM-DD") from None
    field = "params.business_date"
    check_value_date(value_date, business_date(deps.clock), backdating=True, field=field)
    check_write_off(uow.loans.get(subject.partition(":")[2]), value_date)


def money_text(value: str, field: str) -> Decimal:
    """A positive decimal from text. raises ValidationError naming `field`."""
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise ValidationError(field, "a decimal number") from None
    if amount <= 0:
        raise ValidationError(field, "positive")
    return amount


def now_of(deps: FactoryDeps) -> datetime:
    """The deps' clock."""
    return deps.clock.now()
