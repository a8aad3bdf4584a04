"""Verified versus declared facts and the contradictions between them, on hand-worked records:
12 sales invoices of 100,000 CNY in 2019 make annual sales of 1,200,000 as of 2020-01-01, so a
declaration beyond ±20 % (policy credit-policy-2026.2) — above 1,440,000 or below 960,000 —
contradicts; a registration date more than 31 days off does; declaring fewer lawsuits than the
court records show does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.test_origination_declared import SPEC

from creditfactory.decisioning import DEFAULT_POLICY, VerificationRules
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.money import Money
from creditfactory.origination import (
    ConsentChannel,
    ConsentGate,
    ConsentPurpose,
    DataCategory,
    DataSources,
    ExternalData,
    InMemoryConsentRecords,
    pull_external_data,
    record_consent,
)
from creditfactory.origination.declared import declared_schema
from creditfactory.origination.ports import (
    CourtRecord,
    InvoiceDirection,
    InvoiceStatus,
    Provenance,
    RegistryRecord,
    RegistryStatus,
    SourceInfo,
    VATInvoice,
)
from creditfactory.origination.verification import verify

AS_OF = date(2020, 1, 1)
AT = datetime(2020, 1, 1, 1, tzinfo=UTC)
SUBJECT = "91350100M000100Y43"
SALES = [
    VATInvoice("E1", f"{m:08d}", date(2019, m, 15), "B1", InvoiceDirection.OUTPUT,
               Money.of(100_000), Money.of(13_000), Money.of(113_000), InvoiceStatus.VALID)
    for m in range(1, 13)
]  # fmt: skip


class Files:
    """Invoices, registry and courts of one subject."""

    def invoices(self, subject_id: str, direction: Any = None) -> list[VATInvoice]:
        return SALES

    def registry_record(self, subject_id: str) -> RegistryRecord:
        return RegistryRecord(subject_id, "厦门测试", RegistryStatus.ACTIVE, date(2015, 3, 2),
                              Money.of(1_000_000), "王*", "GSXT-1")  # fmt: skip

    def court_record(self, subject_id: str) -> CourtRecord:
        return CourtRecord(subject_id, False, 1, False, 1, "COURT-1")


SOURCES = DataSources(
    invoices=Files(), registry=Files(), courts=Files(),
    info={"invoices": SourceInfo("invoices file", "v1"), "registry": SourceInfo("registry", "r1"),
          "courts": SourceInfo("courts", "c1")},
)  # fmt: skip


def _pull(categories: tuple[DataCategory, ...]) -> Any:
    clock = FixedClock(AT)
    consent = record_consent("c1", SUBJECT, ConsentPurpose.CREDIT_APPLICATION, categories,
                             "auth-1", ConsentChannel.API_PARTNER, clock)  # fmt: skip
    gate = ConsentGate(InMemoryConsentRecords([consent]), ConsentPurpose.CREDIT_APPLICATION, clock)
    return pull_external_data(SOURCES, gate, SUBJECT, ("invoices", "registry", "courts"))


ALL = (DataCategory.INVOICES, DataCategory.REGISTRY, DataCategory.COURTS)
SCHEMA = declared_schema(SPEC, ("invoices", "registry", "courts"))
PROVENANCE = Provenance("invoices file", "v1", "E1: 1 invoices", AT)


def _verify(declared: dict[str, Any], categories: tuple[DataCategory, ...] = ALL) -> Any:
    return verify(declared, _pull(categories), {}, SCHEMA, AS_OF, DEFAULT_POLICY.verification)


@pytest.mark.parametrize(
    ("declared", "contradicts"),
    [(1_440_000, False), (1_440_001, True), (960_000, False), (959_999, True), (1_200_000, False)],
)
def test_declared_sales_beyond_twenty_percent_contradict(declared: int, contradicts: bool) -> None:
    found = _verify({"annual_sales": declared})
    row = next(v for v in found.verified if v["name"] == "annual_sales")
    assert row["value"] == "1200000.00" and row["declared"] == declared
    assert row["contradicts"] is contradicts
    assert bool(found.contradictions) is contradicts


def test_contradictions_name_the_fact_in_words_with_both_values() -> None:
    found = _verify({"annual_sales": 3_000_000, "established_date": "2015-01-01",
                     "lawsuits_as_defendant": 0})  # fmt: skip
    zh = [z for z, _ in found.contradictions]
    en = [e for _, e in found.contradictions]
    assert zh[0] == "年销售额：申报3,000,000元，发票核验1,200,000元（差异+150%，容差±20%）"
    assert en[1] == ("date of registration: declared 2015-01-01, the business registry says "
                     "2015-03-02")  # fmt: skip
    assert en[2] == ("lawsuits and enforcement cases as defendant: declared 0, the court "
                     "records show 2")  # fmt: skip


def test_registration_date_within_a_month_and_true_lawsuits_do_not_contradict() -> None:
    found = _verify({"established_date": "2015-04-02", "lawsuits_as_defendant": 2})  # 31 days
    assert found.contradictions == ()


def test_verified_facts_carry_source_record_and_time() -> None:
    found = _verify({"NoEmp": 5})
    registry = next(v for v in found.verified if v["name"] == "established_date")
    assert registry == {"name": "established_date", "zh": "成立日期", "en": "date of registration",
                        "value": "2015-03-02", "source": "registry", "version": "r1",
                        "record_id": "GSXT-1", "retrieved_at": AT.isoformat()}  # fmt: skip
    invoices = next(v for v in found.verified if v["name"] == "invoice_months")
    assert (invoices["value"], invoices["record_id"]) == (12, "E1: 12 invoices")
    assert found.declared_only == (
        {"name": "NoEmp", "zh": "员工人数", "en": "number of employees", "value": 5},
    )


def test_without_consent_nothing_is_verified_and_the_declaration_stays_declared() -> None:
    found = _verify({"annual_sales": 9_000_000}, (DataCategory.REGISTRY, DataCategory.COURTS))
    assert "annual_sales" in {d["name"] for d in found.declared_only}
    assert "invoices" not in {v["source"] for v in found.verified}
    assert found.contradictions == ()


def test_tolerance_is_policy_data() -> None:
    strict = VerificationRules(Decimal("0.05"), 0)
    schema = declared_schema(SPEC, ("invoices",))
    found = verify({"annual_sales": 1_300_000}, _pull(ALL), {}, schema, AS_OF, strict)
    assert "容差±5%" in found.contradictions[0][0]


@given(
    seen=st.integers(1, 10**9),
    said=st.integers(0, 2 * 10**9),
    tolerance=st.decimals("0", "0.99", places=2),
)
def test_sales_contradict_exactly_beyond_the_tolerance(
    seen: int, said: int, tolerance: Any
) -> None:
    """Invariant: a contradiction iff |declared − verified| > tolerance × verified."""
    invoice = VATInvoice("E1", "1", date(2019, 6, 1), "B1", InvoiceDirection.OUTPUT,
                         Money.of(seen), Money.of(0), Money.of(seen), InvoiceStatus.VALID)  # fmt: skip
    external = ExternalData(invoices=(invoice,), provenance={"invoices": PROVENANCE})
    found = verify({"annual_sales": said}, external, {}, SCHEMA, AS_OF,
                   VerificationRules(tolerance, 31))  # fmt: skip
    assert bool(found.contradictions) is (abs(said - seen) > tolerance * seen)


def _pull_registry(files: Files) -> Any:
    """What a registry-only consent pulls from `files`."""
    sources = DataSources(registry=files, info={"registry": SourceInfo("registry", "r2")})
    clock = FixedClock(AT)
    consent = record_consent("c2", SUBJECT, ConsentPurpose.CREDIT_APPLICATION,
                             (DataCategory.REGISTRY,), "auth-2", ConsentChannel.API_PARTNER, clock)  # fmt: skip
    gate = ConsentGate(InMemoryConsentRecords([consent]), ConsentPurpose.CREDIT_APPLICATION, clock)
    return pull_external_data(sources, gate, SUBJECT, ("registry",))


class SparseRegistry(Files):
    """A registry record (like the SBA loan file) that holds no date, capital or representative."""

    def registry_record(self, subject_id: str) -> RegistryRecord:
        return RegistryRecord(subject_id, "厦门测试", RegistryStatus.ACTIVE, None, None, None,
                              "GSXT-2")  # fmt: skip


def test_verified_lists_only_facts_the_source_gave_a_value_for() -> None:
    """Finding 7: date of registration, registered capital and legal representative were listed
    as "verified" with value null when the record held none."""
    pulled = _pull_registry(SparseRegistry())
    schema = declared_schema(SPEC, ("registry",))
    found = verify({"established_date": "2015-03-02"}, pulled, {}, schema, AS_OF,
                   DEFAULT_POLICY.verification)  # fmt: skip
    assert [(v["name"], v["value"]) for v in found.verified] == [
        ("registered", True),
        ("registry_status", "active"),
    ]
    assert found.verified and all(v["value"] is not None for v in found.verified)
    assert "established_date" in {d["name"] for d in found.declared_only}


def test_request_amounts_are_rounded_and_name_both_currencies() -> None:
    """Finding 7: "SBA-guaranteed amount (USD)" 112500.0075 was shown on a CNY request. 150,000.01
    under standard 7(a) is guaranteed at 75 % (15 U.S.C. § 636(a)(2)(A)): 112,500.0075 → 112,500.01
    half-up; the SBA model's data are in USD, the booking in CNY."""
    requested = {"SBA_Appv": 150_000.01 * 0.75, "Express": "N"}
    found = verify({}, _pull(ALL), {}, SCHEMA, AS_OF, DEFAULT_POLICY.verification,
                   requested=requested, data_currency="USD")  # fmt: skip
    rows = {r["name"]: r for r in found.from_request}
    amount = rows["SBA_Appv"]
    assert (amount["value"], amount["currency"], amount["booking_currency"]) == (
        "112500.01",
        "USD",
        "CNY",
    )
    assert "one-for-one" in amount["note_en"] and "未做汇率换算" in amount["note_zh"]
    assert rows["Express"] == {"name": "Express", "zh": "SBAExpress快速贷款项目",
                               "en": "SBAExpress programme", "value": "N"}  # fmt: skip
    same = verify({}, _pull(ALL), {}, SCHEMA, AS_OF, DEFAULT_POLICY.verification,
                  requested={"SBA_Appv": 2.675}, data_currency="CNY")  # fmt: skip
    assert (
        same.from_request[0]["value"] == "2.68" and "booking_currency" not in same.from_request[0]
    )


def test_record_facts_the_model_does_not_score_are_named_in_words() -> None:
    """Finding 7: the SBA record's Franchise and New were shown as "Franchise" / "New"."""

    class SBARecord(Files):
        def registry_record(self, subject_id: str) -> RegistryRecord:
            return RegistryRecord(subject_id, "X", RegistryStatus.ACTIVE, None, None, None,
                                  "SBA-1", profile={"Franchise": 0, "New": 1})  # fmt: skip

    pulled = _pull_registry(SBARecord())
    found = verify({}, pulled, {}, {}, AS_OF, DEFAULT_POLICY.verification)
    words = {v["name"]: (v["zh"], v["en"]) for v in found.verified}
    assert words["Franchise"] == ("特许经营", "franchise")
    assert words["New"] == ("新设企业(≤2年)", "new business (≤ 2 years)")
