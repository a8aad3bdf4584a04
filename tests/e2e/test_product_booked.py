"""What is scored is what is booked (finding 1 of the session-5 new-user pass): the platform
books term loans only (servicing.products.SME_TERM_LOAN), so a request for a revolving line is
refused with 422 problem+json naming ``revolving_line`` — on an application and on a 测额
estimate — instead of being scored as one and booked as a 36-instalment term loan."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from tests.e2e.conftest import application
from tests.sba_applicants import BAD, BAD_LOAN


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


def test_defect_01_the_programme_scored_is_recorded_with_the_offer_and_the_decision(
    tmp_path: Path, make_api: Any
) -> None:
    # 15 U.S.C. § 636(a)(2)(A): standard 7(a) guarantees 75 % of a loan above US$150,000;
    # § 636(a)(31): SBAExpress 50 %. The platform books no guarantee: the record says so.
    # A database of its own: on the session's, the default applicant's exposure from earlier
    # tests reaches the per-borrower cap and the approval this test needs turns into a decline.
    engine = make_engine(f"sqlite:///{tmp_path / 'booked.sqlite3'}")
    upgrade_schema(engine)
    api = make_api(engine)
    approved = api.post("/api/v1/applications", application(), uuid.uuid4().hex).json()
    assert approved["status"] == "disbursed", approved
    asked = approved["offer"]["loan_asked"]
    assert asked == {"programme": "sba_7a", "amount": "300000", "guarantee_share": "0.75",
                     "guaranteed_amount": "225000.00", "revolving_line": False,
                     "guarantee_booked": False}  # fmt: skip
    assert approved["decision"]["verification"]["loan_asked"] == asked
    again = api.get(f"/api/v1/applications/{approved['application_id']}").json()
    assert again["offer"]["loan_asked"] == asked
    express = api.post("/api/v1/applications", {**application(BAD), **BAD_LOAN, "term_months": 36},
                       uuid.uuid4().hex).json()  # fmt: skip
    recorded = express["decision"]["verification"]["loan_asked"]
    assert (recorded["programme"], recorded["guarantee_share"]) == ("sba_express", "0.50")
    assert recorded["guaranteed_amount"] == "15000.00"
    engine.dispose()
