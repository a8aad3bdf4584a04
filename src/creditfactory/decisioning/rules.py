"""Decision tables: rows of (fact, operator, value) → reason, evaluated in plain Python.

A table is an ordered tuple of `Rule`s; every row whose condition holds is a *hit* (collect
policy, as a GoRules JDM table with hit policy "collect"). A fact that is None (unknown) never
satisfies a comparison — only `missing` fires on it — so a missing source cannot knock an
applicant out; the data-gap referral handles it instead. docs/rules-engine.md says why plain
tables were chosen over zen-engine.

Operators: eq, ne, lt, le, gt, ge (numbers or text), in, not_in (a list), is_true, is_false,
missing, nonempty (a non-empty list).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from creditfactory.decisioning.errors import PolicyInvalid

__all__ = ["OPERATORS", "Rule", "RuleHit", "evaluate_table"]


def _num(x: Any) -> Any:
    return (
        Decimal(str(x)) if isinstance(x, int | float | Decimal) and not isinstance(x, bool) else x
    )


def _cmp(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda fact, value: fact is not None and op(_num(fact), _num(value))


OPERATORS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "eq": _cmp(lambda a, b: a == b),
    "ne": _cmp(lambda a, b: a != b),
    "lt": _cmp(lambda a, b: a < b),
    "le": _cmp(lambda a, b: a <= b),
    "gt": _cmp(lambda a, b: a > b),
    "ge": _cmp(lambda a, b: a >= b),
    "in": lambda fact, value: fact is not None and fact in value,
    "not_in": lambda fact, value: fact is not None and fact not in value,
    "is_true": lambda fact, _v: fact is True,
    "is_false": lambda fact, _v: fact is False,
    "missing": lambda fact, _v: fact is None,
    "nonempty": lambda fact, _v: bool(fact),
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a decision table.

    rule_id: stable code ("K03") quoted in reasons and audit. fact: a `DecisionFacts` name.
    op: one of `OPERATORS`. value: the comparison value (number, text, list or None).
    reason_zh / reason_en: what the applicant and the officer read when the row fires.
    """

    rule_id: str
    fact: str
    op: str
    value: Any
    reason_zh: str
    reason_en: str

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise PolicyInvalid(f"{self.rule_id}.op: must be one of {', '.join(OPERATORS)}")
        if self.op in ("in", "not_in") and not isinstance(self.value, list | tuple | frozenset):
            raise PolicyInvalid(f"{self.rule_id}.value: '{self.op}' needs a list")

    def fires(self, facts: Mapping[str, Any]) -> bool:
        """True when the row's condition holds on `facts` (raises KeyError for an unknown fact)."""
        return OPERATORS[self.op](facts[self.fact], self.value)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A row that fired, with the fact value that made it fire."""

    rule: Rule
    value: Any


def evaluate_table(table: Sequence[Rule], facts: Mapping[str, Any]) -> list[RuleHit]:
    """Every row of `table` that fires on `facts`, in table order (collect hit policy)."""
    return [RuleHit(rule, facts[rule.fact]) for rule in table if rule.fires(facts)]
