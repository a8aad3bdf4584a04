"""What pricing takes and gives: the request, the relationship, and a decomposed quote.

A `Quote` is an annual rate with named components in basis points that sum to it exactly
(`sum(c.bp) == annual_rate.in_bp()`); rounding to whole bp happens only when an offer is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import BP, Rate
from creditfactory.pricing.capital import StandardisedExposure
from creditfactory.pricing.loss import fraction, non_negative_money
from creditfactory.pricing.policy import DEFAULT_PRODUCT, Method

__all__ = ["MAX_EAD", "Component", "PricingRequest", "Quote", "Relationship"]

_ZERO = Decimal(0)
# The largest exposure priced (policy): far above any SME loan, and small enough that every
# figure derived from it stays exact in Decimal's default 28-digit context.
MAX_EAD = Decimal(10) ** 12


@dataclass(frozen=True, slots=True)
class Relationship:
    """Annual relationship revenue the customer brings besides the loan (all Money a year).

    deposit_balance × deposit_margin is the deposit NIM the bank earns on the customer's average
    balance; settlement_revenue and fee_revenue are the year's 结算 and fee income.
    """

    deposit_balance: Money
    deposit_margin: Decimal
    settlement_revenue: Money
    fee_revenue: Money

    def annual_revenue(self) -> Money:
        """Total relationship revenue a year."""
        deposits = self.deposit_balance * self.deposit_margin
        return deposits + self.settlement_revenue + self.fee_revenue


@dataclass(frozen=True, slots=True)
class PricingRequest:
    """One loan to price.

    pd_12m, lgd: fractions in [0, 1] (a float PD is read through its repr).
    ead: Money, 0 < ead <= MAX_EAD (1e12). term_months: >= 1. as_of: pricing date (LPR lookup; not before 2019-08-20).
    fee_rate: the loan's own fees a year as a fraction of EAD (counted in revenue and the all-in rate).
    turnover_meur: annual sales in € m (corporate IRB SME adjustment only).
    raises ValidationError naming the field for any bad value.
    """

    pd_12m: Decimal
    lgd: Decimal
    ead: Money
    term_months: int
    as_of: date
    product: str = DEFAULT_PRODUCT
    fee_rate: Decimal = _ZERO
    relationship: Relationship | None = None
    turnover_meur: Decimal | None = None
    standardised: StandardisedExposure | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pd_12m", fraction(self.pd_12m, "pd_12m"))
        object.__setattr__(self, "lgd", fraction(self.lgd, "lgd"))
        if non_negative_money(self.ead, "ead").is_zero():
            raise ValidationError("ead", "must be > 0")
        if self.ead.amount > MAX_EAD:
            raise ValidationError("ead", f"must be <= {MAX_EAD:f}, got {self.ead.amount}")
        if self.term_months < 1:
            raise ValidationError("term_months", f"must be >= 1, got {self.term_months}")
        if self.fee_rate < 0:
            raise ValidationError("fee_rate", f"must be >= 0, got {self.fee_rate}")


@dataclass(frozen=True, slots=True)
class Component:
    """One named part of a rate, in basis points a year (may be negative, e.g. a credit)."""

    name: str
    bp: Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    """A method's rate and its decomposition; `annual_rate` equals the components' sum."""

    method: Method
    components: tuple[Component, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def total_bp(self) -> Decimal:
        """Sum of the components in bp."""
        return sum((c.bp for c in self.components), _ZERO)

    @property
    def annual_rate(self) -> Rate:
        """The rate the components add up to (floored at 0)."""
        return Rate(max(_ZERO, self.total_bp * BP))

    def component(self, name: str) -> Decimal:
        """The bp of the component called `name` (0 when absent)."""
        return next((c.bp for c in self.components if c.name == name), _ZERO)
