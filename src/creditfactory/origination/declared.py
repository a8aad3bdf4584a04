"""What an applicant may declare, checked against the served model (pure).

The `declared` facts of an application are the characteristics of the served scorecard spec
(`ScorecardSpec.features`) plus three documented facts the model does not score but a wired
source verifies (`DOCUMENTED_FACTS`): 年销售额 `annual_sales` (invoices), 成立日期
`established_date` (registry) and 作为被告的诉讼及被执行案件数 `lawsuits_as_defendant` (courts).

`declared_schema(spec, wired)` lists them with their kind — ``numeric`` (JSON numbers only; no
"12" text, no true/false), ``categorical`` (text or an integer code, per the spec's bins) or
``date`` (``YYYY-MM-DD`` text) — and whether each is required: a model characteristic is
required unless a wired source computes it (the invoice features when invoices are wired).
A categorical value must be one of the spec's categories for it, compared by
`scoring.runtime.category_key` (case and extra spaces ignored, as in scoring): an unseen
category is refused, never scored on the unknown-category points, so misspelling the lender
cannot move an applicant out of a bad bin.
`check_declared` raises `InvalidField` naming ``declared.<name>`` for an unknown fact, a wrong
type, an out-of-range number or a required one missing, in that order. Numbers: JSON numbers
only (true/false, text, objects and arrays are refused, never coerced), finite, at most
`MAX_NUMBER` = 10¹² in magnitude (1 万亿: no small-business figure comes near; larger values,
e.g. 10**400, cannot be scored as floats), not negative for a count, amount or share
(`NON_NEGATIVE`), at most 1 for a share (`SHARES`) and a JSON integer for a count (`COUNTS`).

No answer (未作答) — one rule for null and for a category meaning "no answer": a "no answer" is
accepted only when it can gain nothing, i.e. scores no more points than the characteristic's
worst real answer (`scoring.runtime.gaining_no_answers`; stricter than "no more than the median":
a worst-bin applicant would gain by not answering). A "no answer" is null ("not known", scored on
the Missing bin) or a category the dataset adapter declares as meaning no answer in the training
data (`Characteristic.no_answer`, e.g. SBA RevLineCr ``unrecorded``, the data's stray codes 0 /
T). A gaining null is refused as "required" (as is an absent key); a gaining no-answer category
is refused naming the allowed answers. A tree model may take null. (SBA's Missing bins score the
characteristic's average contribution and RevLineCr ``unrecorded`` +7 against −16 for "N", both
above the worst real answer, so both are refused there.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from creditfactory.origination.errors import InvalidField
from creditfactory.scoring import ScorecardSpec
from creditfactory.scoring.features import INVOICE_FEATURES
from creditfactory.scoring.runtime import category_key, gaining_no_answers, known_categories

__all__ = [
    "DOCUMENTED_FACTS",
    "RECORD_FACTS",
    "DeclaredFact",
    "check_declared",
    "declared_schema",
    "verifying_source",
]

NUMERIC, CATEGORICAL, DATE = "numeric", "categorical", "date"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # not the ISO week or basic forms fromisoformat takes
MAX_NUMBER: Final = 10**12
"""Largest magnitude a declared number may have (1 万亿 CNY / units)."""
MAX_TEXT: Final = 64
"""Longest declared text (a category), in characters."""

SHARES: Final = frozenset({
    "Portion", "void_share_sales", "void_share_purchases", "negative_share_sales",
    "negative_share_purchases", "customer_hhi", "customer_top1_share", "supplier_hhi",
    "supplier_top1_share",
})  # fmt: skip
"""Characteristics that are shares of a whole, 0 ≤ x ≤ 1 (SBA `Portion` = SBA_Appv / GrAppv;
invoice shares and HHIs, `scoring.features.INVOICE_FEATURES`)."""

NON_NEGATIVE: Final = SHARES | frozenset(INVOICE_FEATURES).difference(
    # a fall in sales, a loss, the log of a volatility below 1: may be negative
    {"sales_growth_12m", "gross_margin_proxy", "log_sales_volatility"}
) | frozenset({
    "NoEmp", "CreateJob", "RetainedJob", "GrAppv", "SBA_Appv", "DisbursementGross", "UrbanRural",
    "annual_sales", "lawsuits_as_defendant",
})  # fmt: skip
"""Counts and amounts (SBA employee / job counts and dollar amounts, UrbanRural codes 0–2,
invoice counts, months, log sales and ratios, the documented facts): never negative."""

COUNTS: Final = frozenset({
    "NoEmp", "CreateJob", "RetainedJob", "UrbanRural", "lawsuits_as_defendant", "n_customers",
    "n_suppliers", "active_months_sales",
})  # fmt: skip
"""Whole numbers: staff and jobs (SBA NoEmp, CreateJob, RetainedJob), the UrbanRural code, cases
as defendant, customers, suppliers, months with sales. 1.5 employees is refused, never scored by
its bin (attack13: NoEmp 1.5 was accepted)."""


@dataclass(frozen=True, slots=True)
class DeclaredFact:
    """One fact an applicant may declare: `kind` numeric / categorical / date, labels in both
    languages, the source port that verifies it (None: declared only) and whether it is
    required for the served model."""

    name: str
    kind: str
    zh: str
    en: str
    verified_by: str | None = None
    required: bool = False
    nullable: bool = True
    categories: frozenset[str] = frozenset()
    """A categorical characteristic's known values as `scoring.runtime.category_key`s."""
    refused: frozenset[str] = frozenset()
    """Its known values that mean "no answer" and would score above the worst real answer."""
    answers: tuple[str, ...] = ()
    """Its real answers as the spec spells them (the categories that are not "no answer")."""


