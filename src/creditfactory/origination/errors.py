"""Origination errors.

```
DomainError
└── OriginationError
    ├── InvalidField                 an input broke a rule (names `field` and `rule`)
    │   ├── InvalidUSCC              统一社会信用代码 fails GB 32100-2015 (or the applicant-type rule)
    │   ├── InvalidResidentID        居民身份证号码 fails GB 11643-1999
    │   └── InvalidPhoneNumber       not a mainland mobile number
    ├── ConsentMissing               no active 授权书 covers this data category and purpose
    ├── TurnoverUndefined            a turnover ratio has a balance but no flow to divide by
    └── SourceUnavailable            an external data source timed out, failed or answered nonsense
```
Adapters map `InvalidField` to 422 naming `field`; `SourceUnavailable` is not a failure
of the application: the decision flow refers it with `source` and `reason`.
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = [
    "ConsentMissing",
    "InvalidField",
    "InvalidPhoneNumber",
    "InvalidResidentID",
    "InvalidUSCC",
    "OriginationError",
    "SourceUnavailable",
    "TurnoverUndefined",
]


class OriginationError(DomainError):
    """A rule of applicant intake, consent or data gathering was broken."""


class InvalidField(OriginationError):
    """An input (applicant, consent) broke a rule; the message reads "<field>: <rule>"."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class InvalidUSCC(InvalidField):
    """A 统一社会信用代码 failed GB 32100-2015 or does not fit the applicant type."""


class InvalidResidentID(InvalidField):
    """A 居民身份证号码 failed GB 11643-1999 (format, check digit, birth date or region)."""


class InvalidPhoneNumber(InvalidField):
    """A phone number is not an 11-digit mainland mobile number."""


class ConsentMissing(OriginationError):
    """No active consent covers `category` for `purpose` at the time asked (PIPL Art 14/15/23,
    征信业管理条例 Art 18). `reason` says which: none given, withdrawn, expired, not separate."""

    def __init__(self, subject_id: str, category: str, purpose: str, reason: str) -> None:
        self.subject_id = subject_id
        self.category = category
        self.purpose = purpose
        self.reason = reason
        super().__init__(f"consent for {category} / {purpose}: {reason}")


class TurnoverUndefined(OriginationError):
    """A balance was given without the flow (sales or cost of sales) it turns over against."""


class SourceUnavailable(OriginationError):
    """An external data source could not answer: timeout, 5xx, transport error, malformed body.

    `source` names the port ("invoices", "tax_grade", "registry", "courts", "bureau");
    `reason` is one short line for the referral ("timeout", "http 503", "malformed json: …").
    """

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source} unavailable: {reason}")
