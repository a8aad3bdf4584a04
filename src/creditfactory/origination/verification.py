"""Verified and declared facts of one application, and the contradictions between them (pure).

`verify(declared, external, features, as_of, rules)` lists:

- verified facts: what a source returned (`ExternalData`), each with its `Provenance` (source,
  data version, record id, retrieval time) and, when the applicant declared the same fact, the
  declared value and whether it contradicts;
- declared-only facts: what the applicant declared and no source verified;
- contradictions: a declared value that differs from the verified one beyond the policy's
  tolerance (`decisioning.VerificationRules`): 年销售额 against the valid sales invoices of the
  last 12 months (± `sales_tolerance`), 成立日期 against the registry (± `date_tolerance_days`),
  作为被告的诉讼及被执行案件数 against the court records (declaring fewer than recorded), and each
  applicant fact of the record source (`declared.RECORD_FACTS`, e.g. SBA NoEmp, RetainedJob,
  NAICS) against the record's value (any difference: counts and codes are exact);
- from the request: the loan's own characteristics the request sets (`loan_terms`), with the
  value declared for one, if any (not scored);
- scored conservatively: record facts the source was asked for and did not give
  (`application.unverified_record_facts`), scored at their worst value whatever was declared.

Each contradiction is a (zh, en) sentence naming the fact in words; the policy's rule on the
`contradictions` fact turns them into a reason. Values are JSON-ready (amounts and dates as
text). Labels: `declared.DOCUMENTED_FACTS`, the spec's labels, `scoring.INVOICE_FEATURES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from creditfactory.decisioning import VerificationRules
from creditfactory.kernel.money import CNY, quantize_to_minor
from creditfactory.origination.consent_gate import ExternalData
from creditfactory.origination.declared import RECORD_FACTS, DeclaredFact
from creditfactory.origination.limit_estimate import annual_invoice_revenue, invoice_months
from creditfactory.origination.loan_terms import MONEY_FACTS
from creditfactory.scoring.features import INVOICE_FEATURES
from creditfactory.scoring.runtime import category_key
from creditfactory.scoring.sba_labels import SBA_LABELS

__all__ = ["FACT_LABELS", "Verification", "verify"]

FACT_LABELS: Final[dict[str, tuple[str, str]]] = {
    "annual_sales": ("年销售额（元，不含税）", "annual sales (CNY, excl. VAT)"),
    "invoice_months": ("近12个月有销项发票的月份数", "months with sales invoices in the last 12"),
    "registered": ("工商登记记录", "business registration on record"),
    "registry_status": ("登记状态", "registration status"),
    "established_date": ("成立日期", "date of registration"),
    "registered_capital": ("注册资本（元）", "registered capital (CNY)"),
    "legal_representative": ("法定代表人", "legal representative"),
    "court_record": ("法院公开记录", "court records"),
    "dishonest_debtor": ("失信被执行人", "listed as a dishonest judgment debtor"),
    "enforcement_cases": ("未结被执行案件数", "open enforcement cases"),
    "consumption_restricted": ("限制高消费", "consumption restriction order"),
    "judgments_as_defendant": ("近五年作为被告的判决数", "judgments as defendant, last 5 years"),
    "tax_grade": ("纳税信用等级", "tax credit grade"),
    "tax_paid_last_year": ("上年纳税额（元）", "tax paid in the last year (CNY)"),
    "bureau_max_dpd": ("征信当前最长逾期天数", "worst current delinquency (days)"),
    "bureau_outstanding_debt": ("征信未结清债务（元）", "outstanding debt on the credit report"),
}
"""Verified fact name → (zh, en) label."""

NO_RECORD: Final = "未查到记录 (no record found)"
"""The courts' answer when their lists hold nothing on the subject (a record without an id)."""


