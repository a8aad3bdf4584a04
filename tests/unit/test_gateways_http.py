"""HTTP gateway over httpx.MockTransport: success, 404, timeout, 5xx, bad JSON, malformed record,
and consent withdrawn → no request made (the transport sees zero calls)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from creditfactory.adapters.gateways.http import HttpDataGateway
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.money import Money
from creditfactory.origination.consent import (
    ConsentChannel,
    ConsentPurpose,
    DataCategory,
    InMemoryConsentRecords,
    record_consent,
    withdraw_consent,
)
from creditfactory.origination.consent_gate import (
    ConsentGate,
    DataSources,
    gate_sources,
    pull_external_data,
)
from creditfactory.origination.errors import ConsentMissing, SourceUnavailable
from creditfactory.origination.ports import InvoiceDirection, RegistryStatus, TaxGrade

SUBJECT = "91350200776049653A"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
INVOICE = {
    "enterprise_code": SUBJECT,
    "invoice_number": "11459356",
    "issue_date": "2017-08-04",
    "counterparty_code": "B03711",
    "direction": "output",
    "amount": "9401.71",
    "tax_amount": "1598.29",
    "total_amount": "11000.00",
    "status": "valid",
}
RECORDS = {
    "/invoices/lookup": {"invoices": [INVOICE]},
    "/tax-grades/lookup": {"grade": "B", "year": 2024},
    "/registry/lookup": {
        "name": "厦门某贸易有限公司",
        "status": "active",
        "established_date": "2015-04-01",
        "registered_capital": "1000000.00",
    },
    "/court-records/lookup": {
        "dishonest_debtor": False,
        "enforcement_cases": 1,
        "consumption_restricted": False,
    },
    "/bureau-reports/lookup": {
        "max_days_past_due": 0,
        "overdue_accounts": 0,
        "outstanding_debt": "250000.00",
        "inquiries_6m": 2,
    },
}


class Recorder:
    """A MockTransport handler that records requests and answers from a function."""

    def __init__(self, answer=None) -> None:  # noqa: ANN001
        self.requests: list[httpx.Request] = []
        self._answer = answer or self._records

    @staticmethod
    def _records(request: httpx.Request) -> httpx.Response:
        body = RECORDS.get(request.url.path.removeprefix("/v1"))
        return httpx.Response(200, json=body) if body else httpx.Response(404)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)


def _gateway(recorder: Recorder) -> HttpDataGateway:
    return HttpDataGateway(
        "https://vendor.test/v1", timeout_s=0.5, transport=httpx.MockTransport(recorder)
    )


def test_success_parses_every_record() -> None:
    recorder = Recorder()
    with _gateway(recorder) as gw:
        invoices = gw.invoices(SUBJECT, InvoiceDirection.OUTPUT)
        assert invoices[0].amount == Money(Decimal("9401.71"))
        assert invoices[0].issue_date == date(2017, 8, 4)
        assert gw.tax_grade(SUBJECT).grade is TaxGrade.B  # type: ignore[union-attr]
        registry = gw.registry_record(SUBJECT)
        assert registry is not None and registry.status is RegistryStatus.ACTIVE
        assert gw.court_record(SUBJECT).enforcement_cases == 1
        assert gw.bureau_report(SUBJECT).inquiries_6m == 2  # type: ignore[union-attr]
    first = recorder.requests[0]
    assert first.method == "POST"
    assert first.url.path == "/v1/invoices/lookup"
    assert SUBJECT not in str(first.url)  # identifiers travel in the body, not the URL
    assert json.loads(first.content) == {"subject_id": SUBJECT, "direction": "output"}


def test_not_found_means_nothing_known() -> None:
    with _gateway(Recorder(lambda r: httpx.Response(404))) as gw:
        assert gw.invoices(SUBJECT) == []
        assert gw.tax_grade(SUBJECT) is None
        assert gw.bureau_report(SUBJECT) is None
        assert not gw.court_record(SUBJECT).dishonest_debtor


def _raise_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("read timed out", request=request)


def _raise_connect(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (_raise_timeout, "timeout"),
        (_raise_connect, "transport error: ConnectError"),
        (lambda r: httpx.Response(500, text="boom"), "http 500"),
        (lambda r: httpx.Response(503), "http 503"),
        (lambda r: httpx.Response(401), "http 401"),
        (lambda r: httpx.Response(200, text="<html>not json"), "malformed json"),
    ],
    ids=["timeout", "connect", "500", "503", "401", "bad-json"],
)
def test_failures_become_source_unavailable(answer, reason: str) -> None:  # noqa: ANN001
    with _gateway(Recorder(answer)) as gw:
        with pytest.raises(SourceUnavailable) as info:
            gw.tax_grade(SUBJECT)
        assert (info.value.source, info.value.reason) == ("tax_grade", reason)
        with pytest.raises(SourceUnavailable) as inv:
            gw.invoices(SUBJECT)
        assert (inv.value.source, inv.value.reason) == ("invoices", reason)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/tax-grades/lookup", {"grade": "Z", "year": 2024}),
        ("/tax-grades/lookup", {"year": 2024}),
        ("/tax-grades/lookup", ["B"]),
        ("/invoices/lookup", {"invoices": [{**INVOICE, "amount": "abc"}]}),
        ("/invoices/lookup", {"rows": []}),
        ("/bureau-reports/lookup", {**RECORDS["/bureau-reports/lookup"], "inquiries_6m": "2"}),
    ],
)
def test_malformed_records_become_source_unavailable(path: str, body: object) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return (
            httpx.Response(200, json=body)
            if request.url.path.endswith(path)
            else httpx.Response(404)
        )

    with _gateway(Recorder(answer)) as gw:
        call = {
            "/tax-grades/lookup": gw.tax_grade,
            "/invoices/lookup": gw.invoices,
            "/bureau-reports/lookup": gw.bureau_report,
        }[path]
        with pytest.raises(SourceUnavailable) as info:
            call(SUBJECT)
        assert info.value.reason.startswith("malformed record")


def _consents(clock: FixedClock) -> InMemoryConsentRecords:
    consent = record_consent(
        "consent_000001",
        SUBJECT,
        ConsentPurpose.CREDIT_APPLICATION,
        [DataCategory.INVOICES, DataCategory.TAX, DataCategory.REGISTRY, DataCategory.COURTS],
        "auth-2025-01",
        ConsentChannel.WEB,
        clock,
    )
    return InMemoryConsentRecords([consent])


def test_consent_withdrawn_means_no_request() -> None:
    clock = FixedClock(T0)
    records = _consents(clock)
    recorder = Recorder()
    gate = ConsentGate(records, ConsentPurpose.CREDIT_APPLICATION, clock)
    with _gateway(recorder) as gw:
        gated = gate_sources(DataSources(invoices=gw, tax_grade=gw), gate)
        assert gated.invoices is not None and gated.tax_grade is not None
        assert len(gated.invoices.invoices(SUBJECT)) == 1
        assert len(recorder.requests) == 1
        clock.advance(timedelta(minutes=5))
        records.add(withdraw_consent(records.consents_for(SUBJECT)[0], clock))
        recorder.requests.clear()
        with pytest.raises(ConsentMissing) as info:
            gated.invoices.invoices(SUBJECT)
        assert info.value.reason == "consent withdrawn"
        with pytest.raises(ConsentMissing):
            gated.tax_grade.tax_grade(SUBJECT)
    assert recorder.requests == []


def test_no_consent_for_bureau_means_no_bureau_request() -> None:
    clock = FixedClock(T0)
    recorder = Recorder()
    gate = ConsentGate(_consents(clock), ConsentPurpose.CREDIT_APPLICATION, clock)
    with _gateway(recorder) as gw:
        sources = DataSources(invoices=gw, tax_grade=gw, registry=gw, courts=gw, bureau=gw)
        data = pull_external_data(sources, gate, SUBJECT)
    paths = [r.url.path for r in recorder.requests]
    assert "/v1/bureau-reports/lookup" not in paths
    assert len(paths) == 4
    assert data.gaps == {"bureau": "consent: no consent given"}
    assert data.tax_grade is not None and len(data.invoices) == 1


def test_pull_refers_on_timeout_without_raising() -> None:
    clock = FixedClock(T0)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tax-grades/lookup"):
            raise httpx.ConnectTimeout("slow", request=request)
        return Recorder._records(request)

    gate = ConsentGate(_consents(clock), ConsentPurpose.CREDIT_APPLICATION, clock)
    with _gateway(Recorder(answer)) as gw:
        data = pull_external_data(
            DataSources(invoices=gw, tax_grade=gw, courts=gw),
            gate,
            SUBJECT,
            wanted=("invoices", "tax_grade", "registry", "courts"),
        )
    assert data.gaps == {"tax_grade": "unavailable: timeout", "registry": "not configured"}
    assert not data.complete
    assert data.courts is not None and data.tax_grade is None
