"""Ports to external data sources, and the records they return.

Five sources, one data category each (see `consent.DataCategory`):
`InvoiceSource` (增值税发票, VAT invoices in the CUMCM 2020 C column layout), `TaxGradeSource`
(纳税信用等级), `RegistrySource` (工商登记), `CourtListSource` (失信被执行人 / 被执行人 / 限高) and
`BureauSource` (征信). Adapters live in `creditfactory.adapters.gateways` (file-backed and HTTP).

Contract for every implementation: return the record (or None / an empty list when the source
knows nothing about the subject); raise `SourceUnavailable(source, reason)` — and nothing else —
when the source cannot answer (timeout, 5xx, transport error, malformed body). A slow or failing
source must never crash the flow; the caller refers the application with the reason.

Amounts are `Money` (CNY). Source for the invoice layout: ../shared/data/cumcm2020c_sme_invoices/
SOURCE.md (企业代号, 发票号码, 开票日期, 销方/购方单位代号, 金额, 税额, 价税合计, 发票状态).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Final, Protocol

from creditfactory.kernel.money import Money
from creditfactory.origination.consent import DataCategory
from creditfactory.origination.errors import SourceUnavailable

__all__ = [
    "SOURCE_CATEGORIES",
    "BureauReport",
    "BureauSource",
    "CourtListSource",
    "CourtRecord",
    "InvoiceDirection",
    "InvoiceSource",
    "InvoiceStatus",
    "Provenance",
    "RegistryRecord",
    "RegistrySource",
    "RegistryStatus",
    "SourceInfo",
    "SourceUnavailable",
    "TaxGrade",
    "TaxGradeRecord",
    "TaxGradeSource",
    "VATInvoice",
]


class InvoiceDirection(str, Enum):
    """进项 (input: purchases, counterparty = seller) or 销项 (output: sales, counterparty = buyer)."""

    INPUT = "input"
    OUTPUT = "output"


class InvoiceStatus(str, Enum):
    """发票状态: 有效发票 (valid) or 作废发票 (void)."""

    VALID = "valid"
    VOID = "void"


@dataclass(frozen=True, slots=True)
class VATInvoice:
    """One VAT invoice row.

    amount: 金额, net of VAT; negative for a 负数发票 (return / credit note).
    tax_amount: 税额. total_amount: 价税合计 = amount + tax_amount.
    counterparty_code: 销方单位代号 on input invoices, 购方单位代号 on output invoices.
    """

    enterprise_code: str
    invoice_number: str
    issue_date: date
    counterparty_code: str
    direction: InvoiceDirection
    amount: Money
    tax_amount: Money
    total_amount: Money
    status: InvoiceStatus


class TaxGrade(str, Enum):
    """纳税信用等级 (State Taxation Administration): A, B, M (new / small), C, D."""

    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"


@dataclass(frozen=True, slots=True)
class TaxGradeRecord:
    """The latest published tax-credit grade of a subject and the assessment year; `tax_paid`:
    (year, tax paid that year) pairs, oldest first, when the source gives them; `record_id`:
    the source's id of the record."""

    subject_id: str
    grade: TaxGrade
    year: int
    tax_paid: tuple[tuple[int, Money], ...] = ()
    record_id: str | None = None


class RegistryStatus(str, Enum):
    """Registration status: 存续/在业, 经营异常, 吊销, 注销."""

    ACTIVE = "active"
    ABNORMAL = "abnormal"
    REVOKED = "revoked"
    DEREGISTERED = "deregistered"


@dataclass(frozen=True, slots=True)
class RegistryRecord:
    """Business registration facts. established_date may be None (a record that does not
    publish it, e.g. the SBA loan record, which says only new or existing); registered_capital
    may be None (个体工商户 have none); legal_representative: the 法定代表人 / 经营者 as the registry
    publishes it (masked here). `profile`: applicant facts the record holds, under the served
    model's characteristic names (e.g. the SBA record's NAICS, NoEmp, New, CreateJob,
    RetainedJob: `declared.RECORD_FACTS`); verified values that win over declared ones."""

    subject_id: str
    name: str
    status: RegistryStatus
    established_date: date | None
    registered_capital: Money | None = None
    legal_representative: str | None = None
    record_id: str | None = None
    profile: Mapping[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CourtRecord:
    """Court-list facts: 失信被执行人, count of open 被执行人 cases, 限制高消费, and judgments
    in the last five years in which the subject was the defendant (裁判文书, 被告)."""

    subject_id: str
    dishonest_debtor: bool
    enforcement_cases: int
    consumption_restricted: bool
    judgments_as_defendant: int = 0
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class BureauReport:
    """A summary of a 征信 report: worst current delinquency, overdue accounts, total debt,
    and hard inquiries in the last 6 months."""

    subject_id: str
    max_days_past_due: int
    overdue_accounts: int
    outstanding_debt: Money
    inquiries_6m: int


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a wired source is: a name people read ("工商登记 fixture (synthetic)") and the
    version of its data ("cn-records 2020.1"), set where the source is wired."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a verified fact came from: the source, its data version, the record's id (None
    when the source knows nothing of the subject) and when it was retrieved (UTC)."""

    source: str
    version: str
    record_id: str | None
    retrieved_at: datetime

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready form (ISO 8601 time)."""
        return {"source": self.source, "version": self.version, "record_id": self.record_id,
                "retrieved_at": self.retrieved_at.isoformat()}  # fmt: skip


class InvoiceSource(Protocol):
    """VAT invoices of a subject. raises SourceUnavailable."""

    def invoices(
        self, subject_id: str, direction: InvoiceDirection | None = None
    ) -> Sequence[VATInvoice]:
        """All invoices of `subject_id` (one direction, or both when None); [] when unknown."""
        ...


class TaxGradeSource(Protocol):
    """Tax-credit grades. raises SourceUnavailable."""

    def tax_grade(self, subject_id: str) -> TaxGradeRecord | None:
        """The latest grade, or None when the subject has none yet."""
        ...


class RegistrySource(Protocol):
    """Business registry. raises SourceUnavailable."""

    def registry_record(self, subject_id: str) -> RegistryRecord | None:
        """The registration, or None when the code is not registered."""
        ...


class CourtListSource(Protocol):
    """Court lists. raises SourceUnavailable."""

    def court_record(self, subject_id: str) -> CourtRecord:
        """The subject's court facts; a clean record when nothing is listed."""
        ...


class BureauSource(Protocol):
    """Credit bureau (征信). raises SourceUnavailable."""

    def bureau_report(self, subject_id: str) -> BureauReport | None:
        """The report summary, or None for a thin file (no bureau record)."""
        ...


SOURCE_CATEGORIES: Final = {
    "invoices": DataCategory.INVOICES,
    "tax_grade": DataCategory.TAX,
    "registry": DataCategory.REGISTRY,
    "courts": DataCategory.COURTS,
    "bureau": DataCategory.BUREAU,
}
"""Port name (as used in `SourceUnavailable.source`) → the consent category it needs."""
