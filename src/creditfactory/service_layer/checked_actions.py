"""The checked actions besides write-off: limit / price overrides, policy and model
publication, role changes; plus the uploads (drafts) that publication acts on.

Each runs in one transaction with `approval_flow.consume` (an approved item of its kind and
subject, else 403) and appends its audit leaves there.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.access import AccessPolicy, ApprovalItem, ApprovalKind
from creditfactory.decisioning import load_policy
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.scoring import load_spec
from creditfactory.scoring.spec import dump_spec
from creditfactory.service_layer.approval_flow import consume, leaf, money_text
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryDeps,
    OfferNotOpen,
    OfficeWiring,
)
from creditfactory.service_layer.factory_views import application_view
from creditfactory.service_layer.origination_flow import decision_payload, make_offer
from creditfactory.servicing.products import PRODUCTS

__all__ = [
    "execute_model_publication",
    "execute_override",
    "execute_policy_publication",
    "execute_role_change",
    "upload_model",
    "upload_policy",
]


def _override_record(
    deps: FactoryDeps, base: dict[str, Any], item: ApprovalItem, executor: str, now: datetime
) -> dict[str, Any]:
    record = {k: v for k, v in base.items() if k != "decided_by"}
    change = dict(item.params)
    if item.kind is ApprovalKind.LIMIT_OVERRIDE:
        amount = money_text(change["amount"], "params.amount")
        cap = PRODUCTS[deps.product_key].max_principal
        if amount > cap:
            raise ValidationError("params.amount", f"at most {cap} CNY for this product")
        record["limit"] = str(Money.of(amount).rounded().amount)
    else:
        rate = money_text(change["annual_rate"], "params.annual_rate")
        if rate >= Decimal("0.24"):  # 民间借贷 ceiling is far above; a fraction, not percent
            raise ValidationError("params.annual_rate", "a yearly fraction below 0.24")
        record["annual_rate"] = str(rate)
    text = ", ".join(f"{k}={v}" for k, v in sorted(change.items()))
    record.update(
        decision_id=deps.ids.new("dec"), outcome="approve", decided_at=now.isoformat(),
        overrides=base["decision_id"],
        reasons=[*base["reasons"], {"code": "OVERRIDE", "kind": "officer",
                 "zh": f"人工调整（{text}）：{item.maker} 提议，{item.checker} 复核",
                 "en": f"override ({text}): {item.maker} requested, {item.checker} checked"}],
    )  # fmt: skip
    return json.loads(json.dumps(record))  # type: ignore[no-any-return]


def execute_override(
    deps: FactoryDeps, access: AccessPolicy, application_id: str, approval_id: str | None,
    executor: str, role: str,
) -> dict[str, Any]:  # fmt: skip
    """Replace the open offer of an approved application by one at the approved limit or
    rate: a new decision record (overriding the last), a new offer, the old one superseded.
    raises MakerCheckerViolation (403) without an approved limit/price item, OfferNotOpen."""
    with deps.uow() as uow:
        subject = f"application:{application_id}"
        found = uow.approvals.get(approval_id) if approval_id else None
        kind = found.kind if found is not None else ApprovalKind.LIMIT_OVERRIDE
        if kind not in (ApprovalKind.LIMIT_OVERRIDE, ApprovalKind.PRICE_OVERRIDE):
            kind = ApprovalKind.LIMIT_OVERRIDE
        item = consume(uow, deps, access, approval_id, kind, subject, executor, role)
        app = uow.applications.get(application_id)
        if app is None:
            raise ApplicationNotFound(f"application_id: no application {application_id!r}")
        offer = uow.applications.get_offer(app["offer_id"]) if app["offer_id"] else None
        if app["status"] != "approved" or offer is None or offer["status"] != "open":
            raise OfferNotOpen(f"application_id: {application_id} has no open offer")
        now = deps.clock.now()
        record = _override_record(deps, uow.applications.decisions_of(application_id)[-1], item,
                                  executor, now)  # fmt: skip
        uow.applications.add_decision(record, item.checker or executor, now)
        uow.applications.supersede_offer(offer["offer_id"])
        new = make_offer(uow, deps, application_id, record, app["term_months"])
        uow.applications.update(application_id, offer_id=new["offer_id"], updated_at=now)
        uow.applications.audit([
            leaf(deps, executor, "decision.made", record["decision_id"],
                 {**decision_payload(record), "decided_by": item.checker or executor}),
            leaf(deps, executor, "offer.made", new["offer_id"],
                 {"application_id": application_id, "amount_minor": new["amount_minor"],
                  "annual_rate": str(new["annual_rate"]), "replaces": offer["offer_id"]}),
        ])  # fmt: skip
        view = application_view(uow, application_id, deps)
        uow.commit()
    return view


def upload_model(deps: OfficeWiring, text: str, who: str) -> dict[str, Any]:
    """Keep a frozen spec as a draft (by its sha256); idempotent. raises ModelSpecMismatch."""
    spec = load_spec(text)
    canonical = dump_spec(spec)
    spec_digest = json.loads(canonical)["sha256"]
    with deps.uow() as uow:
        if uow.models.put_spec(spec_digest, canonical, who, deps.clock.now()):
            uow.applications.audit(
                [leaf(deps, who, "model.stored", f"model:{spec_digest}", {"sha256": spec_digest})]
            )
        uow.commit()
    return {"spec_digest": spec_digest}


def upload_policy(deps: FactoryDeps, text: str, who: str) -> dict[str, Any]:
    """Keep a credit-policy document as a draft (by version). raises PolicyInvalid,
    ValidationError when the version exists with other content."""
    policy = load_policy(text)
    with deps.uow() as uow:
        stored = uow.models.policy(policy.version)
        if stored is not None and stored["policy_digest"] != policy.digest:
            raise ValidationError("version", f"{policy.version} exists with other content")
        if uow.models.put_policy(policy.version, policy.digest, text, who, deps.clock.now()):
            uow.applications.audit([leaf(deps, who, "policy.stored", f"policy:{policy.version}",
                                         {"policy_digest": policy.digest})])  # fmt: skip
        uow.commit()
    return {"version": policy.version, "policy_digest": policy.digest}


def execute_model_publication(
    deps: FactoryDeps, access: AccessPolicy, spec_digest: str, approval_id: str | None,
    executor: str, role: str,
) -> dict[str, Any]:  # fmt: skip
    """Publish a stored spec after approval."""
    with deps.uow() as uow:
        subject = f"model:{spec_digest}"
        item = consume(uow, deps, access, approval_id, ApprovalKind.MODEL_PUBLICATION, subject,
                       executor, role)  # fmt: skip
        uow.models.publish_spec(spec_digest, executor, deps.clock.now())
        uow.applications.audit([leaf(deps, executor, "model.published", subject,
                                     {"sha256": spec_digest, "approval_id": item.approval_id})])  # fmt: skip
        uow.commit()
    return {"spec_digest": spec_digest, "published": True}


def execute_policy_publication(
    deps: FactoryDeps, access: AccessPolicy, version: str, approval_id: str | None,
    executor: str, role: str,
) -> dict[str, Any]:  # fmt: skip
    """Publish a stored policy version after approval (the approved digest must match)."""
    with deps.uow() as uow:
        subject = f"policy:{version}"
        item = consume(uow, deps, access, approval_id, ApprovalKind.POLICY_PUBLICATION, subject,
                       executor, role)  # fmt: skip
        stored = uow.models.policy(version)
        if stored is None:
            raise ApplicationNotFound(f"version: no policy {version!r}")
        wanted = item.params.get("policy_digest")
        if wanted is not None and wanted != stored["policy_digest"]:
            raise ValidationError("policy_digest", "the stored document differs from the approved")
        uow.models.publish_policy(version, executor, deps.clock.now())
        uow.applications.audit([leaf(deps, executor, "policy.published", subject,
                                     {"policy_digest": stored["policy_digest"],
                                      "approval_id": item.approval_id})])  # fmt: skip
        uow.commit()
    return {"version": version, "policy_digest": stored["policy_digest"], "published": True}


def execute_role_change(
    deps: OfficeWiring, access: AccessPolicy, officer_id: str, approval_id: str | None,
    executor: str, role: str,
) -> dict[str, Any]:  # fmt: skip
    """Give an officer the approved role."""
    with deps.uow() as uow:
        subject = f"officer:{officer_id}"
        item = consume(uow, deps, access, approval_id, ApprovalKind.ROLE_CHANGE, subject,
                       executor, role)  # fmt: skip
        officer = uow.officers.get(officer_id)
        if officer is None:
            raise ApplicationNotFound(f"officer_id: no officer {officer_id!r}")
        uow.officers.set_role(officer_id, item.params["role"])
        uow.applications.audit([leaf(deps, executor, "officer.role_changed", subject,
                                     {"from": officer["role"], "to": item.params["role"],
                                      "approval_id": item.approval_id})])  # fmt: skip
        uow.commit()
    return {"officer_id": officer_id, "role": item.params["role"]}
