"""Origination: applicants, KYB identity checks, consents (授权书), external data ports and the
在线测额 limit estimate.

Modules:
- `identity`: USCC (GB 32100-2015 + inner GB 11714) and resident ID (GB 11643-1999) checks as
  values (valid / invalid with the rule / legacy_flagged for review).
- `masking`: first-6/last-4 ID masking and 138****1234 phone masking (JR/T 0171-2020 C2 data).
- `applicants`: enterprise (91), 个体工商户 (92) and unregistered-operator value objects.
- `consent`: consent records, withdrawal and `ensure_consent` (PIPL, 征信业管理条例 Art 18).
- `ports`: Protocols for invoices, tax grade, registry, court lists and bureau, and their records.
- `consent_gate`: wrappers that check consent before any source is asked; `pull_external_data`.
- `declared`: what an applicant may declare for the served spec, checked (422 naming the field).
- `verification`: verified (with provenance) vs declared-only facts, and contradictions.
- `working_capital`: 营运资金量 and 新增流动资金贷款额度 (DOMAIN.md §3.6).
- `limit_estimate`: the indicative limit range (min of the caps; score-based cap injected).
- `errors`: the context's error tree.

Invariants: pure (stdlib + kernel only); time is passed in (`as_of`, a `Clock`); money is Decimal.
"""

from creditfactory.origination.applicants import (
    Applicant,
    ApplicantType,
    PhoneNumber,
    enterprise_applicant,
    individual_business_applicant,
    parse_phone,
    unregistered_operator_applicant,
)
from creditfactory.origination.consent import (
    Consent,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecords,
    DataCategory,
    InMemoryConsentRecords,
    ensure_consent,
    record_consent,
    withdraw_consent,
)
from creditfactory.origination.consent_gate import (
    ConsentGate,
    DataSources,
    ExternalData,
    gate_sources,
    pull_external_data,
)
from creditfactory.origination.errors import (
    ConsentMissing,
    InvalidField,
    InvalidPhoneNumber,
    InvalidResidentID,
    InvalidUSCC,
    OriginationError,
    SourceUnavailable,
    TurnoverUndefined,
)
from creditfactory.origination.identity import (
    CheckStatus,
    EntityType,
    IdentityCheck,
    RegionRegistry,
    check_resident_id,
    check_uscc,
    parse_resident_id,
    parse_uscc,
)
from creditfactory.origination.limit_estimate import (
    LimitEstimate,
    LimitEstimateRequest,
    LimitPolicy,
    ScoreBasedCap,
    annual_invoice_revenue,
    estimate_limit,
    invoice_months,
)
from creditfactory.origination.masking import mask_id_number, mask_name, mask_phone
from creditfactory.origination.working_capital import (
    TurnoverDays,
    WorkingCapitalInputs,
    new_working_capital_loan,
    turnover_days,
    working_capital_need,
)

__all__ = [
    "Applicant",
    "ApplicantType",
    "CheckStatus",
    "Consent",
    "ConsentChannel",
    "ConsentGate",
    "ConsentMissing",
    "ConsentPurpose",
    "ConsentRecords",
    "DataCategory",
    "DataSources",
    "EntityType",
    "ExternalData",
    "IdentityCheck",
    "InMemoryConsentRecords",
    "InvalidField",
    "InvalidPhoneNumber",
    "InvalidResidentID",
    "InvalidUSCC",
    "LimitEstimate",
    "LimitEstimateRequest",
    "LimitPolicy",
    "OriginationError",
    "PhoneNumber",
    "RegionRegistry",
    "ScoreBasedCap",
    "SourceUnavailable",
    "TurnoverDays",
    "TurnoverUndefined",
    "WorkingCapitalInputs",
    "annual_invoice_revenue",
    "check_resident_id",
    "check_uscc",
    "ensure_consent",
    "enterprise_applicant",
    "estimate_limit",
    "gate_sources",
    "individual_business_applicant",
    "invoice_months",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "new_working_capital_loan",
    "parse_phone",
    "parse_resident_id",
    "parse_uscc",
    "pull_external_data",
    "record_consent",
    "turnover_days",
    "unregistered_operator_applicant",
    "withdraw_consent",
    "working_capital_need",
]
