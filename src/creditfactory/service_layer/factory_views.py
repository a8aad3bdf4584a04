"""Read models of the application flow: the public view of an application and of a loan.

Identifiers appear masked only (first 6 / last 4); amounts as decimal text in the currency the
view names. Every view with amounts says their ``currency``; every view with a PD or a grade
says the PD's horizon (``pd_horizon_months``: 12, every PD shown is `pd_12m`) and which model
and data set the figures come from (``model``, `model_labels`) — issue #12 item 9.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from creditfactory.kernel.money import Money
from creditfactory.scoring import ScorecardSpec, load_spec
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryDeps,
    FactoryUnitOfWork,
)
from creditfactory.servicing.loan import Loan

__all__ = [
    "PD_HORIZON_MONTHS",
    "application_view",
    "loan_view",
    "model_labels",
    "new_application_view",
]

PD_HORIZON_MONTHS = 12
"""The horizon of every PD a view shows (`pd_12m`; a life-of-loan model's PD is converted)."""


def model_labels(spec: ScorecardSpec, spec_digest: str) -> dict[str, Any]:
    """Which model and data set a decision's figures come from.

    Returns ``model_id``, ``spec_sha256``, ``dataset`` (the training data set's name, as
    `model train` records it; None when the spec does not say), ``dataset_currency`` (of the
    amounts in that data set, ISO 4217: SBA ``USD``, CUMCM ``CNY``; None when not recorded) and
    ``pd_horizon``: the model's own PD window (``basis`` ``months`` or ``life_of_loan``,
    ``window_months``) and ``converted_to_months`` 12, the horizon of the ``pd_12m`` shown.
    """
    horizon = spec.pd_horizon
    return {
        "model_id": spec.model_id,
        "spec_sha256": spec_digest,
        "dataset": spec.training.get("dataset"),
        "dataset_currency": spec.training.get("currency"),
        "pd_horizon": {
            "basis": horizon.basis,
            "window_months": horizon.window_months,
            "converted_to_months": PD_HORIZON_MONTHS,
        },
    }


def decision_model(
    uow: FactoryUnitOfWork, deps: FactoryDeps, spec_digest: str
) -> dict[str, Any] | None:
    """`model_labels` of the spec that made a decision: the served one, else the stored one
    (a decision made before a model change); None when neither holds it."""
    if spec_digest == deps.spec_digest:
        return model_labels(deps.spec, spec_digest)
    row = uow.models.spec(spec_digest)
    return None if row is None else model_labels(load_spec(row["spec"]), spec_digest)


def _money(minor: int) -> str:
    return str(Money.from_minor(minor).amount)


def application_view(
    uow: FactoryUnitOfWork, application_id: str, deps: FactoryDeps
) -> dict[str, Any]:
    """Application, latest decision (reasons, record digests), offer and loan id, with the
    labels of its figures (module docstring; the model from `decision_model`).

    raises ApplicationNotFound."""
    row = uow.applications.get(application_id)
    if row is None:
        raise ApplicationNotFound(f"application_id: no application {application_id!r}")
    records = uow.applications.decisions_of(application_id)
    offer = uow.applications.get_offer(row["offer_id"]) if row["offer_id"] else None
    decision = records[-1] if records else None
    model = None if decision is None else decision_model(uow, deps, decision["spec_digest"])
    return new_application_view(row, decision, offer, model)


def new_application_view(
    row: Mapping[str, Any],
    decision: Mapping[str, Any] | None,
    offer: Mapping[str, Any] | None,
    model: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """`application_view` from rows in hand: the application row (stored columns), its latest
    decision record (as `decisions_of` returns it), its offer row, or None, and the
    `model_labels` of the decision's model (None: no decision, or its spec is not stored)."""
    return {
        "application_id": row["application_id"],
        "status": row["status"],
        "currency": row["currency"],
        "pd_horizon_months": PD_HORIZON_MONTHS,
        "model": None if model is None else dict(model),
        "applicant": {
            "applicant_type": row["applicant_type"],
            "name": row["applicant_name_masked"],
            "identifier": row["subject_masked"],
        },
        "requested_amount": _money(row["requested_minor"]),
        "term_months": row["term_months"],
        "decision": None if decision is None else dict(decision),
        "offer": None if offer is None else _offer(offer, decision),
        "loan_id": row.get("loan_id"),
    }


def _offer(offer: Mapping[str, Any], decision: Mapping[str, Any] | None) -> dict[str, Any]:
    """The offer, with the loan its decision scored (`loan_asked` of the decision's verification
    record: programme, guarantee share, ``guarantee_booked`` False) when the model scores one."""
    verification = (decision or {}).get("verification") or {}
    asked = verification.get("loan_asked") if isinstance(verification, Mapping) else None
    return {
        **({} if asked is None else {"loan_asked": dict(asked)}),
        "offer_id": offer["offer_id"],
        "currency": offer["currency"],
        "amount": _money(offer["amount_minor"]),
        "annual_rate": str(offer["annual_rate"]),
        "term_months": offer["term_months"],
        "status": offer["status"],
        "expires_at": offer["expires_at"].astimezone(UTC).isoformat(),
        "loan_id": offer.get("loan_id"),
    }


def loan_view(loan: Loan) -> dict[str, Any]:
    """Schedule, balances, DPD and five-category grade of a loan."""
    return {
        "loan_id": loan.loan_id,
        "status": loan.status.value,
        "currency": loan.currency,
        "product": loan.product.key,
        "principal": str(loan.principal),
        "annual_rate": str(loan.annual_rate.value),
        "disbursement_date": loan.disbursement_date.isoformat(),
        "principal_outstanding": str(loan.principal_outstanding),
        "days_past_due": loan.dpd,
        "grade": loan.grade.value,
        "schedule": [
            {
                "seq": i.seq,
                "due_date": i.due_date.isoformat(),
                "principal_due": str(i.principal_due),
                "interest_due": str(i.interest_due),
                "principal_paid": str(i.principal_paid),
                "interest_paid": str(i.interest_paid),
            }
            for i in loan.installments
        ],
    }
