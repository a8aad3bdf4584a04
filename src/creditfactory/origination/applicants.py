"""Applicants: enterprise (USCC type 91), 个体工商户 (type 92), unregistered operator (resident ID).

Value objects validate on construction through the factories below and raise an
`InvalidField` subclass naming the field, so the API can answer 422 with it. A legacy
flagged USCC (DOMAIN.md §7.1 caveat) is accepted but marks the applicant `needs_review`; officers
route it to manual review instead of hard-rejecting.

Source: issue 6 (applicant types); DOMAIN.md §7.1–7.2 (identifier rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

from creditfactory.origination.errors import InvalidField, InvalidPhoneNumber, InvalidUSCC
from creditfactory.origination.identity import (
    EntityType,
    IdentityCheck,
    RegionRegistry,
    parse_resident_id,
    parse_uscc,
)
from creditfactory.origination.masking import mask_id_number, mask_name, mask_phone

__all__ = [
    "Applicant",
    "ApplicantType",
    "PhoneNumber",
    "enterprise_applicant",
    "individual_business_applicant",
    "parse_phone",
    "unregistered_operator_applicant",
]

MOBILE_PATTERN: Final = re.compile(r"1[3-9]\d{9}")
NAME_MAX_LENGTH: Final = 200


class ApplicantType(str, Enum):
    """Who applies: a registered enterprise, a 个体工商户, or an operator with no registration."""

    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    UNREGISTERED_OPERATOR = "unregistered_operator"


REQUIRED_ENTITY_TYPE: Final = {
    ApplicantType.ENTERPRISE: (EntityType.ENTERPRISE, "91"),
    ApplicantType.INDIVIDUAL_BUSINESS: (EntityType.INDIVIDUAL_BUSINESS, "92"),
}


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A mainland mobile number, 11 digits starting 13–19, without country code."""

    value: str

    @property
    def masked(self) -> str:
        """ "138****1234"."""
        return mask_phone(self.value)


def parse_phone(raw: str, field: str = "phone") -> PhoneNumber:
    """Normalise ("+86 138-1234-1234" → "13812341234") and validate a mobile number.

    raises InvalidPhoneNumber(field, "11-digit mainland mobile number starting 13–19").
    """
    compact = "".join(raw.split()).replace("-", "").removeprefix("+86")
    if not MOBILE_PATTERN.fullmatch(compact):
        raise InvalidPhoneNumber(field, "11-digit mainland mobile number starting 13–19")
    return PhoneNumber(compact)


@dataclass(frozen=True, slots=True)
class Applicant:
    """A validated applicant.

    applicant_type: which of the three kinds.
    name: registered name (enterprise / 个体工商户) or the operator's name; 1–200 characters.
    uscc: the checked 统一社会信用代码, None for an unregistered operator.
    operator_id: the checked resident ID of the operator (个体 / unregistered) or legal
        representative (enterprise, optional).
    phone: contact mobile, optional.
    """

    applicant_type: ApplicantType
    name: str
    uscc: IdentityCheck | None
    operator_id: IdentityCheck | None
    phone: PhoneNumber | None = None

    @property
    def subject_id(self) -> str:
        """The identifier data sources and consents are keyed on: the USCC, else the resident ID."""
        checked = self.uscc or self.operator_id
        assert checked is not None  # guaranteed by the factories
        return checked.value

    @property
    def needs_review(self) -> bool:
        """True when an identifier is legacy-flagged and an officer must look at it."""
        return any(c is not None and c.needs_review for c in (self.uscc, self.operator_id))

    @property
    def review_reasons(self) -> tuple[str, ...]:
        """Reasons for review, e.g. ("uscc: org_code_check",)."""
        pairs = (("uscc", self.uscc), ("operator_id", self.operator_id))
        return tuple(f"{f}: {c.rule}" for f, c in pairs if c is not None and c.needs_review)

    @property
    def natural_person(self) -> bool:
        """True when the name is (or carries) a natural person's: 个体工商户, unregistered."""
        return self.applicant_type is not ApplicantType.ENTERPRISE

    @property
    def display_name(self) -> str:
        """The name as pages, logs and stored responses show it: masked for a natural person."""
        return mask_name(self.name) if self.natural_person else self.name

    def masked(self) -> dict[str, str | None]:
        """Display form for logs and responses: identifiers, phone and a person's name masked."""
        return {
            "applicant_type": self.applicant_type.value,
            "name": self.display_name,
            "uscc": mask_id_number(self.uscc.value) if self.uscc else None,
            "operator_id": mask_id_number(self.operator_id.value) if self.operator_id else None,
            "phone": self.phone.masked if self.phone else None,
        }


def _name(raw: str, field: str = "name") -> str:
    name = raw.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidField(field, f"1–{NAME_MAX_LENGTH} characters")
    return name


def _uscc_for(applicant_type: ApplicantType, raw: str) -> IdentityCheck:
    checked = parse_uscc(raw, field="uscc")
    entity_type, prefix = REQUIRED_ENTITY_TYPE[applicant_type]
    if checked.entity_type is not entity_type:
        raise InvalidUSCC("uscc", f"{applicant_type.value} needs a type {prefix} code")
    return checked


def _phone(raw: str | None) -> PhoneNumber | None:
    return None if raw is None else parse_phone(raw)


def enterprise_applicant(
    name: str,
    uscc: str,
    as_of: date,
    legal_rep_id: str | None = None,
    phone: str | None = None,
    regions: RegionRegistry | None = None,
) -> Applicant:
    """An enterprise (USCC positions 1–2 = 91). raises InvalidUSCC / InvalidResidentID /
    InvalidPhoneNumber / InvalidField naming the field."""
    rep = (
        None
        if legal_rep_id is None
        else parse_resident_id(legal_rep_id, as_of, "legal_rep_id", regions)
    )
    checked = _uscc_for(ApplicantType.ENTERPRISE, uscc)
    return Applicant(ApplicantType.ENTERPRISE, _name(name), checked, rep, _phone(phone))


def individual_business_applicant(
    name: str,
    uscc: str,
    operator_id: str,
    as_of: date,
    phone: str | None = None,
    regions: RegionRegistry | None = None,
) -> Applicant:
    """A 个体工商户 (USCC positions 1–2 = 92) with its operator's resident ID (required)."""
    checked = _uscc_for(ApplicantType.INDIVIDUAL_BUSINESS, uscc)
    operator = parse_resident_id(operator_id, as_of, "operator_id", regions)
    return Applicant(
        ApplicantType.INDIVIDUAL_BUSINESS, _name(name), checked, operator, _phone(phone)
    )


def unregistered_operator_applicant(
    name: str,
    operator_id: str,
    as_of: date,
    phone: str | None = None,
    regions: RegionRegistry | None = None,
) -> Applicant:
    """An operator without a business registration, identified by resident ID only."""
    operator = parse_resident_id(operator_id, as_of, "operator_id", regions)
    return Applicant(
        ApplicantType.UNREGISTERED_OPERATOR, _name(name), None, operator, _phone(phone)
    )
