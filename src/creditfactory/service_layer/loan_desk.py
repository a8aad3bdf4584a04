"""What the loan page and the auditor's pages read (issue 14).

- `loan_page`: a loan's contract (the booking application, masked), schedule with each
  installment's state, the money movements (transactions), every journal entry with its lines
  (account names zh / en, chart coa-2024.1), the current DPD and 五级分类 grade, the borrower's
  monitoring alerts, and the audit entries of the loan and its application in log order.
- `audit_trail`: the audit entries of a loan, an application, a customer (borrower id: every
  application and loan of theirs) or an officer (what they did, and what was done to their
  account), in log order.

Installment state (as of the business date, `servicing.services.business_date`): ``paid``
(principal and interest settled), ``overdue`` (unpaid and its due date has passed), ``due``
(unpaid, due today or fallen due) and ``upcoming``. The SQL is in
`adapters/storage/loan_views.py` (`uow.loan_views`); the inclusion proofs are computed by the
caller over the same log (`adapters/web/audit.py`).

Not kept by the platform, so not shown: a history of DPD and grade by day (the end-of-day step
raises `DPDBucketChanged` / `LoanGradeChanged` but stores only the current values; the grade's
allowance entries in the journal are its trace).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from creditfactory.kernel.errors import ValidationError
from creditfactory.ledger.accounts import CHART_V1, A
from creditfactory.service_layer.factory_ports import FactoryDeps, FactoryUnitOfWork
from creditfactory.servicing.loan import InstallmentState
from creditfactory.servicing.services import business_date

__all__ = ["EVENT_WORDS", "LOOKUPS", "audit_trail", "installment_state", "loan_page"]

EVENT_WORDS: Final = {
    "LoanDisbursed": ("放款", "disbursement"),
    "RepaymentPosted": ("还款", "repayment"),
    "PrepaymentPosted": ("提前还款", "prepayment"),
    "OverpaymentApplied": ("溢缴款冲抵", "overpayment applied"),
    "OverpaymentRefunded": ("溢缴款退还", "overpayment refunded"),
    "InterestAccrued": ("计提利息", "interest accrued"),
    "AllowanceAdjusted": ("计提减值准备", "allowance adjusted"),
    "AllowanceReleased": ("转回减值准备", "allowance released"),
    "NonAccrualEntered": ("转入非应计", "non-accrual entered"),
    "NonAccrualLeft": ("转回应计", "non-accrual left"),
    "LoanWrittenOff": ("核销", "write-off"),
    "WrittenOffLoanRecovered": ("核销后收回", "recovery after write-off"),
}
"""Journal events in words (zh, en); the events that move money are `_MOVEMENTS`."""
_MOVEMENTS: Final = {
    "LoanDisbursed": A.SETTLEMENT,
    "RepaymentPosted": A.SETTLEMENT,
    "PrepaymentPosted": A.SETTLEMENT,
    "OverpaymentRefunded": A.SETTLEMENT,
    "WrittenOffLoanRecovered": A.SETTLEMENT,
    "LoanWrittenOff": A.WRITTEN_OFF_LOANS,
}
"""A money movement's amount: the size of its leg on this account."""
LOOKUPS: Final = ("loan", "application", "customer", "officer")


def _reader(deps: FactoryDeps) -> Callable[[], FactoryUnitOfWork]:
    return deps.read or deps.uow


def installment_state(installment: InstallmentState, as_of: date) -> str:
    """``paid`` | ``overdue`` | ``due`` | ``upcoming`` (module docstring)."""
    settled = (installment.principal_paid >= installment.principal_due
               and installment.interest_paid >= installment.interest_due)  # fmt: skip
    if settled:
        return "paid"
    if installment.due_date < as_of:
        return "overdue"
    if installment.fell_due or installment.due_date == as_of:
        return "due"
    return "upcoming"


