"""Read models of the application flow: the public view of an application and of a loan.

Identifiers appear masked only (first 6 / last 4); amounts as decimal text in CNY.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from creditfactory.kernel.money import Money
from creditfactory.service_layer.factory_ports import ApplicationNotFound, FactoryUnitOfWork
from creditfactory.servicing.loan import Loan

__all__ = ["application_view", "loan_view", "new_application_view"]


def _money(minor: int) -> str:
    return str(Money.from_minor(minor).amount)


def application_view(uow: FactoryUnitOfWork, application_id: str) -> dict[str, Any]:
    """Application, latest decision (reasons, record digests), offer and loan id.

    raises ApplicationNotFound."""
    row = uow.applications.get(application_id)
    if row is None:
        raise ApplicationNotFound(f"application_id: no application {application_id!r}")
    records = uow.applications.decisions_of(application_id)
    offer = uow.applications.get_offer(row["offer_id"]) if row["offer_id"] else None
    return new_application_view(row, records[-1] if records else None, offer)


def new_application_view(
    row: Mapping[str, Any], decision: Mapping[str, Any] | None, offer: Mapping[str, Any] | None
) -> dict[str, Any]:
    """`application_view` from rows in hand: the application row (stored columns), its latest
    decision record (as `decisions_of` returns it) and its offer row, or None."""
    return {
        "application_id": row["application_id"],
        "status": row["status"],
        "applicant": {
            "applicant_type": row["applicant_type"],
            "name": row["applicant_name_masked"],
            "identifier": row["subject_masked"],
        },
        "requested_amount": _money(row["requested_minor"]),
        "term_months": row["term_months"],
        "decision": None if decision is None else dict(decision),
        "offer": None if offer is None else _offer(offer),
        "loan_id": row.get("loan_id"),
    }


def _offer(offer: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "offer_id": offer["offer_id"],
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
