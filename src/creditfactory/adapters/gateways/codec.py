"""JSON ↔ origination records, shared by the file-backed and HTTP adapters.

Wire shapes (amounts are decimal strings in CNY; dates ISO `YYYY-MM-DD`):
- invoice: {"enterprise_code", "invoice_number", "issue_date", "counterparty_code",
  "direction": "input"|"output", "amount", "tax_amount", "total_amount", "status": "valid"|"void"}
- tax grade: {"grade": "A"|"B"|"M"|"C"|"D", "year": 2024, optional "tax_paid": {"2023": "1234.56"}}
- registry: {"name", "status": "active"|"abnormal"|"revoked"|"deregistered",
  "established_date": "YYYY-MM-DD" | null, "registered_capital": "1000000.00" | null, optional
  "legal_representative", optional "profile": {characteristic: number | text} (applicant facts
  under the served model's names, e.g. the SBA loan record's {"NAICS": "531110", "NoEmp": 4})}
- courts: {"dishonest_debtor": bool, "enforcement_cases": int, "consumption_restricted": bool,
  optional "judgments_as_defendant": int}
- every record but the invoice may carry an optional "record_id" (the source's id).
- bureau: {"max_days_past_due": int, "overdue_accounts": int, "outstanding_debt", "inquiries_6m"}

Every `*_from_json` raises `MalformedRecord` (a ValueError) when a field is missing or has the
wrong type; adapters turn it into `SourceUnavailable(source, "malformed …")`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from creditfactory.kernel.money import Money
from creditfactory.origination.ports import (
    BureauReport,
    CourtRecord,
    InvoiceDirection,
    InvoiceStatus,
    RegistryRecord,
    RegistryStatus,
    TaxGrade,
    TaxGradeRecord,
    VATInvoice,
)

__all__ = [
    "MalformedRecord",
    "bureau_from_json",
    "courts_from_json",
    "invoice_from_json",
    "invoice_to_json",
    "registry_from_json",
    "tax_grade_from_json",
]


E = TypeVar("E", bound=Enum)


class MalformedRecord(ValueError):
    """A record did not have the documented shape."""


def _field(data: Any, name: str) -> Any:
    if not isinstance(data, dict) or name not in data:
        raise MalformedRecord(f"missing field {name!r}")
    return data[name]


def _money(data: Any, name: str) -> Money:
    raw = _field(data, name)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise MalformedRecord(f"{name}: expected a decimal string")
    try:
        return Money(Decimal(raw))
    except InvalidOperation as exc:
        raise MalformedRecord(f"{name}: not a decimal") from exc


def _int(data: Any, name: str) -> int:
    raw = _field(data, name)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise MalformedRecord(f"{name}: expected an integer")
    return raw


def _bool(data: Any, name: str) -> bool:
    raw = _field(data, name)
    if not isinstance(raw, bool):
        raise MalformedRecord(f"{name}: expected true or false")
    return raw


def _str(data: Any, name: str) -> str:
    raw = _field(data, name)
    if not isinstance(raw, str):
        raise MalformedRecord(f"{name}: expected a string")
    return raw


def _date(data: Any, name: str) -> date:
    try:
        return date.fromisoformat(_str(data, name))
    except ValueError as exc:
        raise MalformedRecord(f"{name}: expected YYYY-MM-DD") from exc


def _enum(kind: type[E], data: Any, name: str) -> E:
    try:
        return kind(_str(data, name))
    except ValueError as exc:
        raise MalformedRecord(f"{name}: unknown value") from exc


def invoice_from_json(data: Any) -> VATInvoice:
    """One invoice from its wire shape."""
    return VATInvoice(
        enterprise_code=_str(data, "enterprise_code"),
        invoice_number=_str(data, "invoice_number"),
        issue_date=_date(data, "issue_date"),
        counterparty_code=_str(data, "counterparty_code"),
        direction=_enum(InvoiceDirection, data, "direction"),
        amount=_money(data, "amount"),
        tax_amount=_money(data, "tax_amount"),
        total_amount=_money(data, "total_amount"),
        status=_enum(InvoiceStatus, data, "status"),
    )


def invoice_to_json(invoice: VATInvoice) -> dict[str, str]:
    """The wire shape of one invoice (inverse of `invoice_from_json`)."""
    return {
        "enterprise_code": invoice.enterprise_code,
        "invoice_number": invoice.invoice_number,
        "issue_date": invoice.issue_date.isoformat(),
        "counterparty_code": invoice.counterparty_code,
        "direction": invoice.direction.value,
        "amount": str(invoice.amount.amount),
        "tax_amount": str(invoice.tax_amount.amount),
        "total_amount": str(invoice.total_amount.amount),
        "status": invoice.status.value,
    }


def _optional(data: Any, name: str, parse: Any) -> Any:
    """`parse(data, name)` when the key is present and not null, else None."""
    return parse(data, name) if isinstance(data, dict) and data.get(name) is not None else None


def _tax_paid(data: Any, name: str) -> tuple[tuple[int, Money], ...]:
    raw = _field(data, name)
    if not isinstance(raw, dict) or not all(isinstance(k, str) and k.isdigit() for k in raw):
        raise MalformedRecord(f"{name}: expected {{year: amount}}")
    return tuple((int(year), _money(raw, year)) for year in sorted(raw))


def tax_grade_from_json(subject_id: str, data: Any) -> TaxGradeRecord:
    """A tax grade record."""
    return TaxGradeRecord(
        subject_id,
        _enum(TaxGrade, data, "grade"),
        _int(data, "year"),
        _optional(data, "tax_paid", _tax_paid) or (),
        _optional(data, "record_id", _str),
    )


def registry_from_json(subject_id: str, data: Any) -> RegistryRecord:
    """A registry record; registered_capital may be null."""
    capital = (
        None if _field(data, "registered_capital") is None else _money(data, "registered_capital")
    )
    _field(data, "established_date")  # present; null when the record does not publish it
    return RegistryRecord(
        subject_id,
        _str(data, "name"),
        _enum(RegistryStatus, data, "status"),
        _optional(data, "established_date", _date),
        capital,
        _optional(data, "legal_representative", _str),
        _optional(data, "record_id", _str),
        _optional(data, "profile", _profile) or {},
    )


def _profile(data: Any, name: str) -> dict[str, str | int | float]:
    """{name: number | text}: JSON numbers (not true/false) or text."""
    raw = _field(data, name)
    ok = isinstance(raw, dict) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in raw.values()
    )
    if not ok:
        raise MalformedRecord(f"{name}: expected {{characteristic: number or text}}")
    return dict(raw)


def courts_from_json(subject_id: str, data: Any) -> CourtRecord:
    """A court-list record."""
    return CourtRecord(
        subject_id,
        _bool(data, "dishonest_debtor"),
        _int(data, "enforcement_cases"),
        _bool(data, "consumption_restricted"),
        _optional(data, "judgments_as_defendant", _int) or 0,
        _optional(data, "record_id", _str),
    )


def bureau_from_json(subject_id: str, data: Any) -> BureauReport:
    """A bureau report summary."""
    return BureauReport(
        subject_id,
        _int(data, "max_days_past_due"),
        _int(data, "overdue_accounts"),
        _money(data, "outstanding_debt"),
        _int(data, "inquiries_6m"),
    )
