"""The base-rate-plus rate card: grade bands by 12-month PD and each grade's spread over the LPR.

Versioned data (policy): a grade's band is (previous upper bound, upper bound]; the spread is in bp
over the tenor-matched LPR. The spreads were set near the cost-plus price of a mid-band PD under
`DEFAULT_POLICY` at the 2024 LPR, then rounded; they are a lender's choice, not a sourced rule.
A PD above the last band is not priced (`GradeNotPriced`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from creditfactory.pricing.errors import GradeNotPriced

__all__ = ["DEFAULT_RATE_CARD", "RateCard", "RateCardBand"]


@dataclass(frozen=True, slots=True)
class RateCardBand:
    """Grade, the PD upper bound of its band (inclusive) and its spread in bp."""

    grade: str
    pd_upper: Decimal
    spread_bp: int


@dataclass(frozen=True, slots=True)
class RateCard:
    """Bands in ascending PD order."""

    version: str
    effective_date: date
    bands: tuple[RateCardBand, ...]

    def band_for(self, pd_12m: Decimal) -> RateCardBand:
        """The band holding `pd_12m`; raises GradeNotPriced above the last band."""
        for band in self.bands:
            if pd_12m <= band.pd_upper:
                return band
        raise GradeNotPriced(f"pd_12m {pd_12m} above the rate card's last band ({self.version})")


DEFAULT_RATE_CARD: Final = RateCard(
    version="rate-card-2024-01",
    effective_date=date(2024, 1, 1),
    bands=(
        RateCardBand("A", Decimal("0.005"), 60),
        RateCardBand("B", Decimal("0.015"), 120),
        RateCardBand("C", Decimal("0.03"), 200),
        RateCardBand("D", Decimal("0.06"), 380),
        RateCardBand("E", Decimal("0.12"), 680),
    ),
)
