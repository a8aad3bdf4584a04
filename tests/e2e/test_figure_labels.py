"""Labels that are true (issue #12 item 9, closing4 #12 missing item 4): API responses with
amounts name their currency; those with a PD or a grade name its horizon and the model and data
set it comes from — on the decision, the offer, the limit estimate and the loan view, and in the
OpenAPI document."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.origination_tables import applications
from creditfactory.kernel.clock import SystemClock
from creditfactory.scoring import dump_spec
from creditfactory.service_layer.factory_views import model_labels
from tests.e2e.conftest import SPEC, SPEC_DIGEST, application
from tests.sba_applicants import GOOD

# What the served SBA spec says of itself: trained on SBA data, a life-of-loan PD converted to
# 12 months over its 84-month reference life (docs/scoring.md, PD horizon).
SBA_MODEL = {
    "model_id": "sba-case-scorecard",
    "spec_sha256": SPEC_DIGEST,
    "dataset": "sba-case",
    "dataset_currency": "USD",  # recorded by model train (the SBA data are US dollars)
    "pd_horizon": {"basis": "life_of_loan", "window_months": 84.0, "converted_to_months": 12},
}


def _key() -> str:
    return uuid.uuid4().hex


def test_decision_offer_and_loan_name_currency_horizon_and_model(
    own_engine: Any, make_api: Any
) -> None:
    api = make_api(own_engine)
    body = api.post("/api/v1/applications", application(), _key()).json()
    assert body["decision"]["spec_digest"] == SPEC_DIGEST
    with own_engine.connect() as db:
        stored = db.execute(
            select(applications.c.currency).where(
                applications.c.application_id == body["application_id"]
            )
        ).scalar_one()
    assert (body["currency"], body["offer"]["currency"], stored) == ("CNY", "CNY", "CNY")
    assert body["pd_horizon_months"] == 12
    assert body["model"] == SBA_MODEL
    assert api.get(f"/api/v1/applications/{body['application_id']}").json() == body
    loan = api.get(f"/api/v1/loans/{body['loan_id']}").json()
    assert loan["currency"] == "CNY"


def test_a_decision_of_an_earlier_model_names_that_model(sqlite_engine: Any, make_api: Any) -> None:
    # served later with another spec: the view names the spec that decided, read from the
    # stored specs (serving stores its spec; first copy wins), not the one served now
    later = make_api(sqlite_engine)
    body = later.post("/api/v1/applications", application(), _key()).json()
    other = replace(SPEC, model_id="sba-case-scorecard-next")
    later.client.app.state.deps = replace(
        later.client.app.state.deps, spec=other, spec_digest=json.loads(dump_spec(other))["sha256"]
    )
    path = f"/api/v1/applications/{body['application_id']}"
    with FactoryUnitOfWork(sqlite_engine, SystemClock()) as uow:
        uow.models.put_spec(SPEC_DIGEST, dump_spec(SPEC), "analyst", datetime.now(UTC))
        uow.commit()
    assert later.get(path).json()["model"] == SBA_MODEL


def test_limit_estimate_names_currency_horizon_and_model(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    who = application(uscc="913501000000000279")["applicant"]
    est = api.post(
        "/api/v1/limit-estimates",
        {"applicant": who, "declared_revenue": "5000000", "term_months": 24, "declared": GOOD},
    ).json()
    assert (est["currency"], est["pd_horizon_months"], est["model"]) == ("CNY", 12, SBA_MODEL)


def test_model_labels_of_a_12_month_model_in_its_own_currency() -> None:
    cumcm = replace(
        SPEC,
        model_id="cumcm-2020c-ordinal",
        training={**SPEC.training, "dataset": "cumcm-2020c", "currency": "CNY"},
        pd_horizon=replace(SPEC.pd_horizon, basis="months", months=12.0, reference_months=None),
    )
    labels = model_labels(cumcm, "d" * 64)
    assert labels["dataset"] == "cumcm-2020c" and labels["dataset_currency"] == "CNY"
    assert labels["pd_horizon"] == {"basis": "months", "window_months": 12.0,
                                    "converted_to_months": 12}  # fmt: skip


def test_openapi_declares_the_labels(sqlite_engine: Any, make_api: Any) -> None:
    document = make_api(sqlite_engine).client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert set(schemas["ModelLabels"]["required"]) == set(SBA_MODEL)
    expected = {
        ("post", "/api/v1/limit-estimates"): "LimitEstimateView",
        ("post", "/api/v1/applications"): "ApplicationView",
        ("get", "/api/v1/applications/{application_id}"): "ApplicationView",
        ("post", "/api/v1/offers/{offer_id}/accept"): "ApplicationView",
        ("get", "/api/v1/loans/{loan_id}"): "LoanView",
    }
    for (method, path), name in expected.items():
        ok = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": f"#/components/schemas/{name}"}, (method, path)
        labels = {"currency", "pd_horizon_months", "model"} if name != "LoanView" else {"currency"}
        assert labels <= set(schemas[name]["required"]), name
