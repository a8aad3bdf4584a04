"""From an application and the pulled data to what scoring and the policy read (pure).

`application_features` merges the features the applicant declared with the invoice features of
the authorised VAT invoices (`scoring.build_invoice_features`, the same function training uses)
and the applicant facts of the record source (`RegistryRecord.profile`, `declared.RECORD_FACTS`);
verified values take precedence over declared ones, and a fact a source was asked for and did not
give scores at its worst value; every other feature the spec needs is None when unknown (a
scorecard's missing bin).
`decision_facts` turns the score and the `ExternalData` into `DecisionFacts`: tax grade,
registry status and business age, court lists, bureau delinquency, invoice months, data gaps and
identity flags. Source for the knock-out facts: issue 6 (rating or tax grade D, 失信被执行人,
business age under 6 months, fewer than N invoice months).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Mapping
from datetime import date

from creditfactory.decisioning import DecisionFacts
from creditfactory.origination.applicants import Applicant
from creditfactory.origination.consent_gate import ExternalData
from creditfactory.origination.declared import RECORD_FACTS
from creditfactory.origination.identity import org_code_check_character, uscc_check_character
from creditfactory.origination.limit_estimate import invoice_months
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice
from creditfactory.scoring import Invoice, ScorecardSpec, ScoreResult, build_invoice_features
from creditfactory.scoring.features import INVOICE_FEATURES, PURCHASE, SALES
from creditfactory.scoring.runtime import worst_value

__all__ = [
    "FeatureValue",
    "application_features",
    "unverified_record_facts",
    "business_age_months",
    "decision_facts",
    "demo_uscc",
    "scoring_invoices",
]

FeatureValue = float | int | str | None


def scoring_invoices(invoices: Iterable[VATInvoice]) -> list[Invoice]:
    """VAT invoices as the scorer's `Invoice` rows (销项 → sales, 进项 → purchase)."""
    return [
        Invoice(
            direction=SALES if i.direction is InvoiceDirection.OUTPUT else PURCHASE,
            invoice_date=i.issue_date,
            counterparty=i.counterparty_code,
            amount=i.amount.amount,
            tax=i.tax_amount.amount,
            voided=i.status is InvoiceStatus.VOID,
        )
        for i in invoices
    ]


def application_features(
    spec: ScorecardSpec,
    declared: Mapping[str, FeatureValue],
    external: ExternalData,
    as_of: date,
    requested: Mapping[str, FeatureValue] | None = None,
) -> dict[str, FeatureValue]:
    """Every feature of the spec: the loan's own characteristics the request sets (`requested`,
    `loan_terms.request_features`), whatever was declared for them; the invoice features when the invoice source answered (verified
    values win over declared ones); when it was asked and did not answer (consent withheld, source
    unavailable) each invoice feature at its worst value (`scoring.runtime.worst_value`) — a
    declaration never stands in for invoices the applicant could have authorised, so withholding
    consent never improves the score (findings M3 / V8). The same for the applicant facts of
    the record source (`declared.RECORD_FACTS`, e.g. SBA NoEmp, RetainedJob): the record's value
    wins; a fact it should have given and did not (no value in a record that holds applicant
    facts, consent withheld, source unavailable) scores at its worst value, so such a
    self-declared count cannot buy points (`unverified_record_facts` names them for the
    decision). Else the declared value, else None."""
    found: dict[str, FeatureValue] = dict(declared)
    if external.invoices or "invoices" in external.provenance:
        found.update(build_invoice_features(scoring_invoices(external.invoices), as_of))
    elif "invoices" in external.gaps:
        found.update({n: worst_value(spec, n) for n in spec.features if n in INVOICE_FEATURES})
    profile = {} if external.registry is None else external.registry.profile
    found.update({n: v for n, v in profile.items() if n in RECORD_FACTS})
    found.update({n: worst_value(spec, n) for n in unverified_record_facts(spec, external)})
    found.update(requested or {})
    return {name: found.get(name) for name in spec.features}