DOCUMENTED_FACTS: Final = (
    DeclaredFact("annual_sales", NUMERIC, "年销售额（元，不含税）", "annual sales (CNY, excl. VAT)",
                 "invoices"),
    DeclaredFact("established_date", DATE, "成立日期", "date of registration", "registry"),
    DeclaredFact("lawsuits_as_defendant", NUMERIC, "作为被告的诉讼及被执行案件数",
                 "lawsuits and enforcement cases as defendant", "courts"),
)  # fmt: skip
"""Declared facts outside the model, each verified by a source (docs/origination.md §7)."""


RECORD_FACTS: Final = frozenset({
    "NAICS", "NoEmp", "New", "CreateJob", "RetainedJob", "Franchise", "UrbanRural",
})  # fmt: skip
"""Applicant facts a record source verifies (port "registry", `ports.RegistryRecord.profile`):
the SBA applicant's industry, staff, new or existing business, jobs to create and retain,
franchise and area, under the names the SBA scorecard uses (scoring.training.datasets.sba_recode).
The loan's own terms (GrAppv, SBA_Appv, Portion, RevLineCr, LowDoc) are not applicant facts."""


def verifying_source(feature: str) -> str | None:
    """The source port that computes or verifies a model characteristic: "invoices" for the
    invoice features (`scoring.features.INVOICE_FEATURES`), "registry" for `RECORD_FACTS`, else
    None."""
    if feature in INVOICE_FEATURES:
        return "invoices"
    return "registry" if feature in RECORD_FACTS else None


def _kind(spec: ScorecardSpec, feature: str) -> DeclaredFact:
    """A characteristic's kind, whether null may be declared for it, its known categories, those
    refused as a gaining "no answer" and its real answers (module docstring); labels unset."""
    for ch in spec.characteristics:
        if ch.feature == feature:
            gains = gaining_no_answers(ch)
            answers = {c for b in ch.bins if b.kind == "normal" for c in b.categories}
            return DeclaredFact(
                feature, CATEGORICAL if ch.dtype == "categorical" else NUMERIC, "", "",
                nullable=None not in gains, categories=known_categories(ch),
                refused=frozenset(g for g in gains if g is not None),
                answers=tuple(sorted(answers - set(ch.no_answer))),
            )  # fmt: skip
    # raw logistic terms need a value; a tree model takes null
    return DeclaredFact(feature, NUMERIC, "", "", nullable=spec.model_type == "lightgbm")


