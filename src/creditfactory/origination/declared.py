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
(`NON_NEGATIVE`) and at most 1 for a share (`SHARES`). A required characteristic may be declared null
("not known") only when declaring it can gain nothing: a scorecard characteristic whose Missing
bin scores no more points than its worst populated bin (stricter than "no more than the median":
a worst-bin applicant would gain by not knowing), or a tree model; otherwise null is refused
("required"), as is an absent key. (SBA's Missing bins score the characteristic's average
contribution, above its worst populated bin, so null is refused there.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from creditfactory.origination.errors import InvalidField
from creditfactory.scoring import ScorecardSpec
from creditfactory.scoring.features import INVOICE_FEATURES
from creditfactory.scoring.runtime import category_key, known_categories

__all__ = [
    "DOCUMENTED_FACTS",
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


DOCUMENTED_FACTS: Final = (
    DeclaredFact("annual_sales", NUMERIC, "年销售额（元，不含税）", "annual sales (CNY, excl. VAT)",
                 "invoices"),
    DeclaredFact("established_date", DATE, "成立日期", "date of registration", "registry"),
    DeclaredFact("lawsuits_as_defendant", NUMERIC, "作为被告的诉讼及被执行案件数",
                 "lawsuits and enforcement cases as defendant", "courts"),
)  # fmt: skip
"""Declared facts outside the model, each verified by a source (docs/origination.md §7)."""


def verifying_source(feature: str) -> str | None:
    """The source port that computes a model characteristic: "invoices" for the invoice
    features (`scoring.features.INVOICE_FEATURES`), else None."""
    return "invoices" if feature in INVOICE_FEATURES else None


def _kind(spec: ScorecardSpec, feature: str) -> tuple[str, bool, frozenset[str]]:
    """The kind of a characteristic, whether null may be declared for it (module docstring:
    its Missing bin scores no more than its worst populated bin) and its known categories."""
    for ch in spec.characteristics:
        if ch.feature == feature:
            kind = CATEGORICAL if ch.dtype == "categorical" else NUMERIC
            worst = min((b.points for b in ch.bins if b.kind == "normal"), default=0.0)
            missing = [b.points for b in ch.bins if b.kind == "missing"]
            return kind, bool(missing) and missing[0] <= worst, known_categories(ch)
    return NUMERIC, spec.model_type == "lightgbm", frozenset()  # raw logistic terms need a value


def declared_schema(spec: ScorecardSpec, wired: Collection[str]) -> dict[str, DeclaredFact]:
    """Every fact that may be declared, by name: the spec's characteristics (required unless a
    source in `wired` computes them), then `DOCUMENTED_FACTS` (never required)."""
    schema: dict[str, DeclaredFact] = {}
    for feature in spec.features:
        source = verifying_source(feature)
        kind, nullable, categories = _kind(spec, feature)
        schema[feature] = DeclaredFact(
            feature, kind, spec.label(feature, "zh"), spec.label(feature, "en"), source,
            required=source is None or source not in wired, nullable=nullable,
            categories=categories,
        )  # fmt: skip
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
        if fact.name == "lawsuits_as_defendant" and not isinstance(value, int):
            return "must be a whole number"
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
