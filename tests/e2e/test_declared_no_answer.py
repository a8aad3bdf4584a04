"""Issue 12, "It can be gamed", over HTTP: an applicant who switched RevLineCr "N" → "unrecorded"
(a category meaning "no answer" in the SBA data, scoring +7 against −16 in the spec served until
2026-12-07) improved the score; then intake refused it naming the answers N, Y
(origination.declared; the rule's own tests: tests/unit/test_declared_no_answer.py). The served
spec no longer scores RevLineCr (the revolving lines left the development population), so the
application and the limit estimate refuse the field itself with 422 naming
``declared.RevLineCr`` — it still cannot flip a decline."""

from __future__ import annotations

import secrets
from typing import Any

from tests.e2e.conftest import application
from tests.sba_applicants import BAD, BAD_LOAN

PROBLEM = "application/problem+json"


def test_switching_n_to_unrecorded_cannot_flip_a_decline(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    honest = api.post(
        "/api/v1/applications", {**application(declared=BAD), **BAD_LOAN}, secrets.token_hex(8)
    )
    assert honest.json()["status"] == "declined"
    gamed = {**BAD, "RevLineCr": "unrecorded"}
    estimate = {"applicant": application()["applicant"], "declared_revenue": "5000000",
                "declared": gamed}  # fmt: skip
    for path, body in (
        ("/api/v1/applications", application(declared=gamed)),
        ("/api/v1/limit-estimates", estimate),
    ):
        response = api.post(path, body, secrets.token_hex(8))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        problem = response.json()
        assert problem["field"] == "declared.RevLineCr"
        assert "not a characteristic of the served model" in problem["detail"]
