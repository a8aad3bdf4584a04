"""The per-year economics of one loan, shared by every method: LPR, FTP, costs, EL, capital.

All rates are Decimal fractions of EAD a year. `capital_rate` = capital / EAD = RW × capital ratio.
Sources: DOMAIN.md §3.1 (LPR), §6.1 (RAROC terms), §6.2 (capital); `capital.py` for the risk weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.capital import (
    AssetClass,
    StandardisedExposure,
    irb_risk_weight,
    standardised_risk_weight,
)
from creditfactory.pricing.lpr import (
    LPRFixing,
    LPRSeries,
    LPRTenor,
    default_lpr_series,
    tenor_for_term,
)
from creditfactory.pricing.policy import (
    DEFAULT_POLICY,
    CapitalApproach,
    PricingPolicy,
    ProductTerms,
    product_terms,
)
from creditfactory.pricing.quote import PricingRequest

__all__ = ["LoanEconomics", "assess"]

_MONTHS = Decimal(12)


@dataclass(frozen=True, slots=True)
class LoanEconomics:
    """Everything a method needs about one loan, as annual fractions of EAD."""

    request: PricingRequest
    policy: PricingPolicy
    product: ProductTerms
    tenor: LPRTenor
    lpr_fixing: LPRFixing
    lpr: Rate
    lpr_1y: Rate
    ftp: Rate
    operating_cost_rate: Decimal
    el_rate: Decimal
    risk_weight: Decimal
    capital_basis: str
    capital_rate: Decimal
    fee_rate: Decimal
    relationship_rate: Decimal

    @property
    def expected_loss(self) -> Money:
        """EL = PD × LGD × EAD a year (unrounded)."""
        return self.request.ead * self.el_rate

    @property
    def capital(self) -> Money:
        """Capital = RW × capital ratio × EAD (unrounded)."""
        return self.request.ead * self.capital_rate

    @property
    def other_revenue_rate(self) -> Decimal:
        """Non-interest revenue a year per unit of EAD: the loan's fees plus the relationship's."""
        return self.fee_rate + self.relationship_rate


def assess(
    request: PricingRequest,
    policy: PricingPolicy = DEFAULT_POLICY,
    series: LPRSeries | None = None,
) -> LoanEconomics:
    """Build the loan's economics under `policy` at `request.as_of`.

    raises ValidationError("as_of", …) before the LPR series; UnknownProduct for an unknown product.
    """
    fixing = (series or default_lpr_series()).fixing_on(request.as_of)
    tenor = tenor_for_term(request.term_months)
    lpr = fixing.rate(tenor)
    risk_weight, basis = _risk_weight(request, policy)
    relationship = request.relationship
    relationship_rate = (
        Decimal(0)
        if relationship is None
        else relationship.annual_revenue().amount / request.ead.amount
    )
    return LoanEconomics(
        request=request,
        policy=policy,
        product=product_terms(request.product),
        tenor=tenor,
        lpr_fixing=fixing,
        lpr=lpr,
        lpr_1y=fixing.one_year,
        ftp=lpr.plus_bp(policy.ftp_spread_bp),
        operating_cost_rate=policy.operating_cost_bp / 10_000,
        el_rate=request.pd_12m * request.lgd,
        risk_weight=risk_weight,
        capital_basis=basis,
        capital_rate=risk_weight * policy.capital_ratio,
        fee_rate=request.fee_rate,
        relationship_rate=relationship_rate,
    )


def _risk_weight(request: PricingRequest, policy: PricingPolicy) -> tuple[Decimal, str]:
    if policy.capital_approach is CapitalApproach.STANDARDISED:
        exposure = request.standardised or StandardisedExposure(request.ead)
        weight = standardised_risk_weight(exposure)
        return weight.risk_weight, f"standardised {weight.exposure_class}: {weight.reason}"
    maturity = Decimal(request.term_months) / _MONTHS
    klass = policy.asset_class
    turnover = request.turnover_meur if klass is AssetClass.CORPORATE else None
    rw = irb_risk_weight(request.pd_12m, request.lgd, klass, maturity, turnover)
    return rw, f"IRB {klass.value} (Basel II ¶272–273/328–330, no 1.06 scaling)"
