"""An approver's override (人工调整) of a referred application's terms, within bounds (pure).

When a credit approver (审批人) confirms a loan officer's recommendation to approve a referral,
they may change the amount, the term or the rate of the offer, with a reason. Maker-checker
still holds — the approver is never the maker (`access.maker_checker`) — and no override leaves
the bounds no officer may lift:

- amount: at least the policy's minimum loan (`limits.minimum`), at most the requested amount
  (a lender does not lend more than asked), the policy's product maximum (`limits.product_max`),
  the booked product's maximum principal, and the exposure caps on top of what the borrower
  already holds (普惠 `inclusive_cap`, single-borrower `concentration_cap`: rule K11). The
  score-based cap is what an override may lift: that is the judgement the four eyes are for.
- term: 1 to the booked product's maximum term in months (the same bound as the intake's).
- rate: within the pricing product's floor and cap (`pricing.policy.ProductTerms`: 4 %–15 %
  a year for 小微企业流动资金贷款), a yearly fraction.
- reason: words, 1–500 characters after trimming.

Errors are `ValidationError`s naming the field (``override.amount``, ``override.term_months``,
``override.annual_rate``, ``override.reason``) and the bound, so a page or the API answers 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from creditfactory.decisioning.decision import Reason
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money

__all__ = ["Override", "OverrideBounds", "check_override", "override_reason"]

REASON_MAX = 500


@dataclass(frozen=True, slots=True)
class OverrideBounds:
    """What an override may set. Amounts CNY; rates yearly fractions; months."""

    minimum: Money
    maximum: Money
    max_term_months: int
    rate_floor: Decimal
    rate_cap: Decimal

    def to_dict(self) -> dict[str, str | int]:
        """JSON-ready (amounts and rates as decimal text) for a page's hints."""
        return {"minimum": str(self.minimum.amount), "maximum": str(self.maximum.amount),
                "max_term_months": self.max_term_months, "rate_floor": str(self.rate_floor),
                "rate_cap": str(self.rate_cap)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Override:
    """The terms an approver sets; None keeps the referred decision's figure."""

    reason: str
    amount: Money | None = None
    term_months: int | None = None
    annual_rate: Decimal | None = None

    @property
    def changes_anything(self) -> bool:
        """True when at least one term is set."""
        return any(v is not None for v in (self.amount, self.term_months, self.annual_rate))


def check_override(override: Override, bounds: OverrideBounds) -> None:
    """raises ValidationError naming the first term outside `bounds` (module docstring), or
    ``override`` when nothing is changed."""
    reason = override.reason.strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise ValidationError("override.reason", f"a reason in words, 1 to {REASON_MAX} characters")
    if not override.changes_anything:
        raise ValidationError("override", "set the amount, the term or the rate")
    amount = override.amount
    if amount is not None and not bounds.minimum <= amount <= bounds.maximum:
        raise ValidationError("override.amount", f"{bounds.minimum.amount} to "
                              f"{bounds.maximum.amount} CNY")  # fmt: skip
    term = override.term_months
    if term is not None and not 1 <= term <= bounds.max_term_months:
        raise ValidationError("override.term_months", f"1 to {bounds.max_term_months} months")
    rate = override.annual_rate
    if rate is not None and not bounds.rate_floor <= rate <= bounds.rate_cap:
        raise ValidationError("override.annual_rate", f"a yearly fraction from "
                              f"{bounds.rate_floor} to {bounds.rate_cap}")  # fmt: skip


def override_reason(changes: dict[str, dict[str, Any]], why: str, maker: str,
                    checker: str) -> Reason:  # fmt: skip
    """The reason an override adds to the decision record: each change "from → to" and the
    approver's words; who in the detail. `changes`: term → {"from": …, "to": …} (text)."""
    text = ", ".join(f"{k} {v['from']} → {v['to']}" for k, v in sorted(changes.items()))
    words = why.strip()
    return Reason("OVERRIDE", "officer", f"审批人调整（{text}）：{words}",
                  f"changed by the approver ({text}): {words}",
                  {"maker": maker, "checker": checker, "changes": changes, "reason": words})  # fmt: skip