@dataclass(frozen=True, slots=True)
class Verification:
    """The facts of one application: verified (with provenance), declared only, the
    contradictions as (zh, en) sentences, and the facts scored conservatively (at their worst
    value) because the record source did not verify them."""

    verified: tuple[dict[str, Any], ...] = ()
    declared_only: tuple[dict[str, Any], ...] = ()
    contradictions: tuple[tuple[str, str], ...] = ()
    scored_conservatively: tuple[dict[str, Any], ...] = ()
    from_request: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what the decision record stores under "verification");
        "scored_conservatively" and "from_request" only when there is one."""
        out: dict[str, Any] = {
            "verified": [dict(v) for v in self.verified],
            "declared_only": [dict(d) for d in self.declared_only],
            "contradictions": [{"zh": zh, "en": en} for zh, en in self.contradictions],
        }
        if self.scored_conservatively:
            out["scored_conservatively"] = [dict(c) for c in self.scored_conservatively]
        if self.from_request:
            out["from_request"] = [dict(c) for c in self.from_request]
        return out


@dataclass
class _Facts:
    """Verified values by port name: fact name → JSON-ready value (never None)."""

    by_source: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, source: str, **values: Any) -> None:
        """Record the values a source gave; a None (the record holds no value) verifies nothing."""
        given = {name: value for name, value in values.items() if value is not None}
        self.by_source.setdefault(source, {}).update(given)


def _text(amount: Any) -> str | None:
    return None if amount is None else str(amount.rounded().amount)


def _gathered(external: ExternalData, features: Mapping[str, Any], as_of: date) -> _Facts:
    facts = _Facts()
    if "invoices" in external.provenance:
        facts.add("invoices", annual_sales=_text(annual_invoice_revenue(external.invoices, as_of)),
                  invoice_months=invoice_months(external.invoices, as_of))  # fmt: skip
        facts.add("invoices", **{k: v for k, v in features.items() if k in INVOICE_FEATURES})
    reg = external.registry
    if "registry" in external.provenance:
        facts.add("registry", registered=reg is not None)
    if reg is not None:
        facts.add("registry", registry_status=reg.status.value,
                  established_date=None if reg.established_date is None
                  else reg.established_date.isoformat(),
                  registered_capital=_text(reg.registered_capital),
                  legal_representative=reg.legal_representative)  # fmt: skip
        facts.add("registry", **{k: v for k, v in reg.profile.items() if k in RECORD_FACTS})
    if (c := external.courts) is not None and c.record_id is None:  # the lists hold nothing
        facts.add("courts", court_record=NO_RECORD)  # not "verified clean" under no record id
    elif c is not None:
        facts.add("courts", dishonest_debtor=c.dishonest_debtor,
                  enforcement_cases=c.enforcement_cases,
                  consumption_restricted=c.consumption_restricted,
                  judgments_as_defendant=c.judgments_as_defendant)  # fmt: skip
    if (t := external.tax_grade) is not None:
        facts.add("tax_grade", tax_grade=f"{t.grade.value} ({t.year})",
                  tax_paid_last_year=_text(t.tax_paid[-1][1]) if t.tax_paid else None)  # fmt: skip
    if (b := external.bureau) is not None:
        facts.add("bureau", bureau_max_dpd=b.max_days_past_due,
                  bureau_outstanding_debt=_text(b.outstanding_debt))  # fmt: skip
    return facts


def _percent(x: Decimal) -> str:
    return f"{x * 100:+.0f}%"


def _sales(declared: Any, verified: str, rules: VerificationRules) -> tuple[str, str] | None:
    said, seen = Decimal(repr(declared)), Decimal(verified)
    if seen == 0:
        off = said > 0
        gap = "—"
    else:
        off = abs(said - seen) > rules.sales_tolerance * seen
        gap = _percent((said - seen) / seen)
    if not off:
        return None
    tol = f"±{rules.sales_tolerance * 100:.0f}%"
    return (
        f"年销售额：申报{said:,.0f}元，发票核验{seen:,.0f}元（差异{gap}，容差{tol}）",
        f"annual sales: declared {said:,.0f} CNY, the invoices show {seen:,.0f} CNY "
        f"({gap}, tolerance {tol})",
    )


def _established(declared: Any, verified: str, rules: VerificationRules) -> tuple[str, str] | None:
    said, seen = date.fromisoformat(declared), date.fromisoformat(verified)
    if abs((said - seen).days) <= rules.date_tolerance_days:
        return None
    return (
        f"成立日期：申报{said.isoformat()}，工商登记为{seen.isoformat()}",
        f"date of registration: declared {said.isoformat()}, the business registry says "
        f"{seen.isoformat()}",
    )


def _lawsuits(declared: Any, courts: Mapping[str, Any]) -> tuple[str, str] | None:
    seen = int(courts["judgments_as_defendant"]) + int(courts["enforcement_cases"])
    if int(declared) >= seen:
        return None
    return (
        f"作为被告的诉讼及被执行案件：申报{int(declared)}件，司法记录{seen}件",
        f"lawsuits and enforcement cases as defendant: declared {int(declared)}, "
        f"the court records show {seen}",
    )


def _same(declared: Any, verified: Any) -> bool:
    """A declared record fact equals the record's: numbers by value, codes as categories."""
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool)
                  for x in (declared, verified))  # fmt: skip
    return declared == verified if numbers else category_key(declared) == category_key(verified)


def _record_fact(
    name: str, declared: Any, verified: Any, schema: Mapping[str, DeclaredFact]
) -> tuple[str, str] | None:
    if _same(declared, verified):
        return None
    zh, en = _label(name, schema)
    return (f"{zh}：申报{declared}，核验记录为{verified}",
            f"{en}: declared {declared}, the verified record says {verified}")  # fmt: skip