def declared_schema(
    spec: ScorecardSpec, wired: Collection[str], from_request: Collection[str] = ()
) -> dict[str, DeclaredFact]:
    """Every fact that may be declared, by name: the spec's characteristics (required unless a
    source in `wired` computes them, or the request sets them: `from_request`, e.g.
    `loan_terms.REQUEST_FACTS` — declaring one is allowed and not scored), then
    `DOCUMENTED_FACTS` (never required)."""
    schema: dict[str, DeclaredFact] = {}
    for feature in spec.features:
        source = "request" if feature in from_request else verifying_source(feature)
        schema[feature] = replace(
            _kind(spec, feature),
            zh=spec.label(feature, "zh"),
            en=spec.label(feature, "en"),
            verified_by=source,
            required=source is None or source not in (*wired, "request"),
        )
    for fact in DOCUMENTED_FACTS:
        schema.setdefault(fact.name, fact)
    return schema


def _type_error(fact: DeclaredFact, value: object) -> str | None:
    """Why `value` does not fit `fact.kind`, or None."""
    if fact.kind == NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number (JSON number, not text, true/false, object or array)"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number (not NaN or Infinity)"
        if abs(value) > MAX_NUMBER:
            return f"must lie between -{MAX_NUMBER:,} and {MAX_NUMBER:,}"
        if fact.name in NON_NEGATIVE and value < 0:
            return "must not be negative"
        if fact.name in SHARES and value > 1:
            return "is a share: must lie between 0 and 1"
        if fact.name in COUNTS and not isinstance(value, int):
            return "must be a whole number (a count, e.g. 3 — not 1.5 or 3.0)"
        return None
    if fact.kind == CATEGORICAL:
        ok = isinstance(value, str | int) and not isinstance(value, bool)
        if not ok or (isinstance(value, int) and abs(value) > MAX_NUMBER):
            return "must be a category (text or an integer code)"
        if len(str(value)) > MAX_TEXT:
            return f"text longer than {MAX_TEXT} characters"
        if fact.categories and category_key(value) not in fact.categories:
            return (
                f"{str(value).strip()!r} is not a known value of {fact.en}: the served model "
                "has no category for it (compared ignoring case and extra spaces)"
            )
        if category_key(value) in fact.refused:
            return (
                f"{str(value).strip()!r} means no answer (unrecorded in the training data) and "
                f"would score above the worst real answer: answer one of {', '.join(fact.answers)}"
            )
        return None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return "must be a date YYYY-MM-DD"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "must be a real calendar date YYYY-MM-DD"
    return None


def check_declared(
    declared: Mapping[str, object], schema: Mapping[str, DeclaredFact], as_of: date
) -> None:
    """Check `declared` against `schema` (module docstring). raises InvalidField naming
    ``declared.<name>``: unknown facts first, then wrong types, then missing required ones."""
    for name in sorted(declared):
        if name not in schema:
            raise InvalidField(
                f"declared.{name}",
                "not a characteristic of the served model nor a documented declared fact "
                f"(expected one of: {', '.join(schema)})",
            )
    for name in sorted(declared):
        value = declared[name]
        problem = None if value is None else _type_error(schema[name], value)
        if problem is None and schema[name].kind == DATE and isinstance(value, str):
            problem = "must not be after today" if date.fromisoformat(value) > as_of else None
        if problem is not None:
            raise InvalidField(f"declared.{name}", problem)
    for fact in schema.values():
        if not fact.required:
            continue
        if fact.name not in declared:
            raise InvalidField(
                f"declared.{fact.name}",
                f"required: the served model scores {fact.en} and no wired source verifies it",
            )
        if declared[fact.name] is None and not fact.nullable:
            raise InvalidField(
                f"declared.{fact.name}",
                f"required: the served model cannot score {fact.en} unknown",
            )
