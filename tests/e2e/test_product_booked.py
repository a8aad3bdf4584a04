"""What is scored is what is booked (finding 1 of the session-5 new-user pass): the platform
books term loans only (servicing.products.SME_TERM_LOAN), so a request for a revolving line is
refused with 422 problem+json naming ``revolving_line`` — on an application and on a 测额
estimate — instead of being scored as one and booked as a 36-instalment term loan."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import application
from tests.sba_applicants import BAD


@pytest.mark.parametrize("path", ["/api/v1/applications", "/api/v1/limit-estimates"])
def test_defect_01_a_revolving_line_is_refused_not_booked_as_a_term_loan(
    sqlite_engine: Any, make_api: Any, path: str
) -> None:
    api = make_api(sqlite_engine)
    body = {**application(BAD, amount="30000", term=36), "revolving_line": True}
    if path.endswith("estimates"):
        body = {**body, "declared_revenue": "2000000"}
        del body["amount"]
    refused = api.post(path, body, uuid.uuid4().hex)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["field"] == "revolving_line"
    assert "term loan" in problem["detail"]
