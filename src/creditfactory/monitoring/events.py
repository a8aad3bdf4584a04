"""External events (public records about a borrower) and their triggers: event → signal kind.

Feed schema (docs/monitoring.md; JSONL one object per line, or CSV with the same columns and
`attrs` as JSON text):

    event_id     text ≤ 128, unique per feed source — a repeat is a duplicate and is ignored
    source       text ≤ 32 (gsxt, court, tax, …)
    uscc         统一社会信用代码, GB 32100-2015 (origination.identity.check_uscc)
    event_type   one of EVENT_TYPES
    occurred_on  YYYY-MM-DD (the date of the record, not of delivery)
    attrs        object, per event type (below)

attrs: registration_change {"field": one of REGISTRATION_FIELDS, "old", "new"};
abnormal_operations / serious_violation / court_dishonest / court_consumption_ban
{"action": "listed" | "removed"}; court_lawsuit {"role": "defendant" | "plaintiff"};
tax_grade {"grade": A|B|M|C|D, "previous": A|B|M|C|D (optional)}; the others take any attrs.

Parsing (`parse_event`) validates syntax and raises MalformedEvent(field, rule); `signal_kind`
is the trigger that turns an event into a signal kind, or None (an upgrade, a suit as plaintiff, a
capital increase — stored, not scored). A removal from a list maps to its END kind (REMOVALS,
rule book `ews-2025.2`), which ends the listing signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.origination.identity import CheckStatus, check_uscc

__all__ = [
    "EVENT_TYPES",
    "REGISTRATION_FIELDS",
    "REMOVALS",
    "TAX_GRADES",
    "ExternalEvent",
    "parse_event",
    "signal_kind",
]

REGISTRATION_FIELDS: Final = {
    "legal_representative": "reg_legal_rep_change",
    "shareholder": "reg_shareholder_change",
    "controller": "reg_shareholder_change",
    "registered_capital": "reg_capital_decrease",
    "address": "reg_address_change",
    "business_scope": "reg_scope_change",
    "status": "reg_status_change",
}
BAD_STATUSES: Final = frozenset({"吊销", "注销", "停业", "清算", "revoked", "cancelled", "suspended", "liquidation"})  # fmt: skip
LISTINGS: Final = {
    "abnormal_operations": "abnormal_operations_listed",
    "serious_violation": "serious_violation_listed",
    "court_dishonest": "court_dishonest_debtor",
    "court_consumption_ban": "court_consumption_ban",
}
REMOVALS: Final = {
    "abnormal_operations": "abnormal_operations_removed",
    "serious_violation": "serious_violation_removed",
    "court_dishonest": "court_dishonest_removed",
    "court_consumption_ban": "court_consumption_ban_lifted",
}
DIRECT: Final = {
    "administrative_penalty": "administrative_penalty",
    "court_enforcement": "court_judgment_debtor",
    "court_equity_freeze": "court_equity_freeze",
    "tax_arrears": "tax_arrears",
}
EVENT_TYPES: Final = frozenset(
    {"registration_change", "court_lawsuit", "tax_grade", *LISTINGS, *DIRECT}
)
TAX_GRADES: Final = ("A", "B", "M", "C", "D")  # best to worst (M: new or no revenue, ≥ 70 points)


@dataclass(frozen=True)
class ExternalEvent:
    """One public record about the borrower whose USCC it names."""

    event_id: str
    source: str
    uscc: str
    event_type: str
    occurred_on: date
    attrs: Mapping[str, Any] = field(default_factory=dict)


def _text(record: Mapping[str, Any], name: str, max_len: int) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MalformedEvent(name, "required non-empty text")
    if len(value) > max_len:
        raise MalformedEvent(name, f"at most {max_len} characters")
    return value.strip()


def _date(record: Mapping[str, Any], name: str) -> date:
    value = _text(record, name, 10)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MalformedEvent(name, "a date YYYY-MM-DD") from None


def parse_event(record: Mapping[str, Any]) -> ExternalEvent:
    """Validate one feed record (already decoded from JSON / CSV) into an ExternalEvent.

    raises MalformedEvent(field, rule) naming the first field that breaks the schema.
    """
    event_id = _text(record, "event_id", 128)
    source = _text(record, "source", 32)
    check = check_uscc(_text(record, "uscc", 32))
    if check.status is CheckStatus.INVALID:
        raise MalformedEvent("uscc", f"GB 32100-2015 {check.rule}")
    event_type = _text(record, "event_type", 40)
    if event_type not in EVENT_TYPES:
        raise MalformedEvent("event_type", f"one of {', '.join(sorted(EVENT_TYPES))}")
    attrs = record.get("attrs") or {}
    if not isinstance(attrs, Mapping):
        raise MalformedEvent("attrs", "an object")
    event = ExternalEvent(
        event_id, source, check.value, event_type, _date(record, "occurred_on"), attrs
    )
    _check_attrs(event)
    return event


def _check_attrs(event: ExternalEvent) -> None:
    attrs = event.attrs
    if event.event_type == "registration_change" and attrs.get("field") not in REGISTRATION_FIELDS:
        raise MalformedEvent("attrs.field", f"one of {', '.join(sorted(REGISTRATION_FIELDS))}")
    if event.event_type == "tax_grade":
        if attrs.get("grade") not in TAX_GRADES:
            raise MalformedEvent("attrs.grade", "one of A, B, M, C, D")
        if attrs.get("previous") not in (None, *TAX_GRADES):
            raise MalformedEvent("attrs.previous", "one of A, B, M, C, D")
    if event.event_type in LISTINGS and attrs.get("action", "listed") not in ("listed", "removed"):
        raise MalformedEvent("attrs.action", "listed or removed")


def signal_kind(event: ExternalEvent) -> str | None:
    """The trigger: the signal kind `event` raises, or None when it raises none."""
    attrs = event.attrs
    if event.event_type in DIRECT:
        return DIRECT[event.event_type]
    if event.event_type in LISTINGS:
        listed = attrs.get("action", "listed") == "listed"
        return LISTINGS[event.event_type] if listed else REMOVALS[event.event_type]
    if event.event_type == "court_lawsuit":
        return "court_new_suit_defendant" if attrs.get("role") == "defendant" else None
    if event.event_type == "tax_grade":
        return _tax_kind(str(attrs["grade"]), attrs.get("previous"))
    return _registration_kind(attrs)


def _tax_kind(grade: str, previous: object) -> str | None:
    rank = TAX_GRADES.index(grade)
    prior = TAX_GRADES.index(str(previous)) if previous in TAX_GRADES else None
    if prior is None:  # first grade seen: only C and D say anything on their own
        return f"tax_grade_{grade.lower()}" if rank >= TAX_GRADES.index("C") else None
    return f"tax_grade_{grade.lower()}" if rank > prior else None


def _registration_kind(attrs: Mapping[str, Any]) -> str | None:
    name = str(attrs["field"])
    if name == "registered_capital":
        return "reg_capital_decrease" if _decreased(attrs.get("old"), attrs.get("new")) else None
    if name == "status":
        return "reg_status_change" if str(attrs.get("new", "")) in BAD_STATUSES else None
    return REGISTRATION_FIELDS[name]


def _decreased(old: object, new: object) -> bool:
    try:
        return Decimal(str(new)) < Decimal(str(old))
    except InvalidOperation:
        return False
