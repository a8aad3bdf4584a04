"""The credit policy as versioned data: knock-out and referral tables, limit and pricing inputs.

A policy is a JSON document (`policies/credit-policy-<version>.json`) a risk officer edits and
reviews like code: a new version is a new file, never an edit of a released one, and every
decision records `version` and the document's sha256 (`digest`). Shape:

    {"version": "credit-policy-2026.2", "effective_date": "2026-12-08",
     "supersedes": "credit-policy-2026.1",
     "changes": [{"what": "K07 pd_12m >= 0.30 -> 0.094", "reason": "…", "source": "…"}, …],
     "knockouts": [rule…], "referrals": [rule…],
     "limits": {"product_max": "3000000", "inclusive_cap": "10000000",
                "concentration_cap": "5000000", "minimum": "10000", "rounding_step": "1000",
                "no_revenue_ceiling": "300000",
                "score_caps": [{"pd_below": 0.02, "cap": "3000000"}, …]},
     "pricing": {"lgd": "0.45", "product": "sme_working_capital"},
     "verification": {"sales_tolerance": "0.20", "date_tolerance_days": 31}}

rule = {"id", "fact", "op", "value", "zh", "en"} (see `rules.Rule`). Amounts are CNY decimal
text. The 普惠 cap of 10 M CNY per borrower is DOMAIN.md §2.1 (金规〔2024〕11 号).
`changes` (optional, from 2026.2) says what changed from the version it `supersedes`, why, and
the data or rule it rests on: each entry needs all three, so a threshold never moves without
its reason. `no_revenue_ceiling` (optional): with no revenue figure at all (none declared, no
invoices) a limit above it is referred (rule R11, fact `revenue_unknown_above_ceiling`).
`verification` (optional; these defaults when absent) holds how far a declared value may
differ from the verified one before it counts as a contradiction (origination.verification).
`dataset` (optional): the data set of the models whose PDs the cut-offs were set for (a model
spec's `training.dataset`); a server starts with the newest bundled policy for the data set of
the spec it serves (`policy_for`), else `DEFAULT_POLICY`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, Final

from creditfactory.decisioning.errors import PolicyInvalid
from creditfactory.decisioning.rules import Rule
from creditfactory.kernel.money import Money

__all__ = [
    "BUNDLED_POLICIES",
    "DEFAULT_POLICY",
    "DecisionPolicy",
    "LimitRules",
    "PolicyChange",
    "ScoreCap",
    "VerificationRules",
    "load_policy",
    "policy_for",
]


@dataclass(frozen=True, slots=True)
class ScoreCap:
    """Score-based cap: an applicant whose pd_12m is below `pd_below` may borrow up to `cap`."""

    pd_below: float
    cap: Money


@dataclass(frozen=True, slots=True)
class LimitRules:
    """Limit sizing inputs (CNY). score_caps are ordered by pd_below ascending."""

    product_max: Money
    inclusive_cap: Money
    concentration_cap: Money
    minimum: Money
    rounding_step: Money
    score_caps: tuple[ScoreCap, ...]
    no_revenue_ceiling: Money | None = None

    def score_cap(self, pd_12m: float) -> Money:
        """The cap of the first band whose `pd_below` is above `pd_12m`; zero beyond the last."""
        for band in self.score_caps:
            if pd_12m < band.pd_below:
                return band.cap
        return Money.of(0)


@dataclass(frozen=True, slots=True)
class VerificationRules:
    """Tolerances of declared against verified facts: declared annual sales within
    ± `sales_tolerance` (fraction) of the invoices' sales; a declared registration date within
    `date_tolerance_days` of the registry's."""

    sales_tolerance: Decimal = Decimal("0.20")
    date_tolerance_days: int = 31


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """One change from the superseded version: `what` (rule or limit, old → new), `reason` and
    `source` (the data or rule it rests on), all text."""

    what: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """One released policy version; `digest` is the sha256 of its canonical JSON."""

    version: str
    effective_date: date
    knockouts: tuple[Rule, ...]
    referrals: tuple[Rule, ...]
    limits: LimitRules
    lgd: Decimal
    pricing_product: str
    digest: str
    verification: VerificationRules = VerificationRules()
    supersedes: str | None = None
    changes: tuple[PolicyChange, ...] = ()
    dataset: str | None = None


