"""Repayment allocation: which dues a payment settles first, as data.

An `AllocationOrder` names the component order. Allocation runs component by component across all
due installments, oldest installment first within a component — the Chinese bank rule
"先罚息、复利，再利息，后本金" (penalty and compound interest, then interest, then principal).
Allocation never pays more than is due on any component; what is left is returned as the excess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

__all__ = ["AllocationOrder", "Due", "allocate"]


class AllocationOrder(str, Enum):
    """Named like Fineract's repayment processors."""

    PENALTY_INTEREST_PRINCIPAL = "penalty_interest_principal"  # default: 罚息 → 利息 → 本金
    INTEREST_PRINCIPAL_PENALTY = "interest_principal_penalty"
    PRINCIPAL_INTEREST_PENALTY = "principal_interest_penalty"

    @property
    def components(self) -> tuple[str, str, str]:
        """The component order."""
        a, b, c = self.value.split("_")
        return a, b, c


@dataclass(frozen=True, slots=True)
class Due:
    """An amount due: `key` identifies it (installment seq or "loan"), `component` is
    penalty / interest / principal; `amount` in currency units (Decimal, 0.01)."""

    key: str
    component: str
    amount: Decimal


def allocate(
    payment: Decimal, dues: list[Due], order: AllocationOrder
) -> tuple[list[Due], Decimal]:
    """Split `payment` over `dues`.

    dues: in age order (oldest first); penalty dues may carry key "loan".
    returns: (paid parts as Due, excess left over).
    """
    rank = {c: i for i, c in enumerate(order.components)}
    ordered = sorted(enumerate(dues), key=lambda item: (rank[item[1].component], item[0]))
    paid: list[Due] = []
    left = payment
    for _, due in ordered:
        if left <= 0:
            break
        part = min(left, due.amount)
        if part > 0:
            paid.append(Due(due.key, due.component, part))
            left -= part
    return paid, left
