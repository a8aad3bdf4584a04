"""The five origination data ports over HTTP (httpx), with timeouts and an injectable transport.

Protocol with a data vendor (JSON; record shapes in `codec`)::

    POST {base_url}/invoices/lookup        {"subject_id", "direction": null|"input"|"output"}
                                           → {"invoices": [invoice, …]}
    POST {base_url}/tax-grades/lookup      {"subject_id"} → tax grade
    POST {base_url}/registry/lookup        {"subject_id"} → registry record
    POST {base_url}/court-records/lookup   {"subject_id"} → court record
    POST {base_url}/bureau-reports/lookup  {"subject_id"} → bureau report
    404 means "nothing known" (None, [], or a clean court record).

Identifiers travel in the body, not the URL, so C2-class data (resident IDs) stays out of access
logs. Every failure becomes `SourceUnavailable(source, reason)`: timeout ("timeout"), transport
error ("transport error: ConnectError"), any other non-2xx status ("http 503"), a body that is
not JSON ("malformed json") or not the documented shape ("malformed record: …"). Nothing else
escapes, so a slow or failing source never crashes the flow. The timeout applies to each of
connect, read, write and pool acquisition (httpx semantics).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

import httpx

from creditfactory.adapters.gateways.codec import (
    MalformedRecord,
    bureau_from_json,
    courts_from_json,
    invoice_from_json,
    registry_from_json,
    tax_grade_from_json,
)
from creditfactory.origination.errors import SourceUnavailable
from creditfactory.origination.ports import (
    BureauReport,
    CourtRecord,
    InvoiceDirection,
    RegistryRecord,
    TaxGradeRecord,
    VATInvoice,
)

__all__ = ["DEFAULT_TIMEOUT_S", "HttpDataGateway"]

DEFAULT_TIMEOUT_S: Final = 2.0
NOT_FOUND: Final = 404
R = TypeVar("R")


class HttpDataGateway:
    """Implements InvoiceSource, TaxGradeSource, RegistrySource, CourtListSource and BureauSource
    against one vendor base URL. Use one instance per vendor; close it (or use `with`)."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._client = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            headers=dict(headers or {}),
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpDataGateway:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _post(self, source: str, path: str, body: dict[str, Any]) -> Any | None:
        """The decoded JSON body, or None on 404. raises SourceUnavailable."""
        try:
            response = self._client.post(path, json=body)
        except httpx.TimeoutException as exc:
            raise SourceUnavailable(source, "timeout") from exc
        except httpx.HTTPError as exc:
            raise SourceUnavailable(source, f"transport error: {type(exc).__name__}") from exc
        if response.status_code == NOT_FOUND:
            return None
        if not response.is_success:
            raise SourceUnavailable(source, f"http {response.status_code}")
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceUnavailable(source, "malformed json") from exc

    def _lookup(
        self, source: str, path: str, subject_id: str, parse: Callable[[str, Any], R]
    ) -> R | None:
        data = self._post(source, path, {"subject_id": subject_id})
        if data is None:
            return None
        try:
            return parse(subject_id, data)
        except MalformedRecord as exc:
            raise SourceUnavailable(source, f"malformed record: {exc}") from exc

    def invoices(
        self, subject_id: str, direction: InvoiceDirection | None = None
    ) -> Sequence[VATInvoice]:
        """Invoices of `subject_id`; [] on 404. raises SourceUnavailable("invoices", …)."""
        body = {"subject_id": subject_id, "direction": direction.value if direction else None}
        data = self._post("invoices", "/invoices/lookup", body)
        if data is None:
            return []
        try:
            rows = data.get("invoices") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise MalformedRecord("missing list 'invoices'")
            return [invoice_from_json(row) for row in rows]
        except MalformedRecord as exc:
            raise SourceUnavailable("invoices", f"malformed record: {exc}") from exc

    def tax_grade(self, subject_id: str) -> TaxGradeRecord | None:
        """The tax grade; None on 404. raises SourceUnavailable("tax_grade", …)."""
        return self._lookup("tax_grade", "/tax-grades/lookup", subject_id, tax_grade_from_json)

    def registry_record(self, subject_id: str) -> RegistryRecord | None:
        """The registry record; None on 404. raises SourceUnavailable("registry", …)."""
        return self._lookup("registry", "/registry/lookup", subject_id, registry_from_json)

    def court_record(self, subject_id: str) -> CourtRecord:
        """The court record; clean on 404. raises SourceUnavailable("courts", …)."""
        found = self._lookup("courts", "/court-records/lookup", subject_id, courts_from_json)
        return found or CourtRecord(subject_id, False, 0, False)

    def bureau_report(self, subject_id: str) -> BureauReport | None:
        """The bureau summary; None on 404. raises SourceUnavailable("bureau", …)."""
        return self._lookup("bureau", "/bureau-reports/lookup", subject_id, bureau_from_json)
