"""Declared facts at the edge, over HTTP (findings H7, M1, L1, L2, L3 of the issue-12 attack
pass): every malformed declared value is a 422 problem+json naming ``declared.<name>`` — never a
500, never coerced (true is not 1), never a field named after a pydantic type ("float") or the
whole map ("declared")."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from tests.e2e.conftest import GOOD, application
from tests.sba_applicants import BAD, BAD_LOAN

PROBLEM = "application/problem+json"
APPLY, ESTIMATE = "/api/v1/applications", "/api/v1/limit-estimates"


def _raw(api: Any, path: str, text: str) -> Any:
    """POST `text` as the JSON body (httpx's json= refuses NaN; the attacker's client does not)."""
    headers = {"X-API-Key": api.key, "Idempotency-Key": secrets.token_hex(8),
               "Content-Type": "application/json"}  # fmt: skip
    return api.client.post(path, content=text.encode(), headers=headers)


def _estimate(declared: dict[str, Any]) -> dict[str, Any]:
    body = application(declared=declared)
    return {"applicant": body["applicant"], "declared_revenue": "5000000", "declared": declared}


def _field(response: Any) -> tuple[int, str]:
    assert response.headers["content-type"].startswith(PROBLEM), response.text
    return response.status_code, response.json()["field"]


def test_h7_a_huge_integer_is_422_naming_the_field_not_500(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    for path, body in ((APPLY, application()), (ESTIMATE, _estimate(dict(GOOD)))):
        text = json.dumps(body).replace('"NoEmp": 20', '"NoEmp": 1' + "0" * 400)
        assert _field(_raw(api, path, text)) == (422, "declared.NoEmp")


def test_l1_a_5000_digit_number_is_422_naming_the_body(sqlite_engine: Any, make_api: Any) -> None:
    text = json.dumps(application()).replace('"NoEmp": 20', '"NoEmp": 1' + "0" * 5000)
    assert _field(_raw(make_api(sqlite_engine), APPLY, text)) == (422, "body")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_l1_nan_and_infinity_name_the_declared_field(
    sqlite_engine: Any, make_api: Any, literal: str
) -> None:
    text = json.dumps(application()).replace('"NoEmp": 20', f'"NoEmp": {literal}')
    assert _field(_raw(make_api(sqlite_engine), APPLY, text)) == (422, "declared.NoEmp")


@pytest.mark.parametrize("value", [{"v": 20}, [20], True, False, "20"])
def test_m1_l1_objects_arrays_booleans_and_text_are_not_numbers(
    sqlite_engine: Any, make_api: Any, value: Any
) -> None:
    api = make_api(sqlite_engine)
    declared = {**GOOD, "NoEmp": value}
    response = api.post(APPLY, application(declared=declared), secrets.token_hex(8))
    assert _field(response) == (422, "declared.NoEmp")
    assert _field(api.post(ESTIMATE, _estimate(declared))) == (422, "declared.NoEmp")


@pytest.mark.parametrize("value", [{"a": 1}, ["CA"], True])
def test_l1_a_nested_or_boolean_category_names_the_declared_field(
    sqlite_engine: Any, make_api: Any, value: Any
) -> None:
    api = make_api(sqlite_engine)
    body = application(declared={**GOOD, "BankState": value})
    assert _field(api.post(APPLY, body, secrets.token_hex(8))) == (422, "declared.BankState")


def test_m1_term_months_true_and_auto_accept_yes_are_422(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    term = {**application(), "term_months": True}
    assert _field(api.post(APPLY, term, secrets.token_hex(8))) == (422, "term_months")
    accept = {**application(), "auto_accept": "yes"}
    assert _field(api.post(APPLY, accept, secrets.token_hex(8))) == (422, "auto_accept")
    estimate = {**_estimate(dict(GOOD)), "term_months": True}
    assert _field(api.post(ESTIMATE, estimate)) == (422, "term_months")


@pytest.mark.parametrize(
    ("name", "value"),
    [("NoEmp", -5), ("SBA_Appv", 1e300), ("NoEmp", 1e15), ("RetainedJob", -1), ("RetainedJob", -3),
     ("annual_sales", -1), ("lawsuits_as_defendant", -2)],
)  # fmt: skip
def test_l3_out_of_range_numbers_are_422_naming_the_field(
    sqlite_engine: Any, make_api: Any, name: str, value: float
) -> None:
    api = make_api(sqlite_engine)
    body = application(declared={**GOOD, name: value})
    assert _field(api.post(APPLY, body, secrets.token_hex(8))) == (422, f"declared.{name}")


@pytest.mark.parametrize("text", ["20050620", "2005-W25-1", "2005-13-01"])
def test_l2_established_date_takes_only_calendar_dates(
    sqlite_engine: Any, make_api: Any, text: str
) -> None:
    api = make_api(sqlite_engine)
    body = application(declared={**GOOD, "established_date": text})
    assert _field(api.post(APPLY, body, secrets.token_hex(8))) == (422, "declared.established_date")


def test_a_lookalike_key_names_itself(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    body = application(declared={**GOOD, "NoЕmp": 3})  # Cyrillic Е
    assert _field(api.post(APPLY, body, secrets.token_hex(8))) == (422, "declared.NoЕmp")


def test_in_range_values_still_pass(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    body = application(declared={**GOOD, "NoEmp": 0, "annual_sales": 0, "CreateJob": 10**6})
    assert api.post(APPLY, body, secrets.token_hex(8)).status_code == 200


def test_h5_null_unseen_or_case_variant_never_flips_a_decline(
    sqlite_engine: Any, make_api: Any
) -> None:
    api = make_api(sqlite_engine)
    honest = api.post(APPLY, {**application(declared=BAD), **BAD_LOAN}, secrets.token_hex(8)).json()
    assert honest["status"] == "declined"
    # the served SBA spec's categorical is the industry code NAICS (Bank is excluded as leaked)
    for variant in (f"{BAD['NAICS']} ", f" {BAD['NAICS']}"):
        body = {**application(declared={**BAD, "NAICS": variant}), **BAD_LOAN}
        again = api.post(APPLY, body, secrets.token_hex(8)).json()
        assert (again["status"], again["decision"]["score"]) == (
            "declined", honest["decision"]["score"]
        )  # fmt: skip
    for value, rule in ((None, "required"), ("999999", "not a known value")):
        body = {**application(declared={**BAD, "NAICS": value}), **BAD_LOAN}
        response = api.post(APPLY, body, secrets.token_hex(8))
        assert _field(response) == (422, "declared.NAICS")
        assert rule in response.json()["rule"]


@pytest.mark.parametrize(("name", "value"), [("NoEmp", 1.5), ("NoEmp", 3.0), ("CreateJob", 2.5)])
def test_a_count_is_a_whole_number(
    sqlite_engine: Any, make_api: Any, name: str, value: float
) -> None:
    """Staff and job counts are integers (closing note 5: NoEmp 1.5 was accepted and scored by
    its bin): 422 naming the field on both the application and the estimate."""
    api = make_api(sqlite_engine)
    declared = {**GOOD, name: value}
    response = api.post(APPLY, application(declared=declared), secrets.token_hex(8))
    assert _field(response) == (422, f"declared.{name}")
    assert "whole number" in response.json()["detail"]
    assert _field(api.post(ESTIMATE, _estimate(declared))) == (422, f"declared.{name}")
    whole = api.post(APPLY, application(declared={**GOOD, name: 3}), secrets.token_hex(8))
    assert whole.status_code == 200, whole.text


@pytest.mark.parametrize(
    ("name", "value"),
    [("Express", True), ("Express", "maybe"), ("Express", 1), ("NAICS", "999999")],
)
def test_a_flag_or_category_takes_only_its_declared_values(
    sqlite_engine: Any, make_api: Any, name: str, value: Any
) -> None:
    """A Y/N flag is "Y" or "N" (true is not "Y"), an industry one of the served model's codes."""
    api = make_api(sqlite_engine)
    declared = {**GOOD, name: value}
    response = api.post(APPLY, application(declared=declared), secrets.token_hex(8))
    assert _field(response) == (422, f"declared.{name}")
    assert _field(api.post(ESTIMATE, _estimate(declared))) == (422, f"declared.{name}")
