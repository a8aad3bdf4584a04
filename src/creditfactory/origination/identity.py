"""KYB / KYC identity checks: 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999).

Checks return values (`IdentityCheck`): VALID, INVALID with the rule that failed, or
LEGACY_FLAGGED for codes an officer must review rather than reject (DOMAIN.md §7.1 caveat: a code
that fails only the inner GB 11714 check, or one on a known-legacy list). `parse_uscc` and
`parse_resident_id` raise `InvalidUSCC` / `InvalidResidentID` naming the field instead.

Sources: DOMAIN.md §7.1–7.2 (charset, weights, check characters, checked examples);
../shared/cases/china_ids.json (python-stdnum test vectors). Time is an input: `as_of` is passed,
never read from the system clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final, Protocol

from creditfactory.origination.errors import InvalidResidentID, InvalidUSCC

__all__ = [
    "KNOWN_LEGACY_USCC",
    "CheckStatus",
    "EntityType",
    "IdentityCheck",
    "RegionRegistry",
    "check_resident_id",
    "check_uscc",
    "entity_type_of",
    "normalise_identifier",
    "parse_resident_id",
    "parse_uscc",
    "resident_id_check_character",
    "uscc_check_character",
]

USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
# GB 32100-2015 registration-authority codes (pos 1): 1–9 departments, A, N 农业, Y 其他.
REGISTRATION_AUTHORITIES: Final = frozenset("123456789ANY")
KNOWN_LEGACY_USCC: Final = frozenset({"91350203M0001QAY9B"})
"""Codes seen in the wild that fail the checksum yet were whitelisted (DOMAIN.md §7.1 caveat)."""

RESIDENT_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK: Final = "10X98765432"
# GB/T 2260 province-level codes: the first two digits of every address code.
PROVINCE_CODES: Final = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
USCC_LENGTH: Final = 18
RESIDENT_ID_LENGTH: Final = 18
LEGACY_RESIDENT_ID_LENGTH: Final = 15


class CheckStatus(str, Enum):
    """Outcome of an identity check."""

    VALID = "valid"
    INVALID = "invalid"
    LEGACY_FLAGGED = "legacy_flagged"


class EntityType(str, Enum):
    """Entity type from USCC positions 1–2 (GB 32100-2015, registration authority 9 工商)."""

    ENTERPRISE = "enterprise"  # 91 企业
    INDIVIDUAL_BUSINESS = "individual_business"  # 92 个体工商户
    FARMERS_COOPERATIVE = "farmers_cooperative"  # 93 农民专业合作社
    OTHER = "other"  # 机构编制, 民政, … (e.g. 12 事业单位)


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    """Result of a check.

    value: the normalised identifier (upper case, separators removed).
    status: VALID, INVALID or LEGACY_FLAGGED.
    rule: for INVALID / LEGACY_FLAGGED, the rule that failed, e.g. "check_character"; else None.
    entity_type: USCC only. birth_date: resident ID only (when the date is readable).
    """

    value: str
    status: CheckStatus
    rule: str | None = None
    entity_type: EntityType | None = None
    birth_date: date | None = None

    @property
    def is_valid(self) -> bool:
        """True only for VALID (a flagged code is not valid; it goes to review)."""
        return self.status is CheckStatus.VALID

    @property
    def needs_review(self) -> bool:
        """True for LEGACY_FLAGGED: route to an officer, do not hard-reject."""
        return self.status is CheckStatus.LEGACY_FLAGGED


class RegionRegistry(Protocol):
    """GB/T 2260 address codes with their validity years (a port; adapters hold the table)."""

    def is_registered(self, region_code: str, year: int) -> bool:
        """True when the 6-digit `region_code` was in force in `year`."""
        ...


def normalise_identifier(raw: str) -> str:
    """Strip whitespace and hyphens and upper-case: "91 110000 600037341l" → "91110000600037341L"."""
    return "".join(raw.split()).replace("-", "").upper()


def entity_type_of(uscc: str) -> EntityType:
    """Entity type from positions 1–2 of a normalised USCC (91/92/93, everything else OTHER)."""
    return {
        "91": EntityType.ENTERPRISE,
        "92": EntityType.INDIVIDUAL_BUSINESS,
        "93": EntityType.FARMERS_COOPERATIVE,
    }.get(uscc[:2], EntityType.OTHER)


def uscc_check_character(first17: str) -> str:
    """GB 32100 check character: charset[(31 − Σ value_i × w_i mod 31) mod 31].

    first17: 17 characters from the USCC charset. raises ValueError for a character outside it.
    """
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """GB 11714 check character over 8 characters (0–9, A=10 … Z=35): 11 − Σ mod 11; 10→X, 11→0."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _uscc_format_rule(code: str) -> str | None:
    if len(code) != USCC_LENGTH:
        return "length"
    if any(c not in USCC_CHARSET for c in code):
        return "charset"
    if code[0] not in REGISTRATION_AUTHORITIES:
        return "registration_authority"
    if not code[2:8].isdigit():
        return "division_code"
    return None


