"""The facts a policy reads: what the score, the external data and the application say.

`DecisionFacts` is filled by the application flow (origination builds it from the pulled data);
`None` means unknown. The last five facts are derived inside `decide` from limit sizing and
pricing (`lpr_stale`: priced on an LPR series past its next fixing plus grace;
`revenue_unknown_above_ceiling`: no revenue figure sized the limit and it is above the policy's
`no_revenue_ceiling`), so a table can knock out on or refer them like any other fact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["DERIVED_FACTS", "DecisionFacts"]

DERIVED_FACTS = (
    "limit_below_minimum",
    "price_refused",
    "raroc_below_hurdle",
    "lpr_stale",
    "revenue_unknown_above_ceiling",
)


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """Inputs to the decision tables.

    score / pd_12m / grade: from the scorecard. applicant_type: origination's value.
    tax_grade: A/B/M/C/D. registry_status: active/abnormal/revoked/deregistered.
    business_age_months: months since registration. dishonest_debtor / enforcement_cases:
    court lists. bureau_max_dpd: worst current delinquency (days). invoice_months: months with a
    valid sales invoice in the last 12. data_gaps: "source: reason" for every source that did not
    answer. identity_flagged: a legacy identifier needs an officer. contradictions: a (zh, en)
    sentence per declared fact that contradicts verified data beyond the policy's tolerance.
    registry_not_found: the registry answered and holds no record of the USCC (None: not asked,
    not answered, or no USCC). name_mismatch: the applicant's name differs from the registry
    record's (`origination.application.same_registered_name`; None: no record).
    """

    score: float
    pd_12m: float
    grade: str
    applicant_type: str
    tax_grade: str | None = None
    registry_status: str | None = None
    business_age_months: int | None = None
    dishonest_debtor: bool | None = None
    enforcement_cases: int | None = None
    bureau_max_dpd: int | None = None
    invoice_months: int | None = None
    data_gaps: tuple[str, ...] = ()
    identity_flagged: bool = False
    contradictions: tuple[tuple[str, str], ...] = ()
    registry_not_found: bool | None = None
    name_mismatch: bool | None = None

    def as_mapping(self, **derived: Any) -> dict[str, Any]:
        """The facts by name, plus derived ones (`DERIVED_FACTS`, default None)."""
        out = asdict(self)
        out.update(dict.fromkeys(DERIVED_FACTS))
        out.update(derived)
        return out
