"""Risk appetite (风险偏好) for a portfolio allocation, as versioned data (a dated parameter set).

The figures are a lender's own choices — set here to plausible values for the CUMCM 2020 C bank and
meant to be replaced by the risk committee's — except the per-borrower band 10万–100万 CNY, which
is the problem statement's ("对确定要放贷企业的贷款额度为10~100万元"). Every allocation report
prints `RiskAppetite.version` and its parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Final

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money

__all__ = ["CUMCM_APPETITE", "CUMCM_APPETITE_2020_01", "RiskAppetite"]


@dataclass(frozen=True, slots=True)
class RiskAppetite:
    """The limits an allocation must respect; money in one currency, shares as Decimal fractions.

    - `budget`: total amount lent (总预算).
    - `el_budget`: expected loss a year the book may carry, Σ amount × PD(12m) × LGD (预期损失预算).
    - `grade_caps`: per masterscale grade, the largest share of `budget` lent to it; a grade not
      listed is not lent to (等级限额).
    - `min_amount` / `max_amount`: per-borrower band; a firm is lent 0 or an amount in the band,
      never above its approved limit (单户限额).
    - `hurdle`: the RAROC each loan must reach at its offered rate (RAROC 门槛).

    raises ValidationError naming the field for a negative amount, min > max, a share outside
    [0, 1], a hurdle < 0 or currencies that differ.
    """

    version: str
    effective_date: date
    budget: Money
    el_budget: Money
    min_amount: Money
    max_amount: Money
    hurdle: Decimal
    grade_caps: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("budget", "el_budget", "min_amount", "max_amount"):
            value: Money = getattr(self, name)
            if value.amount < 0:
                raise ValidationError(name, f"must be >= 0, got {value}")
            if value.currency != self.budget.currency:
                raise ValidationError(name, f"currency {value.currency} ≠ {self.budget.currency}")
        if self.min_amount > self.max_amount:
            raise ValidationError("min_amount", "must not exceed max_amount")
        if self.hurdle < 0:
            raise ValidationError("hurdle", f"must be >= 0, got {self.hurdle}")
        for grade, share in self.grade_caps.items():
            if not 0 <= share <= 1:
                raise ValidationError("grade_caps", f"{grade}: share must be in [0, 1]")

    def grade_cap(self, grade: str) -> Money:
        """The most `grade` may be lent: its share × budget (0 for a grade not listed)."""
        return self.budget * self.grade_caps.get(grade, Decimal(0))

    def with_budget(self, budget: Money) -> RiskAppetite:
        """The same appetite for another budget, the EL budget scaled in proportion."""
        if self.budget.is_zero() or budget == self.budget:
            return replace(self, budget=budget)
        return replace(
            self, budget=budget, el_budget=self.el_budget * (budget.amount / self.budget.amount)
        )

    def with_el_budget(self, el_budget: Money) -> RiskAppetite:
        """The same appetite with another EL budget (the efficient frontier varies it)."""
        return replace(self, el_budget=el_budget)


# The 1 亿 allocation of CUMCM 2020 C problem 2, as of the data's end. EL budget 1.2 % of the
# budget a year; grade caps fall with risk; R8–R9 are outside the appetite. Policy choices, made
# for the SBA-scale PDs of credit-policy-2026.2 (kept for replay; superseded below).
CUMCM_APPETITE_2020_01: Final = RiskAppetite(
    version="risk-appetite-cumcm-2020-01",
    effective_date=date(2020, 1, 1),
    budget=Money.of(100_000_000),
    el_budget=Money.of(1_200_000),
    min_amount=Money.of(100_000),
    max_amount=Money.of(1_000_000),
    hurdle=Decimal("0.12"),
    grade_caps={
        "R1": Decimal(1),
        "R2": Decimal(1),
        "R3": Decimal(1),
        "R4": Decimal("0.60"),
        "R5": Decimal("0.35"),
        "R6": Decimal("0.15"),
        "R7": Decimal("0.05"),
    },
)

CUMCM_APPETITE: Final = RiskAppetite(
    version="risk-appetite-cumcm-2026-12",
    effective_date=date(2026, 12, 8),
    budget=Money.of(100_000_000),
    el_budget=Money.of(2_500_000),
    min_amount=Money.of(100_000),
    max_amount=Money.of(1_000_000),
    hurdle=Decimal("0.12"),
    grade_caps={"R5": Decimal(1), "R6": Decimal("0.90"), "R7": Decimal("0.20")},
)
"""The risk appetite for the invoice flow on CUMCM 2020 C, set for that data set's PDs (beside
credit-policy-cumcm-2026.1; rationale in docs/pricing.md "Risk appetite for the invoice flow"):

- RAROC ≥ 12 % per loan at its offered rate: the pricing policy's hurdle (cost of equity).
- EL budget 2.5 % of the budget a year (2,500,000 of 1 亿): out of fold, the rated firms below
  the policy's referral cut-off (PD 0.16) defaulted at 5.2 %, so a fully lent book of such firms
  expects 5.2 % × LGD 0.45 = 2.34 % a year; 2.5 % carries that with a little headroom and stops
  a book tilted to R7. The model's PD floor is 3.96 % (the Laplace default rate of firms rated
  A–C): no book carries less than 0.0396 × 0.45 = 1.78 %.
- Grade caps (share of the budget): R5 100 % (the floor: the best the model can say), R6 90 %,
  R7 20 % (PD 8–16 %: EL 3.6–7.2 % per yuan, at most a fifth of the book); R8 and worse 0 —
  referred by the policy's R02 (PD ≥ 0.16) or declined by its K07 (PD ≥ 0.20).
- Per borrower 0 or 10万–100万 CNY: the problem statement's band.

The 2020-01 version's caps (R5 35 %, R6 15 %) and 1.2 % EL budget were written for PDs that
reached R1–R4; on CUMCM's calibrated PDs (floor 3.96 %: R5 at best) they capped the book at
18,000,000 CNY."""
