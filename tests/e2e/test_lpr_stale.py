"""Stale LPR over HTTP (issue 12 "Done when"): an application priced on a series past its next
monthly fixing plus grace is referred with R08 in both languages and never disbursed; the
response's decision names the LPR fixing it priced on."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from creditfactory.pricing.lpr import LPRSeries, default_lpr_series
from tests.e2e.conftest import application


def test_stale_lpr_is_referred_not_disbursed(own_engine: Any, make_api: Any) -> None:
    ended = date(2025, 9, 22)  # current until 2025-10-23: stale on any later day
    old = LPRSeries("lpr-2025-09-22", tuple(f for f in default_lpr_series().fixings
                                            if f.effective_date <= ended))  # fmt: skip
    api = make_api(own_engine, lpr_series=old)
    response = api.post("/api/v1/applications", application(), uuid.uuid4().hex)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "referred" and body["loan_id"] is None and body["offer"] is None
    referral = body["decision"]["reasons"][0]
    assert referral["code"] == "R08" and "LPR" in referral["zh"] and "LPR" in referral["en"]
    assert body["decision"]["lpr"]["fixing_date"] == "2025-09-22"
    assert body["decision"]["lpr"]["stale"] is True


def test_current_lpr_is_priced_and_named(own_engine: Any, make_api: Any) -> None:
    body = make_api(own_engine).post("/api/v1/applications", application(),
                                        uuid.uuid4().hex).json()  # fmt: skip
    assert body["status"] == "disbursed"
    assert body["decision"]["lpr"]["stale"] is False
    assert body["decision"]["lpr"]["series_version"].startswith("lpr-2026-03-20+test-")