def _contradictions(
    declared: Mapping[str, Any],
    facts: _Facts,
    rules: VerificationRules,
    schema: Mapping[str, DeclaredFact],
) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str] | None] = {}
    invoices, registry = facts.by_source.get("invoices", {}), facts.by_source.get("registry", {})
    courts = facts.by_source.get("courts")
    if declared.get("annual_sales") is not None and "annual_sales" in invoices:
        found["annual_sales"] = _sales(declared["annual_sales"], invoices["annual_sales"], rules)
    if declared.get("established_date") is not None and "established_date" in registry:
        found["established_date"] = _established(
            declared["established_date"], registry["established_date"], rules
        )
    if declared.get("lawsuits_as_defendant") is not None and courts is not None:
        found["lawsuits_as_defendant"] = _lawsuits(declared["lawsuits_as_defendant"], courts)
    for name in sorted(RECORD_FACTS.intersection(registry)):
        if declared.get(name) is not None:
            found[name] = _record_fact(name, declared[name], registry[name], schema)
    return {name: text for name, text in found.items() if text is not None}


def _label(name: str, schema: Mapping[str, DeclaredFact]) -> tuple[str, str]:
    if name in schema:
        return schema[name].zh, schema[name].en
    known = FACT_LABELS.get(name) or INVOICE_FEATURES.get(name)
    if known is not None:
        return known
    sba = SBA_LABELS.get(name)  # a record fact the model does not score (e.g. Franchise, New)
    return (sba["zh"], sba["en"]) if sba is not None else (name, name)


ONE_FOR_ONE: Final = (
    "模型训练数据的金额以{data}计；本申请以{booking}计，金额按1:1直接代入，未做汇率换算",
    "the model's data are in {data}; this application is in {booking}, and its amount is "
    "entered one-for-one, with no exchange rate applied",
)
"""What a request amount shown in the model's data currency is, when the booking currency
differs (the SBA model serves CNY requests: `loan_terms` module docstring)."""


def _request_row(
    name: str, value: Any, schema: Mapping[str, DeclaredFact], data_currency: str | None
) -> dict[str, Any]:
    """One characteristic the request set: an amount (`loan_terms.MONEY_FACTS`) as text rounded
    to the cent of the model's data currency, which it names, with the booking currency and
    `ONE_FOR_ONE` when the two differ."""
    zh, en = _label(name, schema)
    row: dict[str, Any] = {"name": name, "zh": zh, "en": en, "value": value}
    if name in MONEY_FACTS:
        currency = data_currency or CNY
        amount = quantize_to_minor(Decimal(str(value)), currency)  # a float by its shortest text
        row.update(value=str(amount), currency=currency)
        if currency != CNY:
            note_zh, note_en = (t.format(data=currency, booking=CNY) for t in ONE_FOR_ONE)
            row.update(booking_currency=CNY, note_zh=note_zh, note_en=note_en)
    return row


def verify(
    declared: Mapping[str, Any],
    external: ExternalData,
    features: Mapping[str, Any],
    schema: Mapping[str, DeclaredFact],
    as_of: date,
    rules: VerificationRules,
    unverified: tuple[str, ...] = (),
    requested: Mapping[str, Any] | None = None,
    data_currency: str | None = None,
) -> Verification:
    """The verified, declared-only, contradicted and conservatively scored facts (module
    docstring). `features`: the model features as scored; `schema`: what may be declared
    (`declared.declared_schema`); `unverified`: the record facts the source did not give
    (`application.unverified_record_facts`); `requested`: the characteristics the request set
    (`loan_terms.request_features`); `data_currency`: the currency of the model's training data
    (spec ``training.currency``), the one the request's amounts are shown in."""
    requested = requested or {}
    facts = _gathered(external, features, as_of)
    contradicted = _contradictions(declared, facts, rules, schema)
    verified = []
    for source, values in facts.by_source.items():
        stamp = external.provenance[source].to_dict()
        for name, value in values.items():
            zh, en = FACT_LABELS.get(name) or _label(name, schema)
            row: dict[str, Any] = {"name": name, "zh": zh, "en": en, "value": value, **stamp}
            if declared.get(name) is not None:
                row.update(declared=declared[name], contradicts=name in contradicted)
            verified.append(row)
    seen = {row["name"] for row in verified}
    declared_only = tuple(
        {"name": k, "zh": _label(k, schema)[0], "en": _label(k, schema)[1], "value": v}
        for k, v in sorted(declared.items())
        if v is not None and k not in seen and k not in requested
    )
    from_request = tuple(
        {
            **_request_row(k, v, schema, data_currency),
            **({"declared": declared[k]} if declared.get(k) is not None else {}),
        }  # fmt: skip
        for k, v in sorted(requested.items())
    )
    conservative = tuple(
        {
            "name": k,
            "zh": _label(k, schema)[0],
            "en": _label(k, schema)[1],
            "declared": declared.get(k),
            "scored": features.get(k),
            "why_zh": "核验来源未提供此项，按最差取值评分（自报值不加分）",
            "why_en": "the record source did not verify it: scored at its worst value "
            "(a self-declared value earns no points)",
        }  # fmt: skip
        for k in unverified
    )
    contradictions = tuple(contradicted.values())
    return Verification(tuple(verified), declared_only, contradictions, conservative, from_request)