def unverified_record_facts(spec: ScorecardSpec, external: ExternalData) -> tuple[str, ...]:
    """The spec's `declared.RECORD_FACTS` the record source should have verified and did not:
    scored at their worst value (`application_features`). Those of a record that holds applicant
    facts but not this one, and all of them when the source was asked and did not answer
    (consent withheld, unavailable: a gap). None for a record that holds no applicant facts (a
    registry that publishes none, e.g. the Chinese 工商登记: the declaration stands, declared
    only) or a source not asked; a record not found declines by itself (K10)."""
    if "registry" in external.gaps:
        profile: Mapping[str, object] = {}
    elif external.registry is not None and external.registry.profile:
        profile = external.registry.profile
    else:
        return ()
    return tuple(n for n in spec.features if n in RECORD_FACTS and n not in profile)


def business_age_months(established: date, as_of: date) -> int:
    """Whole months from registration to `as_of` (never negative)."""
    months = (as_of.year - established.year) * 12 + as_of.month - established.month
    if as_of.day < established.day:
        months -= 1
    return max(0, months)


def same_registered_name(declared: str, registered: str) -> bool:
    """Whether an applicant's name is the registry record's name: equal after Unicode NFKC
    (full-width （） and letters → ASCII), dropping all whitespace and casefolding — the
    differences a typed name may carry, never a different word."""

    def key(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).split()).casefold()

    return key(declared) == key(registered)


def decision_facts(
    scored: ScoreResult,
    applicant: Applicant,
    external: ExternalData,
    as_of: date,
    asked: Collection[str],
    contradictions: tuple[tuple[str, str], ...] = (),
) -> DecisionFacts:
    """The facts the decision tables read; unknown ones stay None. `asked`: the sources pulled;
    `contradictions`: from `verification.verify`.

    The registry binds the applicant (H1 of the issue-12 attack pass): a registry that answered
    with no record sets `registry_not_found` (K10), a record under another name `name_mismatch`
    (R10). Invoice months are known when the invoice source answered — an empty answer means "no
    invoices" (the K04 knock-out reads it); a gap means unknown (the R01 referral reads that).
    """
    reg, courts, bureau, tax = (
        external.registry,
        external.courts,
        external.bureau,
        external.tax_grade,
    )
    invoices_known = "invoices" in asked and "invoices" not in external.gaps
    registry_known = (
        "registry" in asked and "registry" not in external.gaps and applicant.uscc is not None
    )
    return DecisionFacts(
        score=scored.score,
        pd_12m=scored.pd_12m,
        grade=scored.grade,
        applicant_type=applicant.applicant_type.value,
        tax_grade=None if tax is None else tax.grade.value,
        registry_status=None if reg is None else reg.status.value,
        business_age_months=None
        if reg is None or reg.established_date is None
        else business_age_months(reg.established_date, as_of),
        dishonest_debtor=None if courts is None else courts.dishonest_debtor,
        enforcement_cases=None if courts is None else courts.enforcement_cases,
        bureau_max_dpd=None if bureau is None else bureau.max_days_past_due,
        invoice_months=invoice_months(external.invoices, as_of) if invoices_known else None,
        data_gaps=tuple(f"{k}: {v}" for k, v in sorted(external.gaps.items())),
        identity_flagged=applicant.needs_review,
        contradictions=contradictions,
        registry_not_found=(reg is None) if registry_known else None,
        name_mismatch=None if reg is None else not same_registered_name(applicant.name, reg.name),
    )


def demo_uscc(number: int, region: str = "440300") -> str:
    """A valid 统一社会信用代码 (type 91, GB 11714 and GB 32100 check characters) built from a
    number — the demos' stand-in for a registration (the SBA and CUMCM firms have none)."""
    org8 = f"{number % 10**8:08d}"
    first17 = f"91{region}{org8}{org_code_check_character(org8)}"
    return first17 + uscc_check_character(first17)
