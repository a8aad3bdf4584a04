"""Grade floors from monitoring: warning floors and the debtor contagion rule (DOMAIN.md §1).

- Warning floor: `WarningAssessment.grade_floor` (red → at least 关注; a live fund-diversion or
  失信被执行人 signal → at least 关注).
- Contagion (《商业银行金融资产风险分类办法》 2023, non-retail, debtor-centric): if more than 10 %
  of a debtor's claims at the bank are non-performing (次级/可疑/损失), all of its claims are
  non-performing → floor 次级 on every claim. "Claims" are measured by outstanding principal
  (Decimal yuan); the share is compared strictly (> 10 %).

The floors are applied by setting `Loan.grade_floor` (servicing): the next end-of-day takes
max(DPD floor, grade_floor) and posts the allowance change to the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from creditfactory.servicing.classification import LoanGrade

__all__ = ["CONTAGION_SHARE", "Claim", "contagion_floors", "non_performing_share", "target_floors"]

CONTAGION_SHARE: Final = Decimal("0.10")


@dataclass(frozen=True)
class Claim:
    """One claim on a debtor: loan id, current grade, outstanding principal (yuan)."""

    loan_id: str
    grade: LoanGrade
    outstanding: Decimal


def non_performing_share(claims: Iterable[Claim]) -> Decimal:
    """Non-performing outstanding / total outstanding (0 when nothing is outstanding)."""
    items = list(claims)
    total = sum((c.outstanding for c in items), Decimal(0))
    if total <= 0:
        return Decimal(0)
    bad = sum((c.outstanding for c in items if c.grade.non_performing), Decimal(0))
    return bad / total


def contagion_floors(
    claims: Iterable[Claim], share: Decimal = CONTAGION_SHARE
) -> dict[str, LoanGrade]:
    """次级 for every claim of a debtor whose non-performing share exceeds `share`; else PASS."""
    items = list(claims)
    floor = LoanGrade.SUBSTANDARD if non_performing_share(items) > share else LoanGrade.PASS
    return {c.loan_id: floor for c in items}


def target_floors(
    claims: Iterable[Claim], warning_floors: dict[str, LoanGrade]
) -> dict[str, LoanGrade]:
    """Per loan: the worst of its warning floor and the contagion floor of its debtor."""
    items = list(claims)
    contagion = contagion_floors(items)
    return {
        c.loan_id: contagion[c.loan_id].worst(warning_floors.get(c.loan_id, LoanGrade.PASS))
        for c in items
    }
