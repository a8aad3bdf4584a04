"""Bad HTTP input found by a QA pass gets problem+json naming the field — never a 500: impossible
and far-future dates, malformed JSON, unknown routes and methods, non-finite or unknown declared
facts, control characters in names."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import application

PROBLEM = "application/problem+json"


def test_impossible_and_far_future_dates_are_422(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    loan_id = api.post("/api/v1/applications", application(), "dates-loan").json()["loan_id"]
    for value in ("2024-02-30", "9999-12-31"):  # on the channel's own loan (another's is a 404)
        response = api.client.post(
            f"/api/v1/loans/{loan_id}/repayments",
            json={"amount": "100.00", "value_date": value},
            headers={"X-API-Key": api.key, "Idempotency-Key": f"k-{value}"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "value_date"


def test_framework_errors_are_problem_json(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    headers = {"X-API-Key": api.key, "Content-Type": "application/json", "Idempotency-Key": "m1"}
    malformed = api.client.post("/api/v1/applications", content=b'{"amount": ', headers=headers)
    assert (malformed.status_code, malformed.json()["field"]) == (422, "body")
    missing = api.client.get("/api/v1/nowhere", headers={"X-API-Key": api.key})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)


def test_declared_facts_and_names_are_checked(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    cases = [({"Bank": "abc" * 30}, "declared.Bank"), ({"bad key": 1}, "declared.bad key"),
             ({f"k{n}": n for n in range(70)}, "declared")]  # fmt: skip
    for i, (declared, field) in enumerate(cases):
        response = api.post("/api/v1/applications", application(declared=declared), f"d{i}")
        assert (response.status_code, response.json()["field"]) == (422, field), response.text
    named = api.post("/api/v1/applications", application(name="厦门\u202eABC"), "n1")
    assert (named.status_code, named.json()["field"]) == (422, "name")


def test_oversized_bodies_are_refused_before_parsing(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    huge = application(declared={"NoEmp": 12})
    huge["applicant"]["name"] = "x" * 1_100_000
    response = api.post("/api/v1/applications", huge, "big")
    assert response.status_code == 413 and response.json()["field"] == "body"


def test_end_of_day_refuses_a_future_business_date(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post(
        "/api/v1/end-of-day",
        json={"business_date": "2099-12-31"},
        headers={"Authorization": f"Bearer {api.tokens['approver']}"},
    )
    assert (response.status_code, response.json()["field"]) == (422, "business_date")
