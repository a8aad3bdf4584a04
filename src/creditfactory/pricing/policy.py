"""Pricing policy and product terms as versioned data (business parameters, not settings).

The figures marked "policy" are a lender's own choices, set here to plausible values for a Chinese
城商行 / online SME lender and meant to be replaced by the lender's own; the others name a source.
Every offer records `PricingPolicy.version` and `ProductTerms.version`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Final

from creditfactory.kernel.rates import Rate
from creditfactory.pricing.capital import AssetClass
from creditfactory.pricing.errors import UnknownProduct

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_PRODUCT",
    "PRODUCTS",
    "CapitalApproach",
    "Method",
    "PricingPolicy",
    "ProductTerms",
    "product_terms",
]


class Method(str, Enum):
    """The four pricing methods."""

    RAROC = "raroc"
    COST_PLUS = "cost_plus"
    BASE_RATE_PLUS = "base_rate_plus"
    PROFITABILITY = "profitability"


class CapitalApproach(str, Enum):
    """How the capital behind a loan is measured."""

    IRB = "irb"
    STANDARDISED = "standardised"


@dataclass(frozen=True, slots=True)
class PricingPolicy:
    """Parameters every method shares. Rates are Decimal fractions a year; spreads in bp."""

    version: str
    effective_date: date
    binding_method: Method
    ftp_spread_bp: (
        int  # FTP = tenor-matched LPR + this (policy; LPR in FTP per the 2022 PBoC notice)
    )
    operating_cost_bp: Decimal  # direct operating cost per year, in bp of EAD (policy)
    tax_rate: Decimal  # 企业所得税 25 % (企业所得税法 Art. 4) on the pre-tax profit
    risk_free_rate: Decimal  # return on the capital held (DOMAIN.md §6.1) (policy)
    capital_ratio: Decimal  # 8 % total + 2.5 % conservation buffer = 10.5 % (DOMAIN.md §6.2 [U])
    hurdle_rate: Decimal  # cost of equity the RAROC must reach (policy)
    capital_approach: CapitalApproach
    asset_class: AssetClass  # IRB class for small-business loans managed as retail (Basel II ¶231)
    lpr_multiple_flag: (
        Decimal  # flag all-in rates above 4 × 1Y LPR (2020 民间借贷 interpretation [U])
    )
    all_in_ceiling: Rate  # refuse all-in rates above 24 %/yr (最高法 2017 [U])
    # LPR publishes monthly (the 20th, or the next business day): an as-of more than this many
    # business days past the next fixing after the series' last one is stale (`lpr.stale_after`)
    lpr_grace_business_days: int = 3


DEFAULT_POLICY: Final = PricingPolicy(
    version="pricing-policy-2026-12",
    effective_date=date(2026, 12, 1),
    binding_method=Method.RAROC,
    ftp_spread_bp=-100,
    operating_cost_bp=Decimal(100),
    tax_rate=Decimal("0.25"),
    risk_free_rate=Decimal("0.015"),
    capital_ratio=Decimal("0.105"),
    hurdle_rate=Decimal("0.12"),
    capital_approach=CapitalApproach.IRB,
    asset_class=AssetClass.OTHER_RETAIL,
    lpr_multiple_flag=Decimal(4),
    all_in_ceiling=Rate(Decimal("0.24")),
)


@dataclass(frozen=True, slots=True)
class ProductTerms:
    """A product's rate bounds and its default collateral."""

    code: str
    name_zh: str
    version: str
    floor: Rate
    cap: Rate
    collateral: str


# Floor 4 % and cap 15 %: the rate band of the bank in CUMCM 2020 Problem C ("年利率 4%–15%").
_FLOOR, _CAP = Rate(Decimal("0.04")), Rate(Decimal("0.15"))
PRODUCTS: Final[dict[str, ProductTerms]] = {
    p.code: p
    for p in (
        ProductTerms(
            "sme_working_capital", "小微企业流动资金贷款", "prod-2024-01", _FLOOR, _CAP, "unsecured"
        ),
        ProductTerms("invoice_loan", "税票贷", "prod-2024-01", _FLOOR, _CAP, "unsecured"),
        ProductTerms(
            "supply_chain_receivable", "应收账款融资", "prod-2024-01", _FLOOR, _CAP, "receivables"
        ),
        ProductTerms("sme_mortgage", "经营性抵押贷款", "prod-2024-01", _FLOOR, _CAP, "real_estate"),
    )
}
DEFAULT_PRODUCT: Final = "sme_working_capital"


def product_terms(code: str) -> ProductTerms:
    """The terms of product `code`; raises UnknownProduct."""
    try:
        return PRODUCTS[code]
    except KeyError:
        raise UnknownProduct(f"unknown product {code!r}; known: {', '.join(PRODUCTS)}") from None
