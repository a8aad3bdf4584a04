"""Request and response shapes of the HTTP API (pydantic). Syntax and ranges are checked here;
domain rules (USCC / ID checksums, product limits) in the domain, mapped to 422 in `errors.py`.

Every request body derives from `StrictBody`: unknown fields are refused and nothing is coerced
(``"12"`` is not 12, ``1`` / ``"yes"`` are not true, ``12.0`` is not 12), each 422 naming the
field; integers are bounded by their `Field` ranges (a 400-digit number is a 422, never an
OverflowError)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "StrictBody",
    "ApplicantIn",
    "LoanAsked",
    "ApplicationCreate",
    "ConsentCreate",
    "ConsentIn",
    "LimitEstimateCreate",
    "LoginIn",
    "RecommendationIn",
    "CheckIn",
    "OverrideIn",
    "RepaymentCreate",
    "PrepaymentCreate",
    "BackdatedRepaymentCreate",
    "EndOfDayIn",
]

Amount = Field(
    pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$", description="CNY decimal text, e.g. 300000.00"
)

MAX_DECLARED = 64
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

Declared = dict[str, Any]
"""Declared facts as parsed JSON, uncoerced: their names, types and ranges are checked against
the served model by `origination.declared.check_declared`, which names ``declared.<name>``."""


class StrictBody(BaseModel):
    """Base of every request body (module docstring): extra fields forbidden, strict types."""

    model_config = ConfigDict(extra="forbid", strict=True)


def example(body: dict[str, Any]) -> ConfigDict:
    """A request body's config with `body` as its example in the OpenAPI document (issue #14:
    an example for every request body; tests/e2e/test_openapi_document.py posts each one)."""
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [body]})


_APPLICANT: Final[dict[str, Any]] = {
    "applicant_type": "enterprise", "name": "厦门测试贸易有限公司",
    "uscc": "91350100M000100Y43", "phone": "13812341234",
}  # fmt: skip
_CONSENT: Final[dict[str, Any]] = {"categories": ["invoices", "tax"], "version": "consent-2026.1",
                                   "channel": "api_partner", "separate": True}  # fmt: skip
APPLICATION: Final[dict[str, Any]] = {
    "applicant": _APPLICANT, "amount": "300000.00", "term_months": 12,
    "declared": {"NAICS": "531130", "NoEmp": 20, "CreateJob": 0}, "programme": "sba_7a",
    "revolving_line": False, "consent": _CONSENT,
}  # fmt: skip
ESTIMATE: Final[dict[str, Any]] = {
    "applicant": _APPLICANT, "declared_revenue": "2000000.00", "term_months": 12,
    "declared": {"NAICS": "531130", "NoEmp": 20, "CreateJob": 0},
}  # fmt: skip
CONSENT: Final[dict[str, Any]] = {"applicant": _APPLICANT, "purpose": "credit_application",
                                  "consent": _CONSENT}  # fmt: skip


def _printable(value: str) -> str:
    """Refuse control and format characters (NUL, bidi overrides) in names shown to people."""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError("must not contain control or format characters")
    return value


def _declared(values: Declared) -> Declared:
    """At most 64 declared facts; each one is checked in the domain (`Declared`)."""
    if len(values) > MAX_DECLARED:
        raise ValueError(f"at most {MAX_DECLARED} declared facts")
    return values


def _business_date(value: str | None) -> str | None:
    """An ISO calendar date between 2000-01-01 and 2100-12-31."""
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real calendar date YYYY-MM-DD") from None
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError(f"must lie between {EARLIEST} and {LATEST}")
    return value


class ConsentIn(StrictBody):
    """A 授权书 given with the request."""

    categories: list[Literal["invoices", "tax", "registry", "courts", "bureau", "bank_flows"]]
    version: str = Field(min_length=1, max_length=64)
    channel: Literal["mobile_app", "web", "api_partner", "branch_paper"] = "api_partner"
    separate: bool = False


class ApplicantIn(StrictBody):
    """Who applies. Identifiers are checked (GB 32100 / GB 11643) and stored encrypted."""

    applicant_type: Literal["enterprise", "individual_business", "unregistered_operator"]
    name: str = Field(min_length=1, max_length=200)
    uscc: str | None = Field(default=None, max_length=32)
    operator_id: str | None = Field(default=None, max_length=32)
    legal_rep_id: str | None = Field(default=None, max_length=32)
    phone: str | None = Field(default=None, max_length=32)

    _name_printable = field_validator("name")(_printable)


class LoanAsked(StrictBody):
    """The loan's product, where the served model scores it (SBA): the programme's rule sets the
    guaranteed share for the amount, the product whether it is a revolving line
    (origination.loan_terms). Declared values of these characteristics are not scored."""

    programme: Literal["sba_7a", "sba_express"] | None = Field(
        default=None,
        description="the guarantee programme: sba_7a (85 % up to 150,000, 75 % above) or "
        "sba_express (50 %); default sba_7a",
    )
    revolving_line: bool | None = Field(
        default=None,
        description="a revolving line of credit: refused (422) when true — the platform books "
        "term loans only; default false",
    )


class ApplicationCreate(LoanAsked):
    """POST /api/v1/applications (with an Idempotency-Key header)."""

    model_config = example(APPLICATION)

    applicant: ApplicantIn
    amount: str = Amount
    term_months: int = Field(ge=1, le=360)  # the product range (1–36) is checked in the domain
    declared: Declared = Field(default_factory=dict)
    working_capital_need: str | None = Field(default=None, pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$")
    consent: ConsentIn | None = None
    auto_accept: bool = True

    _declared_ok = field_validator("declared")(_declared)


class LimitEstimateCreate(LoanAsked):
    """POST /api/v1/limit-estimates: no formal application, no hard inquiry."""

    model_config = example(ESTIMATE)

    applicant: ApplicantIn
    declared_revenue: str = Amount
    term_months: int = Field(default=12, ge=1, le=36)
    declared: Declared = Field(default_factory=dict)
    working_capital_need: str | None = Field(default=None, pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$")
    consent: ConsentIn | None = None

    _declared_ok = field_validator("declared")(_declared)


class ConsentCreate(StrictBody):
    """POST /api/v1/consents: record a consent on its own."""

    model_config = example(CONSENT)

    applicant: ApplicantIn
    purpose: Literal["limit_estimate", "credit_application", "post_loan_monitoring"]
    consent: ConsentIn


class RepaymentCreate(StrictBody):
    """POST /api/v1/loans/{id}/repayments (with an Idempotency-Key header)."""

    model_config = example({"amount": "25544.97"})

    amount: str = Amount
    value_date: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

    _value_date_ok = field_validator("value_date")(_business_date)


class PrepaymentCreate(RepaymentCreate):
    """POST /api/v1/loans/{id}/prepayments (with an Idempotency-Key header): 提前还款 that keeps
    the term (lower installments) or the installment (shorter term)."""

    model_config = example({"amount": "50000.00", "keep": "term"})

    keep: Literal["term", "installment"] = "term"


class BackdatedRepaymentCreate(StrictBody):
    """POST /api/v1/loans/{id}/backdated-repayments (officers with repayment.backdate; an
    Idempotency-Key header): a repayment received earlier than the business date (倒起息)."""

    model_config = example(
        {
            "amount": "25544.97",
            "value_date": "2027-01-08",
            "reason": "到账已于当日入账，系统延迟 Received on the due date, posted late",
        }
    )

    amount: str = Amount
    value_date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    reason: str = Field(min_length=10, max_length=500)

    _value_date_ok = field_validator("value_date")(_business_date)
    _reason_ok = field_validator("reason")(_printable)


class LoginIn(StrictBody):
    """Officer login."""

    model_config = example({"username": "li.approver", "password": "correct horse battery staple"})

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class RecommendationIn(StrictBody):
    """Maker step on a referred application."""

    model_config = example(
        {"action": "approve", "note": "发票核实，经营稳定 Invoices verified, steady trade"}
    )

    action: Literal["approve", "decline"]
    note: str = Field(default="", max_length=500)


class OverrideIn(StrictBody):
    """An approver's change of the referred offer's terms (decisioning.override: within the
    policy's and product's bounds, else 422 naming ``override.<field>``), with a reason."""

    reason: str = Field(min_length=1, max_length=500)
    amount: str | None = Field(default=None, pattern=r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
                               description="CNY decimal text, e.g. 250000.00")  # fmt: skip
    term_months: int | None = Field(default=None, ge=1, le=360)
    annual_rate: str | None = Field(default=None, pattern=r"^0(\.[0-9]{1,6})?$",
                                    description="a yearly fraction, e.g. 0.0875")  # fmt: skip


class CheckIn(StrictBody):
    """Checker step: confirm the maker's recommendation; an approval may carry `override`."""

    model_config = example({"note": "同意，额度下调 Agreed at a lower amount",
                            "override": {"reason": "发票收入仅支持25万 Invoiced sales support "
                                         "250,000", "amount": "250000.00"}})  # fmt: skip

    note: str = Field(default="", max_length=500)
    override: OverrideIn | None = None


class EndOfDayIn(StrictBody):
    """Run end-of-day for a business date."""

    model_config = example({"business_date": "2027-01-08"})

    business_date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

    _business_date_ok = field_validator("business_date")(_business_date)


def public(value: Any) -> Any:
    """Identity: responses are plain dicts built by the read models (masked already)."""
    return value
