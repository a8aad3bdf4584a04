"""测额 runs the application's record checks (new-user pass 5, finding 3): the estimate pulls the
registry, court lists and tax grade the consent covers — never the bureau — and a knock-out on
them gives no range with its reason, a referral is said the same way, as the application would
decide. Before, the estimate pulled invoices only and quoted CNY 700,000–1,000,000 to CUMCM firms
E134 (tax grade D, K01), E137 (失信被执行人, K02) and E140 (registration revoked, K05) that the
application then declined. Records: data/fixtures/cn_records (synthetic, keyed by USCC)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from creditfactory.adapters.gateways.records_file import FileRecordSource
from creditfactory.origination import DataSources
from tests.e2e.conftest import GOOD, application

RECORDS = Path(__file__).parents[2] / "data" / "fixtures" / "cn_records"


class _CountedBureau:
    """A bureau that counts the pulls (each one a hard inquiry); it knows nobody."""

    def __init__(self) -> None:
        self.asked = 0

    def bureau_report(self, subject_id: str) -> None:
        self.asked += 1


BUREAU = _CountedBureau()
SOURCES = DataSources(
    registry=FileRecordSource.from_path(RECORDS / "registry.json"),
    courts=FileRecordSource.from_path(RECORDS / "courts.json"),
    tax_grade=FileRecordSource.from_path(RECORDS / "tax.json"),
    bureau=BUREAU,
)
ALL = ["registry", "courts", "tax"]
# (firm, USCC, registered name, the rule its records trip) — values read from the fixture files
E134 = ("91110105545251897B", "***工程咨询有限公司")  # tax grade D
E137 = ("914201069275963484", "***建设工程有限公司")  # dishonest_debtor true
E140 = ("91320102053916645Y", "***建筑工程有限公司")  # status revoked
ENFORCED = ("91440104873393480U", "***建筑劳务有限公司")  # active, tax A/B, 1+ enforcement case
CLEAN = ("914403053241407981", "***食品有限公司")  # active, tax A/B, no court record


def _consent(categories: list[str]) -> dict[str, Any]:
    """A 授权书 for `categories` (a bureau consent is a separate one: 征信业管理条例 Art 18)."""
    return {"categories": categories, "version": "v1", "separate": "bureau" in categories}


def _estimate(api: Any, firm: tuple[str, str], categories: list[str]) -> dict[str, Any]:
    uscc, name = firm
    body = {"applicant": {"applicant_type": "enterprise", "name": name, "uscc": uscc},
            "declared_revenue": "5000000.00", "term_months": 12, "declared": GOOD,
            "consent": _consent(categories)}  # fmt: skip
    response = api.post("/api/v1/limit-estimates", body)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def _codes(reasons: list[dict[str, Any]]) -> set[str]:
    return {r["code"] for r in reasons}


@pytest.mark.parametrize(
    ("firm", "rule"), [(E134, "K01"), (E137, "K02"), (E140, "K05"), (ENFORCED, "R04")]
)
def test_defect_f3_estimate_runs_the_record_checks(
    sqlite_engine: Any, make_api: Any, firm: tuple[str, str], rule: str
) -> None:
    api = make_api(sqlite_engine, sources=SOURCES)
    asked = BUREAU.asked
    est = _estimate(api, firm, [*ALL, "bureau"])
    assert BUREAU.asked == asked  # the estimate never asks the bureau, even with its consent
    assert (est["limit_low"], est["limit_high"], est["rate_low"]) == ("0", "0", None), est
    assert rule in _codes(est["reasons"]), est["reasons"]
    assert est["hard_inquiry"] is False
    # the application on the same data decides the same way
    uscc, name = firm
    body = {**application(amount="300000", name=name, uscc=uscc),
            "consent": _consent([*ALL, "bureau"])}  # fmt: skip
    response = api.post("/api/v1/applications", body, f"f3-{uscc}")
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] != "approved"
    assert rule in _codes(view["decision"]["reasons"])
    assert BUREAU.asked == asked + 1  # the application does


def test_a_clean_record_still_gets_a_range_and_its_facts_are_verified(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine, sources=SOURCES)
    est = _estimate(api, CLEAN, ALL)
    assert est["limit_high"] != "0" and est["reasons"] == [], est
    verified = {v["name"] for v in est["verification"]["verified"]}
    assert {"tax_grade", "registry_status", "dishonest_debtor"} <= verified, verified


def test_only_what_the_consent_covers_is_read(sqlite_engine: Any, make_api: Any) -> None:
    # E134's tax grade D is not read without a tax consent: no K01, the gap is said
    api = make_api(sqlite_engine, sources=SOURCES)
    est = _estimate(api, E134, ["registry", "courts"])
    assert "K01" not in _codes(est["reasons"])
    assert "tax_grade" in est["data_gaps"]
