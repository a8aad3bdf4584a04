"""Verified data on the served path (issue 12, item 5), through HTTP: declared facts checked
against the served spec (422 naming `declared.<name>` — the measured defect was `{"foo": 1}` →
200 declined on a missing `ApprovalFY`), verified facts with their provenance in the response
and the stored decision, a contradicted declaration referred (R09) with the fact in words, and no
consent → a data gap, nothing verified."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from creditfactory.kernel.money import Money
from creditfactory.origination import DataSources
from creditfactory.origination.application import demo_uscc
from creditfactory.origination.loan_terms import REQUEST_FACTS
from creditfactory.origination.ports import (
    CourtRecord,
    InvoiceDirection,
    InvoiceStatus,
    RegistryRecord,
    RegistryStatus,
    SourceInfo,
    VATInvoice,
)
from tests.e2e.conftest import GOOD, SPEC, application

PROBLEM = "application/problem+json"
# a numeric applicant fact (the loan's own characteristics come from the request: loan_terms)
FIRST = next(c.feature for c in SPEC.characteristics
             if c.dtype != "categorical" and c.feature not in REQUEST_FACTS)  # fmt: skip


def _key() -> str:
    return secrets.token_hex(8)


def _uscc() -> str:
    return demo_uscc(secrets.randbelow(10**8))


def test_the_measured_defect_unknown_declared_fact_is_422(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    for declared in ({"foo": 1}, {**GOOD, "foo": 1}):
        response = api.post("/api/v1/applications", application(declared=declared), _key())
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["field"] == "declared.foo"


def test_missing_and_mistyped_characteristics_are_422_naming_them(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    missing = {k: v for k, v in GOOD.items() if k != FIRST}
    response = api.post("/api/v1/applications", application(declared=missing), _key())
    assert (response.status_code, response.json()["field"]) == (422, f"declared.{FIRST}")
    text = api.post("/api/v1/applications", application(declared={**GOOD, FIRST: "12"}), _key())
    assert (text.status_code, text.json()["field"]) == (422, f"declared.{FIRST}")
    body = {"applicant": application()["applicant"], "declared_revenue": "5000000",
            "declared": {**GOOD, "foo": 1}}  # fmt: skip
    estimate = api.post("/api/v1/limit-estimates", body)
    assert (estimate.status_code, estimate.json()["field"]) == (422, "declared.foo")


class Records:
    """One firm's invoices (a 100,000 CNY sale in each of the last 12 months), registration
    (2015-03-02) and court record (one judgment as defendant)."""

    def invoices(self, subject_id: str, direction: Any = None) -> list[VATInvoice]:
        today = datetime.now(UTC).date()
        return [
            VATInvoice("E9", f"{n:08d}", today - timedelta(days=30 * n + 5), "B1",
                       InvoiceDirection.OUTPUT, Money.of(100_000), Money.of(13_000),
                       Money.of(113_000), InvoiceStatus.VALID)
            for n in range(12)
        ]  # fmt: skip

    def registry_record(self, subject_id: str) -> RegistryRecord:
        return RegistryRecord(subject_id, "厦门测试贸易有限公司", RegistryStatus.ACTIVE,
                              date(2015, 3, 2), Money.of(1_000_000), "王*", "GSXT-9")  # fmt: skip

    def court_record(self, subject_id: str) -> CourtRecord:
        return CourtRecord(subject_id, False, 0, False, 1, "COURT-9")


SOURCES = DataSources(
    invoices=Records(), registry=Records(), courts=Records(),
    info={"invoices": SourceInfo("invoice file", "inv-1"),
          "registry": SourceInfo("registry file", "reg-1"),
          "courts": SourceInfo("court file", "crt-1")},
)  # fmt: skip
CONSENT = {"categories": ["invoices", "registry", "courts"], "version": "auth-2024-01"}


def test_decision_records_verified_and_declared_facts(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine, SOURCES)
    body = application(declared={**GOOD, "annual_sales": 1_250_000}, uscc=_uscc())
    body["consent"] = CONSENT
    response = api.post("/api/v1/applications", body, _key())
    assert response.status_code == 200, response.text
    decision = response.json()["decision"]
    verification = decision["verification"]
    by_name = {v["name"]: v for v in verification["verified"]}
    assert by_name["established_date"]["value"] == "2015-03-02"
    assert by_name["established_date"]["record_id"] == "GSXT-9"
    assert by_name["established_date"]["source"] == "registry file"
    assert by_name["judgments_as_defendant"]["version"] == "crt-1"
    sales = by_name["annual_sales"]  # ~12 × 100,000 CNY; 1,250,000 is within ±20 %
    assert sales["declared"] == 1_250_000 and sales["contradicts"] is False
    assert {d["name"] for d in verification["declared_only"]} == set(GOOD) - REQUEST_FACTS
    asked = {d["name"]: d for d in verification["from_request"]}
    # the served spec's one loan characteristic is the programme (7(a) here); the amount sizes the
    # limit and is not scored (issue #12), so no amount is among them
    assert set(asked) == REQUEST_FACTS & set(GOOD) == {"Express"}
    assert (asked["Express"]["value"], asked["Express"]["declared"]) == ("N", GOOD["Express"])
    assert verification["contradictions"] == []
    stored = api.get(f"/api/v1/applications/{response.json()['application_id']}").json()
    assert stored["decision"]["verification"] == verification


def test_a_contradicted_declaration_is_referred_naming_the_fact(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine, SOURCES)
    declared = {**GOOD, "annual_sales": 5_000_000, "lawsuits_as_defendant": 0}
    body = application(declared=declared, uscc=_uscc())
    body["consent"] = CONSENT
    answer = api.post("/api/v1/applications", body, _key()).json()
    assert answer["status"] == "referred"
    reason = next(r for r in answer["decision"]["reasons"] if r["code"] == "R09")
    assert "annual sales: declared 5,000,000 CNY" in reason["en"]
    assert "lawsuits and enforcement cases as defendant: declared 0" in reason["en"]
    assert "年销售额：申报5,000,000元" in reason["zh"]
    assert "ApprovalFY" not in reason["en"] and "annual_sales" not in reason["en"]


def test_without_consent_the_pull_is_a_data_gap(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine, SOURCES)
    body = application(declared={**GOOD, "annual_sales": 9_000_000}, uscc=_uscc())
    answer = api.post("/api/v1/applications", body, _key()).json()
    assert answer["status"] == "referred"
    gap = answer["decision"]["reasons"][0]
    assert (
        gap["code"] == "R01" and "the business registration record was not authorised" in gap["en"]
    )
    verification = answer["decision"]["verification"]
    assert verification["verified"] == [] and verification["contradictions"] == []
    assert "annual_sales" in {d["name"] for d in verification["declared_only"]}


def test_the_estimate_carries_the_decisions_verification_block(
    sqlite_engine: Any, make_api: Any
) -> None:
    # Same shape, same code (origination.verification.verify): the consent covers invoices only,
    # so only the invoice facts are verified; everything else declared is declared only, and the
    # registry's facts, not authorised, are scored conservatively as the application scores them.
    api = make_api(sqlite_engine, SOURCES)
    uscc, declared = _uscc(), {**GOOD, "annual_sales": 1_250_000}
    consent = {**CONSENT, "categories": ["invoices"]}
    body = {"applicant": application(uscc=uscc)["applicant"], "declared_revenue": "1250000",
            "declared": declared, "consent": consent}  # fmt: skip
    estimate = api.post("/api/v1/limit-estimates", body).json()
    verification = estimate["verification"]
    assert set(verification) == {"verified", "declared_only", "contradictions", "from_request",
                                 "scored_conservatively"}  # fmt: skip
    by_name = {v["name"]: v for v in verification["verified"]}
    assert {v["source"] for v in verification["verified"]} == {"invoice file"}
    sales = by_name["annual_sales"]  # 12 × 100,000 CNY verified; 1,250,000 declared, within ±20 %
    assert (sales["value"], sales["declared"], sales["contradicts"]) == (
        "1200000.00",
        1_250_000,
        False,
    )
    assert sales["version"] == "inv-1"
    assert {d["name"] for d in verification["declared_only"]} == set(GOOD) - REQUEST_FACTS
    # the loan's characteristic at the low end of the quoted range: the programme (7(a))
    asked = {d["name"]: d for d in verification["from_request"]}
    assert set(asked) == {"Express"} and asked["Express"]["value"] == "N"
    # the application on the same data and consent: the same verified invoice facts
    applied = api.post("/api/v1/applications", {**application(declared=declared, uscc=uscc),
                                                "consent": consent}, _key()).json()  # fmt: skip
    decided = applied["decision"]["verification"]
    strip = ("retrieved_at",)
    assert [{k: v for k, v in row.items() if k not in strip} for row in decided["verified"]] == [
        {k: v for k, v in row.items() if k not in strip} for row in verification["verified"]
    ]
    # a contradicted declaration shows in the estimate's block too, in words
    told = {**body, "declared": {**GOOD, "annual_sales": 5_000_000}}
    contradicted = api.post("/api/v1/limit-estimates", told).json()["verification"]
    assert len(contradicted["contradictions"]) == 1
    assert "annual sales: declared 5,000,000 CNY" in contradicted["contradictions"][0]["en"]
