"""Regulatory capital: standardised risk weights, the Basel IRB risk-weight function, capital.

IRB (BCBS, Basel II June 2006 para 272–273 corporate with the SME firm-size adjustment, 328
residential mortgage, 329 QRRE, 330 other retail; BCBS "An Explanatory Note on the Basel II IRB Risk
Weight Functions", July 2005):

    corporate   w = (1 − e^(−50·PD)) / (1 − e^(−50));  R = 0.12·w + 0.24·(1 − w)
                SME (S = turnover in €m, clamped to [5, 50], only when S < 50): R −= 0.04·(1 − (S − 5)/45)
                b = (0.11852 − 0.05478·ln PD)²;  maturity factor = (1 + (M − 2.5)·b) / (1 − 1.5·b)
    other_retail w = (1 − e^(−35·PD)) / (1 − e^(−35));  R = 0.03·w + 0.16·(1 − w)
    qrre        R = 0.04          residential_mortgage  R = 0.15     (retail: no maturity factor)
    K  = [LGD·N((G(PD) + √R·G(0.999)) / √(1 − R)) − PD·LGD] × maturity factor;   RW = 12.5·K

N and G are `statistics.NormalDist()` cdf / inv_cdf (floats: the normal distribution is not money).
The 1.06 scaling factor of Basel II is not applied (the published Annex 5 tables omit it; Basel III
removed it). Checked against every cell of `../shared/cases/basel_irb_risk_weights.json`.

Standardised (DOMAIN.md §6.2): regulatory retail 75 % when orientation, product, granularity
(≤ 0.2 % of the regulatory retail portfolio, Basel II ¶70 [C]) and low value (per-counterparty cap) hold;
SME corporate 85 % (annual revenue ≤ 300 m CNY [P]); otherwise corporate 100 %.
Capital = RW × capital ratio × EAD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from statistics import NormalDist
from typing import Final

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import CNY, Money
from creditfactory.pricing.loss import fraction, non_negative_money

__all__ = [
    "AssetClass",
    "RULES_CN_2024",
    "StandardisedExposure",
    "StandardisedRules",
    "StandardisedWeight",
    "capital_requirement",
    "irb_risk_weight",
    "standardised_risk_weight",
]

_NORMAL = NormalDist()
_G_999 = _NORMAL.inv_cdf(0.999)
_SME_S_MIN, _SME_S_MAX = 5.0, 50.0
_M_MIN, _M_MAX = 1.0, 5.0  # Basel II para 320: effective maturity floored at 1, capped at 5 years
_RW_PLACES = Decimal("1e-12")


class AssetClass(str, Enum):
    """IRB asset classes with their own correlation function."""

    CORPORATE = "corporate"
    OTHER_RETAIL = "other_retail"
    QRRE = "qrre"
    RESIDENTIAL_MORTGAGE = "residential_mortgage"


def _correlation(pd: float, asset_class: AssetClass, turnover_meur: float | None) -> float:
    if asset_class is AssetClass.QRRE:
        return 0.04
    if asset_class is AssetClass.RESIDENTIAL_MORTGAGE:
        return 0.15
    if asset_class is AssetClass.OTHER_RETAIL:
        w = (1 - math.exp(-35 * pd)) / (1 - math.exp(-35))
        return 0.03 * w + 0.16 * (1 - w)
    w = (1 - math.exp(-50 * pd)) / (1 - math.exp(-50))
    r = 0.12 * w + 0.24 * (1 - w)
    if turnover_meur is not None and turnover_meur < _SME_S_MAX:
        s = min(max(turnover_meur, _SME_S_MIN), _SME_S_MAX)
        r -= 0.04 * (1 - (s - 5) / 45)
    return r


def _maturity_factor(pd: float, maturity_years: float) -> float:
    m = min(max(maturity_years, _M_MIN), _M_MAX)
    b = (0.11852 - 0.05478 * math.log(pd)) ** 2
    return (1 + (m - 2.5) * b) / (1 - 1.5 * b)


def irb_risk_weight(
    pd: Decimal | float,
    lgd: Decimal | float,
    asset_class: AssetClass | str,
    maturity_years: Decimal | float = 2.5,
    turnover_meur: Decimal | float | None = None,
) -> Decimal:
    """Basel IRB risk weight as a Decimal fraction (0.9232 = 92.32 %).

    Args:
        pd: 12-month PD in [0, 1]. lgd: LGD in [0, 1].
        asset_class: an `AssetClass` or its value ("corporate", "other_retail", "qrre",
            "residential_mortgage").
        maturity_years: effective maturity M (corporate only; clamped to [1, 5]).
        turnover_meur: annual sales in € millions; below 50 the SME firm-size adjustment applies
            (corporate only).
    Returns: RW = 12.5 × K, rounded to 12 decimal places; 0 when PD is 0 or 1 (K vanishes).
    Raises: ValidationError for PD/LGD outside [0, 1], an unknown asset class or turnover <= 0.
    """
    p = float(fraction(pd, "pd"))
    loss = float(fraction(lgd, "lgd"))
    klass = _asset_class(asset_class)
    if turnover_meur is not None and turnover_meur <= 0:
        raise ValidationError("turnover_meur", f"must be > 0, got {turnover_meur}")
    if p in (0.0, 1.0):
        return Decimal(0)
    turnover = None if turnover_meur is None else float(turnover_meur)
    r = _correlation(p, klass, turnover)
    stressed = _NORMAL.cdf((_NORMAL.inv_cdf(p) + math.sqrt(r) * _G_999) / math.sqrt(1 - r))
    k = loss * stressed - p * loss
    if klass is AssetClass.CORPORATE:
        k *= _maturity_factor(p, float(maturity_years))
    return Decimal(repr(12.5 * k)).quantize(_RW_PLACES)


def _asset_class(value: AssetClass | str) -> AssetClass:
    try:
        return AssetClass(value)
    except ValueError:
        names = ", ".join(a.value for a in AssetClass)
        raise ValidationError("asset_class", f"must be one of {names}, got {value!r}") from None


@dataclass(frozen=True, slots=True)
class StandardisedRules:
    """Versioned parameters of the standardised approach (amounts in one currency)."""

    version: str
    regulatory_retail_rw: Decimal
    sme_corporate_rw: Decimal
    corporate_rw: Decimal
    granularity_share: Decimal
    low_value_cap: Money
    sme_revenue_cap: Money


RULES_CN_2024: Final = StandardisedRules(
    version="std-cn-2024-01",
    regulatory_retail_rw=Decimal("0.75"),  # Basel II ¶69 [C]; NFRA 令2023年第4号 75 % [C]
    sme_corporate_rw=Decimal("0.85"),  # CRE20.47 [P]; China 85 % [P]
    corporate_rw=Decimal("1.00"),
    granularity_share=Decimal("0.002"),  # Basel II ¶70 [C]; China's figure [U]
    low_value_cap=Money(Decimal(10_000_000), CNY),  # China per-debtor cap recalled as 10 m CNY [U]
    sme_revenue_cap=Money(Decimal(300_000_000), CNY),  # 3 亿元 SME line [P]
)


@dataclass(frozen=True, slots=True)
class StandardisedExposure:
    """What the standardised criteria look at.

    counterparty_exposure: all exposure to this counterparty (incl. the new loan).
    retail_portfolio: the regulatory retail portfolio total, None when unknown (granularity fails).
    annual_revenue: the borrower's annual revenue, None when unknown (not treated as SME).
    """

    counterparty_exposure: Money
    retail_portfolio: Money | None = None
    annual_revenue: Money | None = None
    individual_or_small_business: bool = True
    retail_product: bool = True


@dataclass(frozen=True, slots=True)
class StandardisedWeight:
    """A standardised risk weight with the exposure class and the reason it was chosen."""

    risk_weight: Decimal
    exposure_class: str
    reason: str


def standardised_risk_weight(
    exposure: StandardisedExposure, rules: StandardisedRules = RULES_CN_2024
) -> StandardisedWeight:
    """Regulatory retail 75 % when all four criteria hold, else SME corporate 85 %, else 100 %."""
    failed = _retail_failures(exposure, rules)
    if not failed:
        reason = "orientation, product, granularity and low-value criteria hold"
        return StandardisedWeight(rules.regulatory_retail_rw, "regulatory_retail", reason)
    revenue = exposure.annual_revenue
    if revenue is not None and revenue <= rules.sme_revenue_cap:
        reason = f"not regulatory retail ({'; '.join(failed)}); revenue <= {rules.sme_revenue_cap}"
        return StandardisedWeight(rules.sme_corporate_rw, "sme_corporate", reason)
    reason = f"not regulatory retail ({'; '.join(failed)}); not an SME by revenue"
    return StandardisedWeight(rules.corporate_rw, "corporate", reason)


def _retail_failures(exposure: StandardisedExposure, rules: StandardisedRules) -> list[str]:
    failed = []
    if not exposure.individual_or_small_business:
        failed.append("orientation")
    if not exposure.retail_product:
        failed.append("product")
    portfolio = exposure.retail_portfolio
    share_cap = None if portfolio is None else portfolio * rules.granularity_share
    if share_cap is None or exposure.counterparty_exposure > share_cap:
        failed.append("granularity")
    if exposure.counterparty_exposure > rules.low_value_cap:
        failed.append("low value")
    return failed


def capital_requirement(risk_weight: Decimal, ead: Money, capital_ratio: Decimal) -> Money:
    """Capital = RW × capital ratio × EAD (unrounded Money).

    raises ValidationError for a negative EAD, risk weight or capital ratio.
    """
    if risk_weight < 0:
        raise ValidationError("risk_weight", f"must be >= 0, got {risk_weight}")
    if capital_ratio < 0:
        raise ValidationError("capital_ratio", f"must be >= 0, got {capital_ratio}")
    return non_negative_money(ead) * (risk_weight * capital_ratio)
