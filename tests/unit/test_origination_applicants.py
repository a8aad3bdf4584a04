"""Applicant value objects: the three types, identifier rules, fields named in errors."""

from __future__ import annotations

from datetime import date

import pytest

from creditfactory.origination.applicants import (
    ApplicantType,
    enterprise_applicant,
    individual_business_applicant,
    parse_phone,
    unregistered_operator_applicant,
)
from creditfactory.origination.errors import (
    InvalidField,
    InvalidPhoneNumber,
    InvalidResidentID,
    InvalidUSCC,
)

AS_OF = date(2025, 6, 30)


def test_enterprise_needs_type_91() -> None:
    applicant = enterprise_applicant("厦门某贸易有限公司", "91350200776049653A", AS_OF)
    assert applicant.applicant_type is ApplicantType.ENTERPRISE
    assert applicant.subject_id == "91350200776049653A"
    with pytest.raises(InvalidUSCC) as info:
        enterprise_applicant("某个体户", "92330106MA2H1B2C2D", AS_OF)
    assert info.value.field == "uscc"
    assert "type 91" in info.value.rule


def test_individual_business_needs_type_92_and_operator_id() -> None:
    applicant = individual_business_applicant(
        "杭州某小吃店", "92330106MA2H1B2C2D", "11010519491231002x", AS_OF, phone="13812341234"
    )
    assert applicant.applicant_type is ApplicantType.INDIVIDUAL_BUSINESS
    assert applicant.operator_id is not None
    assert applicant.operator_id.value == "11010519491231002X"
    with pytest.raises(InvalidUSCC):
        individual_business_applicant("x", "91350200776049653A", "11010519491231002X", AS_OF)
    with pytest.raises(InvalidResidentID) as info:
        individual_business_applicant("x", "92330106MA2H1B2C2D", "110105194912310021", AS_OF)
    assert info.value.field == "operator_id"


def test_unregistered_operator_is_keyed_on_resident_id() -> None:
    applicant = unregistered_operator_applicant("张三", "11010119900307803X", AS_OF)
    assert applicant.uscc is None
    assert applicant.subject_id == "11010119900307803X"
    assert applicant.masked()["operator_id"] == "110101********803X"


def test_invalid_fields_are_named() -> None:
    with pytest.raises(InvalidField) as info:
        enterprise_applicant("  ", "91350200776049653A", AS_OF)
    assert info.value.field == "name"
    with pytest.raises(InvalidResidentID) as rep:
        enterprise_applicant("x", "91350200776049653A", AS_OF, legal_rep_id="123")
    assert rep.value.field == "legal_rep_id"
    with pytest.raises(InvalidPhoneNumber) as phone:
        enterprise_applicant("x", "91350200776049653A", AS_OF, phone="12345")
    assert str(phone.value).startswith("phone: ")


def test_legacy_flagged_uscc_is_accepted_for_review() -> None:
    applicant = enterprise_applicant("某公司", "91350203M0001QAY9B", AS_OF)
    assert applicant.needs_review
    assert applicant.review_reasons == ("uscc: known_legacy",)


def test_phone_normalised_and_masked() -> None:
    phone = parse_phone("+86 138-1234-1234")
    assert phone.value == "13812341234"
    assert phone.masked == "138****1234"
