"""The registry binds the applicant (findings H1 and H4 of the issue-12 attack pass): another
firm's USCC under a made-up name ("Mallory Shell Co") borrowed on that firm's verified data, and a
registry that verified "no record" was still auto-approved. Over HTTP with the bundled synthetic
registry fixture (data/fixtures/cn_records): a fixture firm applied for under another name is
referred R10, under its own name (full-width / spacing variants included) it is not; a USCC the
registry does not hold is declined K10."""

from __future__ import annotations

import csv
import secrets
from pathlib import Path
from typing import Any

import pytest

from creditfactory.adapters.gateways.records_file import FileRecordSource
from creditfactory.origination import DataSources
from creditfactory.origination.application import demo_uscc
from creditfactory.origination.ports import SourceInfo
from tests.e2e.conftest import GOOD

RECORDS = Path(__file__).parents[2] / "data" / "fixtures" / "cn_records"
REGISTRY = FileRecordSource.from_path(RECORDS / "registry.json")
SOURCES = DataSources(registry=REGISTRY, info={"registry": SourceInfo("registry file", "reg-1")})
CONSENT = {"categories": ["registry"], "version": "auth-2024-01"}
with (RECORDS / "firms.csv").open(encoding="utf-8") as rows:
    FIRM = next(r for r in csv.DictReader(rows) if r["applicant_type"] == "individual_business")


def _apply(api: Any, name: str, uscc: str | None = None) -> dict[str, Any]:
    if uscc is None:
        applicant = {"applicant_type": "individual_business", "name": name, "uscc": FIRM["uscc"],
                     "operator_id": FIRM["operator_id"]}  # fmt: skip
    else:
        applicant = {"applicant_type": "enterprise", "name": name, "uscc": uscc}
    body = {"applicant": applicant, "amount": "100000", "term_months": 12, "declared": GOOD,
            "consent": CONSENT}  # fmt: skip
    response = api.post("/api/v1/applications", body, secrets.token_hex(8))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _codes(answer: dict[str, Any]) -> set[str]:
    return {r["code"] for r in answer["decision"]["reasons"]}


def test_h1_another_firms_uscc_under_another_name_is_referred_r10(
    sqlite_engine: Any, make_api: Any
) -> None:
    answer = _apply(make_api(sqlite_engine, SOURCES), "Mallory Shell Co")
    assert answer["status"] == "referred" and "R10" in _codes(answer)
    r10 = next(r for r in answer["decision"]["reasons"] if r["code"] == "R10")
    assert r10["en"] == "the applicant's name does not match the registry record"
    assert r10["zh"] == "申请人名称与工商登记不一致"


@pytest.mark.parametrize(
    "variant", [lambda n: n, lambda n: f" {n} ", lambda n: n.replace("E", "Ｅ")]
)
def test_h1_the_registered_name_is_not_r10(sqlite_engine: Any, make_api: Any, variant: Any) -> None:
    answer = _apply(make_api(sqlite_engine, SOURCES), variant(FIRM["name"]))
    assert "R10" not in _codes(answer)


def test_h4_a_uscc_the_registry_does_not_hold_is_declined_k10(
    sqlite_engine: Any, make_api: Any
) -> None:
    unknown = demo_uscc(secrets.randbelow(10**8))
    answer = _apply(make_api(sqlite_engine, SOURCES), FIRM["name"], uscc=unknown)
    assert answer["status"] == "declined" and "K10" in _codes(answer)
    k10 = next(r for r in answer["decision"]["reasons"] if r["code"] == "K10")
    assert (k10["zh"], k10["en"]) == ("工商登记无此主体", "not found in the business registry")


def test_h4_courts_with_no_record_are_recorded_as_no_record_found(
    sqlite_engine: Any, make_api: Any
) -> None:
    courts = FileRecordSource.from_path(RECORDS / "courts.json")
    sources = DataSources(registry=REGISTRY, courts=courts,
                          info={"registry": SourceInfo("registry file", "reg-1"),
                                "courts": SourceInfo("court file", "crt-1")})  # fmt: skip
    api = make_api(sqlite_engine, sources)
    applicant = {"applicant_type": "enterprise", "name": "Mallory Shell Co",
                 "uscc": demo_uscc(secrets.randbelow(10**8))}  # fmt: skip
    body = {"applicant": applicant, "amount": "100000", "term_months": 12, "declared": GOOD,
            "consent": {"categories": ["registry", "courts"], "version": "auth-2024-01"}}  # fmt: skip
    answer = api.post("/api/v1/applications", body, secrets.token_hex(8)).json()
    rows = [
        v for v in answer["decision"]["verification"]["verified"] if v["source"] == "court file"
    ]
    assert [(v["name"], v["value"], v["record_id"]) for v in rows] == [
        ("court_record", "未查到记录 (no record found)", None)
    ]