def check_uscc(raw: str, known_legacy: frozenset[str] = KNOWN_LEGACY_USCC) -> IdentityCheck:
    """Check a 统一社会信用代码 against GB 32100-2015 and its inner GB 11714 organisation code.

    Rules, in order: length (18), charset (31 characters, no I O S V Z), registration_authority
    (pos 1 in 1–9 A N Y), division_code (pos 3–8 digits), check_character (pos 18), then
    org_code_check (pos 17 over pos 9–16). Only org_code_check failing, or a code on
    `known_legacy`, gives LEGACY_FLAGGED. Returns an `IdentityCheck`; never raises.
    """
    code = normalise_identifier(raw)
    if code in known_legacy:
        return IdentityCheck(code, CheckStatus.LEGACY_FLAGGED, "known_legacy", entity_type_of(code))
    rule = _uscc_format_rule(code)
    if rule is None and code[17] != uscc_check_character(code[:17]):
        rule = "check_character"
    if rule is not None:
        return IdentityCheck(code, CheckStatus.INVALID, rule)
    if code[16] != org_code_check_character(code[8:16]):
        return IdentityCheck(
            code, CheckStatus.LEGACY_FLAGGED, "org_code_check", entity_type_of(code)
        )
    return IdentityCheck(code, CheckStatus.VALID, None, entity_type_of(code))


def parse_uscc(raw: str, field: str = "uscc", allow_flagged: bool = True) -> IdentityCheck:
    """Check a USCC and raise on INVALID (or on LEGACY_FLAGGED when `allow_flagged` is False).

    raises InvalidUSCC(field, "GB 32100-2015 <rule>").
    """
    result = check_uscc(raw)
    if result.status is CheckStatus.INVALID or (result.needs_review and not allow_flagged):
        raise InvalidUSCC(field, f"GB 32100-2015 {result.rule}")
    return result


def resident_id_check_character(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits: "10X98765432"[Σ d_i × w_i mod 11]."""
    total = sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _region_rule(number: str, born: date, regions: RegionRegistry | None) -> str | None:
    if number[:2] not in PROVINCE_CODES:
        return "region"
    if regions is not None and not regions.is_registered(number[:6], born.year):
        return "region"
    return None


def _check_legacy_15(number: str, as_of: date) -> IdentityCheck:
    # Pre-1999 numbers: 6 address digits, YYMMDD (19xx), 3 sequence digits, no check digit.
    born = _birth_date("19" + number[6:12]) if number.isdigit() else None
    if born is None or born > as_of:
        return IdentityCheck(number, CheckStatus.INVALID, "length")
    return IdentityCheck(number, CheckStatus.LEGACY_FLAGGED, "legacy_15_digit", birth_date=born)


def check_resident_id(
    raw: str, as_of: date, regions: RegionRegistry | None = None
) -> IdentityCheck:
    """Check a 居民身份证号码 against GB 11643-1999.

    Rules, in order: length (18), format (17 digits + digit or X; lowercase x normalised),
    check_digit ("10X98765432"[Σ d_i × w_i mod 11]), birth_date (a real YYYYMMDD),
    birth_date_in_future (after `as_of`), region (province prefix per GB/T 2260, and, when a
    `regions` registry is given, the 6-digit code in force in the birth year). A 15-digit
    pre-1999 number with a readable date is LEGACY_FLAGGED ("legacy_15_digit"). Never raises.
    """
    number = normalise_identifier(raw)
    if len(number) == LEGACY_RESIDENT_ID_LENGTH:
        return _check_legacy_15(number, as_of)
    if len(number) != RESIDENT_ID_LENGTH:
        return IdentityCheck(number, CheckStatus.INVALID, "length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return IdentityCheck(number, CheckStatus.INVALID, "format")
    if number[17] != resident_id_check_character(number[:17]):
        return IdentityCheck(number, CheckStatus.INVALID, "check_digit")
    born = _birth_date(number[6:14])
    if born is None:
        return IdentityCheck(number, CheckStatus.INVALID, "birth_date")
    if born > as_of:
        return IdentityCheck(number, CheckStatus.INVALID, "birth_date_in_future", birth_date=born)
    rule = _region_rule(number, born, regions)
    status = CheckStatus.VALID if rule is None else CheckStatus.INVALID
    return IdentityCheck(number, status, rule, birth_date=born)


def parse_resident_id(
    raw: str,
    as_of: date,
    field: str = "id_number",
    regions: RegionRegistry | None = None,
    allow_flagged: bool = False,
) -> IdentityCheck:
    """Check a resident ID and raise on INVALID (and on LEGACY_FLAGGED unless `allow_flagged`).

    raises InvalidResidentID(field, "GB 11643-1999 <rule>").
    """
    result = check_resident_id(raw, as_of, regions)
    if result.status is CheckStatus.INVALID or (result.needs_review and not allow_flagged):
        raise InvalidResidentID(field, f"GB 11643-1999 {result.rule}")
    return result
