"""Consent (授权书): what a data subject authorised, for which purpose, since when, until when.

Invariants:
- no pull without consent: `ensure_consent` is called before any external source is asked
  (see `origination.consent_gate`);
- consent is explicit per purpose and data category (PIPL Art 14); re-consent when they change;
- withdrawal is easy and not retroactive (PIPL Art 15): a consent is active on
  [given_at, withdrawn_at) and, when it has one, before `expires_at`;
- bureau (征信) queries need written consent with an agreed purpose (征信业管理条例 Art 18) and
  sharing with a third-party vendor or processing financial accounts needs separate consent
  (单独同意, PIPL Art 23 / 29): categories in `SEPARATE_CONSENT_CATEGORIES` are covered only by a
  consent given with `separate=True`;
- times are tz-aware UTC, taken from a `Clock` by the caller.

Source: DOMAIN.md §8.1–8.2.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Final, Protocol

from creditfactory.kernel.clock import Clock
from creditfactory.origination.errors import ConsentMissing, InvalidField

__all__ = [
    "SEPARATE_CONSENT_CATEGORIES",
    "Consent",
    "ConsentChannel",
    "ConsentPurpose",
    "ConsentRecords",
    "DataCategory",
    "InMemoryConsentRecords",
    "ensure_consent",
    "find_active_consent",
    "record_consent",
    "withdraw_consent",
]


class ConsentPurpose(str, Enum):
    """What the data will be used for (the agreed purpose of 征信业管理条例 Art 18)."""

    LIMIT_ESTIMATE = "limit_estimate"  # 在线测额, no formal application
    CREDIT_APPLICATION = "credit_application"  # 贷款审批
    POST_LOAN_MONITORING = "post_loan_monitoring"  # 贷后管理


class DataCategory(str, Enum):
    """Categories of data a consent may cover; one per data port."""

    INVOICES = "invoices"  # 增值税发票
    TAX = "tax"  # 纳税信用等级 / 纳税数据
    REGISTRY = "registry"  # 工商登记
    COURTS = "courts"  # 裁判文书 / 失信被执行人
    BUREAU = "bureau"  # 征信报告
    BANK_FLOWS = "bank_flows"  # 银行流水 (financial accounts: sensitive, PIPL Art 28)


SEPARATE_CONSENT_CATEGORIES: Final = frozenset({DataCategory.BUREAU, DataCategory.BANK_FLOWS})


class ConsentChannel(str, Enum):
    """Where the consent was given."""

    MOBILE_APP = "mobile_app"
    WEB = "web"
    API_PARTNER = "api_partner"
    BRANCH_PAPER = "branch_paper"


@dataclass(frozen=True, slots=True)
class Consent:
    """One 授权书 as signed.

    consent_id: "consent_…". subject_id: the USCC or resident ID the data is about.
    purpose / categories: what was authorised. version: the text version shown ("auth-2024-01").
    given_at / withdrawn_at / expires_at: tz-aware UTC. separate: given as 单独同意.
    """

    consent_id: str
    subject_id: str
    purpose: ConsentPurpose
    categories: frozenset[DataCategory]
    version: str
    channel: ConsentChannel
    given_at: datetime
    separate: bool = False
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None

    def is_active(self, at: datetime) -> bool:
        """True when given by `at`, not yet withdrawn and not expired."""
        if at < self.given_at:
            return False
        if self.withdrawn_at is not None and at >= self.withdrawn_at:
            return False
        return self.expires_at is None or at < self.expires_at

    def covers(self, category: DataCategory, purpose: ConsentPurpose) -> bool:
        """True when this consent names `category` and `purpose` (and is separate if needed)."""
        if category in SEPARATE_CONSENT_CATEGORIES and not self.separate:
            return False
        return purpose is self.purpose and category in self.categories


def _require_utc(at: datetime, field: str) -> None:
    if at.tzinfo is None or at.utcoffset() != timedelta(0):
        raise InvalidField(field, "tz-aware UTC datetime")


def record_consent(
    consent_id: str,
    subject_id: str,
    purpose: ConsentPurpose,
    categories: Iterable[DataCategory],
    version: str,
    channel: ConsentChannel,
    clock: Clock,
    separate: bool = False,
    valid_for: timedelta | None = None,
) -> Consent:
    """Record a consent given now (per `clock`), optionally expiring after `valid_for`.

    raises InvalidField("categories", …) when empty, ("version", …) when blank,
    ("given_at", …) when the clock is not tz-aware UTC.
    """
    cats = frozenset(categories)
    if not cats:
        raise InvalidField("categories", "at least one data category")
    if not version.strip():
        raise InvalidField("version", "the consent text version is required")
    given_at = clock.now()
    _require_utc(given_at, "given_at")
    expires_at = None if valid_for is None else given_at + valid_for
    return Consent(
        consent_id, subject_id, purpose, cats, version, channel, given_at, separate, expires_at
    )


def withdraw_consent(consent: Consent, clock: Clock) -> Consent:
    """The consent withdrawn now (PIPL Art 15). Withdrawing twice keeps the first time."""
    if consent.withdrawn_at is not None:
        return consent
    at = clock.now()
    _require_utc(at, "withdrawn_at")
    return dataclasses.replace(consent, withdrawn_at=at)


def find_active_consent(
    consents: Iterable[Consent], category: DataCategory, purpose: ConsentPurpose, at: datetime
) -> Consent | None:
    """The first consent active at `at` that covers `category` for `purpose`, else None."""
    return next((c for c in consents if c.is_active(at) and c.covers(category, purpose)), None)


def _missing_reason(
    consents: Sequence[Consent], category: DataCategory, purpose: ConsentPurpose, at: datetime
) -> str:
    named = [c for c in consents if purpose is c.purpose and category in c.categories]
    if not named:
        return "no consent given"
    if any(c.withdrawn_at is not None and at >= c.withdrawn_at for c in named):
        return "consent withdrawn"
    if any(c.expires_at is not None and at >= c.expires_at for c in named):
        return "consent expired"
    if any(at < c.given_at for c in named):
        return "consent not yet given at that time"
    return "separate consent (单独同意) required"


def ensure_consent(
    consents: Iterable[Consent],
    category: DataCategory,
    purpose: ConsentPurpose,
    at: datetime,
    subject_id: str = "",
) -> Consent:
    """Return the active consent covering `category` for `purpose` at `at`.

    raises ConsentMissing(subject_id, category, purpose, reason) when there is none; `reason` is
    "no consent given", "consent withdrawn", "consent expired", "consent not yet given at that
    time" or "separate consent (单独同意) required".
    """
    pool = list(consents)
    found = find_active_consent(pool, category, purpose, at)
    if found is None:
        reason = _missing_reason(pool, category, purpose, at)
        raise ConsentMissing(subject_id, category.value, purpose.value, reason)
    return found


class ConsentRecords(Protocol):
    """Where consents are kept (a port; the lead's repository implements it on the database)."""

    def consents_for(self, subject_id: str) -> Sequence[Consent]:
        """Every consent recorded for `subject_id`, withdrawn ones included."""
        ...


class InMemoryConsentRecords:
    """Consents in a dict, for tests and demos. `add` also replaces a withdrawn version."""

    def __init__(self, consents: Iterable[Consent] = ()) -> None:
        self._by_id: dict[str, Consent] = {}
        for consent in consents:
            self.add(consent)

    def add(self, consent: Consent) -> None:
        """Store (or replace by consent_id) a consent."""
        self._by_id[consent.consent_id] = consent

    def consents_for(self, subject_id: str) -> Sequence[Consent]:
        """Every consent for `subject_id`, in insertion order."""
        return [c for c in self._by_id.values() if c.subject_id == subject_id]
