"""Consent (授权书): recording, withdrawal, expiry, separate consent, ensure_consent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from creditfactory.kernel.clock import FixedClock
from creditfactory.origination.consent import (
    ConsentChannel,
    ConsentPurpose,
    DataCategory,
    ensure_consent,
    record_consent,
    withdraw_consent,
)
from creditfactory.origination.errors import ConsentMissing, InvalidField

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
SUBJECT = "91350200776049653A"
APPLY = ConsentPurpose.CREDIT_APPLICATION


def _consent(clock: FixedClock, *categories: DataCategory, separate: bool = False):  # noqa: ANN202
    return record_consent(
        "consent_000001",
        SUBJECT,
        APPLY,
        categories or (DataCategory.INVOICES, DataCategory.TAX),
        "auth-2025-01",
        ConsentChannel.MOBILE_APP,
        clock,
        separate=separate,
        valid_for=timedelta(days=90),
    )


def test_record_consent_takes_time_from_clock() -> None:
    consent = _consent(FixedClock(T0))
    assert consent.given_at == T0
    assert consent.expires_at == T0 + timedelta(days=90)
    assert consent.version == "auth-2025-01"
    assert ensure_consent([consent], DataCategory.INVOICES, APPLY, T0) is consent


def test_missing_category_or_purpose_raises() -> None:
    consent = _consent(FixedClock(T0))
    with pytest.raises(ConsentMissing) as info:
        ensure_consent([consent], DataCategory.COURTS, APPLY, T0, SUBJECT)
    assert info.value.reason == "no consent given"
    assert info.value.category == "courts"
    with pytest.raises(ConsentMissing):
        ensure_consent([consent], DataCategory.INVOICES, ConsentPurpose.LIMIT_ESTIMATE, T0)
    with pytest.raises(ConsentMissing):
        ensure_consent([], DataCategory.INVOICES, APPLY, T0)


def test_withdrawal_is_not_retroactive() -> None:
    clock = FixedClock(T0)
    consent = _consent(clock)
    clock.advance(timedelta(days=1))
    withdrawn = withdraw_consent(consent, clock)
    assert withdrawn.withdrawn_at == T0 + timedelta(days=1)
    # Before the withdrawal it was active (PIPL Art 15: not retroactive) …
    assert ensure_consent([withdrawn], DataCategory.TAX, APPLY, T0 + timedelta(hours=1))
    # … from the withdrawal on it is not.
    with pytest.raises(ConsentMissing) as info:
        ensure_consent([withdrawn], DataCategory.TAX, APPLY, clock.now())
    assert info.value.reason == "consent withdrawn"
    clock.advance(timedelta(days=1))
    assert withdraw_consent(withdrawn, clock).withdrawn_at == withdrawn.withdrawn_at


def test_expired_and_not_yet_given() -> None:
    consent = _consent(FixedClock(T0))
    with pytest.raises(ConsentMissing) as info:
        ensure_consent([consent], DataCategory.TAX, APPLY, T0 + timedelta(days=90))
    assert info.value.reason == "consent expired"
    with pytest.raises(ConsentMissing) as early:
        ensure_consent([consent], DataCategory.TAX, APPLY, T0 - timedelta(seconds=1))
    assert early.value.reason == "consent not yet given at that time"


def test_bureau_needs_separate_consent() -> None:
    bundled = _consent(FixedClock(T0), DataCategory.INVOICES, DataCategory.BUREAU)
    with pytest.raises(ConsentMissing) as info:
        ensure_consent([bundled], DataCategory.BUREAU, APPLY, T0)
    assert "单独同意" in info.value.reason
    separate = _consent(FixedClock(T0), DataCategory.BUREAU, separate=True)
    assert ensure_consent([bundled, separate], DataCategory.BUREAU, APPLY, T0) is separate


def test_record_consent_validates_inputs() -> None:
    clock = FixedClock(T0)
    with pytest.raises(InvalidField) as info:
        record_consent("c", SUBJECT, APPLY, [], "v1", ConsentChannel.WEB, clock)
    assert info.value.field == "categories"
    with pytest.raises(InvalidField) as version:
        record_consent("c", SUBJECT, APPLY, [DataCategory.TAX], " ", ConsentChannel.WEB, clock)
    assert version.value.field == "version"
    beijing = FixedClock(datetime(2025, 3, 1, 17, tzinfo=timezone(timedelta(hours=8))))
    with pytest.raises(InvalidField) as tz:
        record_consent("c", SUBJECT, APPLY, [DataCategory.TAX], "v1", ConsentChannel.WEB, beijing)
    assert tz.value.field == "given_at"