def _get(doc: dict[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise PolicyInvalid(f"{where}{key}: required")
    return doc[key]


def _money(doc: dict[str, Any], key: str) -> Money:
    try:
        return Money.of(str(_get(doc, key, "limits.")))
    except (InvalidOperation, ValueError) as exc:
        raise PolicyInvalid(f"limits.{key}: must be a decimal amount") from exc


def _rules(rows: Any, table: str) -> tuple[Rule, ...]:
    if not isinstance(rows, list):
        raise PolicyInvalid(f"{table}: must be a list of rules")
    rules = []
    for i, row in enumerate(rows):
        where = f"{table}[{i}]."
        value = row.get("value")
        rules.append(
            Rule(
                rule_id=str(_get(row, "id", where)),
                fact=str(_get(row, "fact", where)),
                op=str(_get(row, "op", where)),
                value=tuple(value) if isinstance(value, list) else value,
                reason_zh=str(_get(row, "zh", where)),
                reason_en=str(_get(row, "en", where)),
            )
        )
    ids = [r.rule_id for r in rules]
    if len(set(ids)) != len(ids):
        raise PolicyInvalid(f"{table}: rule ids must be unique")
    return tuple(rules)


def _limits(doc: dict[str, Any]) -> LimitRules:
    bands = tuple(
        ScoreCap(float(b["pd_below"]), Money.of(str(b["cap"])))
        for b in _get(doc, "score_caps", "limits.")
    )
    if [b.pd_below for b in bands] != sorted(b.pd_below for b in bands):
        raise PolicyInvalid("limits.score_caps: pd_below must ascend")
    return LimitRules(
        product_max=_money(doc, "product_max"),
        inclusive_cap=_money(doc, "inclusive_cap"),
        concentration_cap=_money(doc, "concentration_cap"),
        minimum=_money(doc, "minimum"),
        rounding_step=_money(doc, "rounding_step"),
        score_caps=bands,
        no_revenue_ceiling=_money(doc, "no_revenue_ceiling")
        if "no_revenue_ceiling" in doc
        else None,
    )


def _changes(rows: Any) -> tuple[PolicyChange, ...]:
    if not isinstance(rows, list):
        raise PolicyInvalid("changes: must be a list")
    out = []
    for i, row in enumerate(rows):
        texts: list[str] = []
        for key in ("what", "reason", "source"):
            text = row.get(key) if isinstance(row, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise PolicyInvalid(f"changes[{i}].{key}: required text")
            texts.append(text)
        out.append(PolicyChange(*texts))
    return tuple(out)


def _verification(doc: Any) -> VerificationRules:
    if doc is None:
        return VerificationRules()
    try:
        rules = VerificationRules(
            Decimal(str(_get(doc, "sales_tolerance", "verification."))),
            int(_get(doc, "date_tolerance_days", "verification.")),
        )
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise PolicyInvalid(
            "verification: sales_tolerance and date_tolerance_days are numbers"
        ) from exc
    if not (0 <= rules.sales_tolerance < 1 and rules.date_tolerance_days >= 0):
        raise PolicyInvalid("verification.sales_tolerance: in [0, 1); date_tolerance_days ≥ 0")
    return rules


def load_policy(text: str) -> DecisionPolicy:
    """Parse a policy document (JSON text). raises PolicyInvalid naming the path."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyInvalid(f"policy: not JSON ({exc.msg})") from exc
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    pricing = _get(doc, "pricing", "")
    return DecisionPolicy(
        version=str(_get(doc, "version", "")),
        effective_date=date.fromisoformat(_get(doc, "effective_date", "")),
        knockouts=_rules(_get(doc, "knockouts", ""), "knockouts"),
        referrals=_rules(_get(doc, "referrals", ""), "referrals"),
        limits=_limits(_get(doc, "limits", "")),
        lgd=Decimal(str(_get(pricing, "lgd", "pricing."))),
        pricing_product=str(_get(pricing, "product", "pricing.")),
        digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        verification=_verification(doc.get("verification")),
        supersedes=doc.get("supersedes"),
        changes=_changes(doc.get("changes", [])),
        dataset=_dataset(doc.get("dataset")),
    )


def _dataset(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise PolicyInvalid("dataset: a data set name (text) when present")
    return value


def _bundled(name: str) -> str:
    return (resources.files("creditfactory.decisioning") / "policies" / name).read_text("utf-8")


BUNDLED_POLICIES: Final = {
    policy.version: policy
    for policy in (
        load_policy(_bundled(f"{v}.json"))
        for v in (
            "credit-policy-2024.1",
            "credit-policy-2026.1",
            "credit-policy-2026.2",
            "credit-policy-cumcm-2026.1",
            "credit-policy-sba-2026.1",
        )
    )
}
"""Every released policy shipped with the code, by version (a replay finds old decisions' policy)."""

DEFAULT_POLICY: Final = BUNDLED_POLICIES["credit-policy-2026.2"]
"""The policy new decisions use (see docs/credit-factory.md). 2026.1 added R08: refer when the
LPR priced on is stale, R09: refer when a declaration contradicts verified data, K10: decline
when the registry holds no record of the USCC, R10: refer when the applicant's name differs from
the registry record's (issue 12). 2026.2 re-sets the PD cut-offs for 12-month PDs converted over
the reference loan life (K07 0.094, R02 0.075) and adds R11 (no revenue figure, limit above
300,000 → refer); its `changes` give each reason and source. Models of a data set with its own
policy (`dataset`) start with that one instead (`policy_for`)."""


def policy_for(dataset: str | None) -> DecisionPolicy:
    """The policy a server serving a model of `dataset` starts with: the bundled policy set for
    that data set (the newest by effective date, then version), else `DEFAULT_POLICY` (CUMCM
    2020 C: credit-policy-cumcm-2026.1, cut-offs set on its own out-of-fold PDs; SBA case:
    credit-policy-sba-2026.1, cut-offs set on the refit model's PDs over the training half)."""
    own = [p for p in BUNDLED_POLICIES.values() if dataset is not None and p.dataset == dataset]
    return max(own, key=lambda p: (p.effective_date, p.version)) if own else DEFAULT_POLICY