def _lines(entry: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for line in entry["lines"]:
        account = CHART_V1.accounts.get(line["account"])
        out.append({**line, "account_zh": account.name_zh if account else line["account"],
                    "account_en": account.name if account else line["account"]})  # fmt: skip
    return out


def _movement(entry: dict[str, Any]) -> dict[str, Any] | None:
    account = _MOVEMENTS.get(entry["event"])
    if account is None:
        return None
    legs = [ln["amount_minor"] for ln in entry["lines"] if ln["account"] == account]
    zh, en = EVENT_WORDS[entry["event"]]
    return {"business_date": entry["business_date"], "event": entry["event"], "zh": zh,
            "en": en, "amount_minor": abs(sum(legs)), "entry_id": entry["entry_id"],
            "currency": entry["lines"][0]["currency"] if entry["lines"] else "CNY"}  # fmt: skip


def loan_page(deps: FactoryDeps, loan_id: str) -> dict[str, Any]:
    """Everything the loan page shows (module docstring). raises LoanNotFound (404)."""
    as_of = business_date(deps.clock)
    with _reader(deps)() as uow:
        loan = uow.loans.get(loan_id)
        views = uow.loan_views
        application = views.application_of(loan_id)
        journal = views.journal(loan_id)
        alerts = views.alerts(loan.borrower_id)
        trail = views.entries(views.trail_subjects(loan_id=loan_id))
    schedule = [{"seq": i.seq, "due_date": i.due_date, "principal_due": i.principal_due,
                 "interest_due": i.interest_due, "principal_paid": i.principal_paid,
                 "interest_paid": i.interest_paid, "state": installment_state(i, as_of)}
                for i in loan.installments]  # fmt: skip
    entries = [{**e, "zh": EVENT_WORDS.get(e["event"], (e["event"],) * 2)[0],
                "en": EVENT_WORDS.get(e["event"], (e["event"],) * 2)[1], "lines": _lines(e)}
               for e in journal]  # fmt: skip
    return {
        "loan_id": loan.loan_id,
        "borrower_id": loan.borrower_id,
        "status": loan.status.value,
        "currency": loan.currency,
        "product": loan.product.key,
        "principal": loan.principal,
        "annual_rate": loan.annual_rate.value,
        "term_months": len(loan.installments),
        "disbursement_date": loan.disbursement_date,
        "principal_outstanding": loan.principal_outstanding,
        "dpd": loan.dpd,
        "grade": loan.grade.value,
        "last_closed_date": loan.last_closed_date,
        "allowance": loan.allowance,
        "as_of": as_of,
        "application": application,
        "schedule": schedule,
        "transactions": [m for m in map(_movement, journal) if m is not None],
        "journal": entries,
        "alerts": alerts,
        "trail": trail,
    }


def audit_trail(deps: FactoryDeps, kind: str, value: str) -> list[dict[str, Any]]:
    """Audit entries for a lookup (module docstring), in log order; [] when nothing matches.
    raises ValidationError naming ``kind`` or ``value``."""
    if kind not in LOOKUPS:
        raise ValidationError("kind", " | ".join(LOOKUPS))
    value = value.strip()
    if not value or len(value) > 200:
        raise ValidationError("value", "an id, 1–200 characters")
    with _reader(deps)() as uow:
        views = uow.loan_views
        if kind == "officer":
            return list(views.entries({value, f"officer:{value}"}, actor=value))
        if kind == "loan":
            return list(views.entries(views.trail_subjects(loan_id=value)))
        if kind == "application":
            return list(views.entries(views.trail_subjects(application_id=value)))
        customer = uow.referral_views.customer(value)
        if customer is None:
            return []
        subjects: set[str] = set()
        for app in customer["applications"]:
            subjects |= views.trail_subjects(application_id=app["application_id"])
        for loan in customer["loans"]:
            subjects |= views.trail_subjects(loan_id=loan["loan_id"])
        return list(views.entries(subjects))
