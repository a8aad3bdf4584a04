"""USCC (GB 32100-2015) and resident ID (GB 11643-1999) checks.

Values from ../shared/cases/china_ids.json (python-stdnum test vectors) and DOMAIN.md §7.1–7.2.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.shared import load_case

from creditfactory.adapters.gateways.regions import StdnumRegionRegistry
from creditfactory.origination.errors import InvalidResidentID, InvalidUSCC
from creditfactory.origination.identity import (
    USCC_CHARSET,
    CheckStatus,
    EntityType,
    check_resident_id,
    check_uscc,
    parse_resident_id,
    parse_uscc,
    uscc_check_character,
)

AS_OF = date(2025, 6, 30)
REGIONS = StdnumRegionRegistry()


def _cases(section: str, kind: str) -> list[object]:
    try:
        return list(load_case("china_ids.json")[section][kind])
    except pytest.skip.Exception:
        return []


USCC_VALID = _cases("uscc_gb32100_2015", "valid")
USCC_INVALID = _cases("uscc_gb32100_2015", "invalid")
RIC_VALID = _cases("resident_id_gb11643_1999", "valid")
RIC_INVALID = _cases("resident_id_gb11643_1999", "invalid")


def test_case_file_is_present() -> None:
    assert load_case("china_ids.json")["uscc_gb32100_2015"]["valid"]


@pytest.mark.parametrize("code", USCC_VALID, ids=str)
def test_uscc_valid_from_cases(code: str) -> None:
    result = check_uscc(code)
    assert result.status is CheckStatus.VALID, result
    assert result.value == code


@pytest.mark.parametrize("case", USCC_INVALID, ids=lambda c: c["value"])
def test_uscc_invalid_from_cases(case: dict[str, str]) -> None:
    result = check_uscc(case["value"])
    assert result.status is CheckStatus.INVALID, (case["reason"], result)
    assert result.rule is not None
    if "expected_check" in case:
        assert uscc_check_character(case["value"][:17]) == case["expected_check"]


@pytest.mark.parametrize(
    ("code", "entity_type"),
    [
        ("91350100M000100Y43", EntityType.ENTERPRISE),
        ("91350200776049653A", EntityType.ENTERPRISE),
        ("91440101MA5CJQ4N59", EntityType.ENTERPRISE),
        ("91350213678251743X", EntityType.ENTERPRISE),
        ("123502001549897397", EntityType.OTHER),
        ("92330106MA2H1B2C2D", EntityType.INDIVIDUAL_BUSINESS),
        ("91110108MA01ABCD5T", EntityType.ENTERPRISE),
        ("93330100MA27X9K09X", EntityType.FARMERS_COOPERATIVE),
    ],
)
def test_uscc_domain_examples(code: str, entity_type: EntityType) -> None:
    result = check_uscc(code)
    assert result.is_valid
    assert result.entity_type is entity_type


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("91350100M000100Y44", "check_character"),  # DOMAIN.md §7.1 invalid example
        ("9111000060003IOZSV", "charset"),
        ("12345", "length"),
        ("B1350100M000100Y43", "registration_authority"),
        ("9135A100M000100Y43", "division_code"),
    ],
)
def test_uscc_failed_rule_is_named(code: str, rule: str) -> None:
    assert check_uscc(code).rule == rule


def test_uscc_known_legacy_is_flagged_not_rejected() -> None:
    # DOMAIN.md §7.1 caveat: whitelisted by a public validator yet failing the checksum.
    result = check_uscc("91350203M0001QAY9B")
    assert result.status is CheckStatus.LEGACY_FLAGGED
    assert result.rule == "known_legacy"
    assert check_uscc("91350203M0001QAY9B", known_legacy=frozenset()).rule == "check_character"


def test_uscc_failing_only_inner_org_code_is_flagged() -> None:
    # Change pos 17 of a valid code and recompute pos 18: outer check passes, inner fails.
    first16 = "91350100M000100Y"
    body = first16 + "5"
    code = body + uscc_check_character(body)
    result = check_uscc(code)
    assert result.status is CheckStatus.LEGACY_FLAGGED
    assert result.rule == "org_code_check"
    assert result.needs_review and not result.is_valid


def test_uscc_normalisation_from_cases() -> None:
    case = load_case("china_ids.json")["uscc_gb32100_2015"]["normalisation"][0]
    assert check_uscc(case["input"]).value == case["compact"]
    assert check_uscc("91350100m000100y43").is_valid


def test_parse_uscc_raises_naming_field() -> None:
    with pytest.raises(InvalidUSCC) as info:
        parse_uscc("91350100M000100Y44", field="applicant.uscc")
    assert info.value.field == "applicant.uscc"
    assert "check_character" in info.value.rule
    with pytest.raises(InvalidUSCC):
        parse_uscc("91350203M0001QAY9B", allow_flagged=False)
    assert parse_uscc("91350203M0001QAY9B").needs_review


@given(st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9))
def test_uscc_check_character_makes_outer_check_pass(org_code: str) -> None:
    body = "91110000" + org_code
    result = check_uscc(body + uscc_check_character(body))
    assert result.rule in {None, "org_code_check"}
    assert result.entity_type is EntityType.ENTERPRISE


@pytest.mark.parametrize("case", RIC_VALID, ids=lambda c: c["value"])
def test_resident_id_valid_from_cases(case: dict[str, str]) -> None:
    result = check_resident_id(case["value"], AS_OF, REGIONS)
    assert result.status is CheckStatus.VALID, result
    if "birth_date" in case:
        assert result.birth_date == date.fromisoformat(case["birth_date"])


@pytest.mark.parametrize("case", RIC_INVALID, ids=lambda c: c["value"])
def test_resident_id_invalid_from_cases(case: dict[str, str]) -> None:
    result = check_resident_id(case["value"], AS_OF, REGIONS)
    assert result.status is CheckStatus.INVALID, (case["reason"], result)


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("36042619910102009X", "check_digit"),
        ("T60426199101010078", "format"),
        ("360426199113010079", "birth_date"),
        ("990426199112010074", "region"),
        ("110111198012010078", "region"),  # 房山区 only from 1986
        ("110201199312010077", "region"),
    ],
)
def test_resident_id_rules_named(number: str, rule: str) -> None:
    assert check_resident_id(number, AS_OF, REGIONS).rule == rule


def test_resident_id_domain_examples() -> None:
    for number in ("11010519491231002X", "440524188001010014", "11010119900307803X"):
        assert check_resident_id(number, AS_OF).is_valid, number
    assert check_resident_id("110105194912310021", AS_OF).rule == "check_digit"


def test_resident_id_lowercase_x_is_normalised() -> None:
    result = check_resident_id("44011320141005001x", AS_OF)
    assert result.is_valid
    assert result.value == "44011320141005001X"


def test_resident_id_birth_date_after_as_of_is_invalid() -> None:
    # Valid check digit, born 2014-10-05: fine in 2025, in the future on 2014-10-04.
    assert check_resident_id("44011320141005001X", date(2014, 10, 5)).is_valid
    result = check_resident_id("44011320141005001X", date(2014, 10, 4))
    assert result.rule == "birth_date_in_future"


def test_resident_id_legacy_15_digit_is_flagged() -> None:
    result = check_resident_id("110105491231002", AS_OF)
    assert result.status is CheckStatus.LEGACY_FLAGGED
    assert result.birth_date == date(1949, 12, 31)
    assert check_resident_id("110105491331002", AS_OF).status is CheckStatus.INVALID


def test_parse_resident_id_raises_naming_field() -> None:
    with pytest.raises(InvalidResidentID) as info:
        parse_resident_id("110105194912310021", AS_OF, field="operator_id")
    assert str(info.value) == "operator_id: GB 11643-1999 check_digit"
    with pytest.raises(InvalidResidentID):
        parse_resident_id("110105491231002", AS_OF)
    assert parse_resident_id("110105491231002", AS_OF, allow_flagged=True).needs_review


def test_region_registry_dates() -> None:
    assert REGIONS.is_registered("110111", 1986)
    assert not REGIONS.is_registered("110111", 1985)
    assert REGIONS.is_registered("110110", 1980)
    assert not REGIONS.is_registered("990426", 2000)
    assert not REGIONS.is_registered("11011", 2000)


def test_region_registry_before_first_edition_accepts_any_listed_code() -> None:
    # 440524 潮阳县 is listed for 1983–1993 only; GB 11643's own example was born in 1880.
    assert REGIONS.is_registered("440524", 1880)
    assert not REGIONS.is_registered("440524", 2000)
