"""Limit sizing: the minimum of every cap, rounded down to the policy step.

    limit = min(score-based cap, working-capital need (DOMAIN.md §3.6),
                revenue cap (annual sales × revenue multiple, origination.limit_estimate),
                product maximum,
                普惠 cap 10 M CNY − existing credit (DOMAIN.md §2.1),
                concentration cap − existing exposure, requested amount)

Ties name the first cap in that order. A negative headroom counts as zero.

Exposure is booked principal plus the borrower's open offers (an offer can be taken up at will).
`exposure_breach` re-checks the two exposure caps when an offer is accepted (rule K11): the
exposure may have grown since the offer was sized.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR

from creditfactory.decisioning.policy import LimitRules
from creditfactory.kernel.money import Money

__all__ = ["LimitRequest", "LimitSizing", "exposure_breach", "floor_to_step", "size_limit"]


@dataclass(frozen=True, slots=True)
class LimitRequest:
    """What the limit is sized for; all CNY Money. working_capital_need None = not assessed;
    revenue_cap None = no revenue figure known (neither declared nor on invoices)."""

    pd_12m: float
    requested: Money
    working_capital_need: Money | None = None
    existing_credit: Money = Money.of(0)
    existing_exposure: Money = Money.of(0)
    revenue_cap: Money | None = None


@dataclass(frozen=True, slots=True)
class LimitSizing:
    """The limit, the binding cap's name and every cap that applied."""

    limit: Money
    binding: str
    caps: Mapping[str, Money]
    below_minimum: bool


def floor_to_step(amount: Money, step: Money) -> Money:
    """`amount` rounded down to a multiple of `step` (zero when not positive)."""
    if amount.amount <= 0:
        return Money.zero(amount.currency)
    units = (amount.amount / step.amount).to_integral_value(rounding=ROUND_FLOOR)
    return Money(units * step.amount, amount.currency)


def size_limit(request: LimitRequest, rules: LimitRules) -> LimitSizing:
    """Size the limit (see module docstring); `below_minimum` when under `rules.minimum`."""
    caps: dict[str, Money] = {"score": rules.score_cap(request.pd_12m)}
    if request.working_capital_need is not None:
        caps["working_capital_need"] = request.working_capital_need
    if request.revenue_cap is not None:
        caps["revenue_multiple"] = request.revenue_cap
    caps["product_max"] = rules.product_max
    caps["inclusive_cap"] = rules.inclusive_cap - request.existing_credit
    caps["concentration"] = rules.concentration_cap - request.existing_exposure
    caps["requested"] = request.requested
    binding = min(caps, key=lambda name: caps[name].amount)
    limit = floor_to_step(caps[binding], rules.rounding_step)
    return LimitSizing(limit, binding, caps, limit < rules.minimum)


def exposure_breach(amount: Money, existing: Money, rules: LimitRules) -> tuple[str, Money] | None:
    """The lowest exposure cap — 普惠 `inclusive_cap` or single-borrower `concentration` — that
    `amount` (CNY) on top of `existing` exposure would exceed, as (name, cap); None when both
    hold. Rule K11 (accepting an offer)."""
    caps = {"inclusive_cap": rules.inclusive_cap, "concentration": rules.concentration_cap}
    exceeded = {n: c for n, c in caps.items() if (existing + amount).amount > c.amount}
    if not exceeded:
        return None
    name = min(exceeded, key=lambda n: exceeded[n].amount)
    return name, exceeded[name]
