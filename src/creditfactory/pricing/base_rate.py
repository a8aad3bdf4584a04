"""Base-rate-plus pricing: rate = tenor-matched LPR + the grade's spread from a versioned rate card.

This is how the rate is quoted to the borrower in China (LPR + 加点, DOMAIN.md §3.1); the grade comes
from the PD band of the card (`rate_card.py`).
"""

from __future__ import annotations

from decimal import Decimal

from creditfactory.pricing.economics import LoanEconomics
from creditfactory.pricing.policy import Method
from creditfactory.pricing.quote import Component, Quote
from creditfactory.pricing.rate_card import DEFAULT_RATE_CARD, RateCard

__all__ = ["base_rate_plus_quote"]


def base_rate_plus_quote(econ: LoanEconomics, card: RateCard = DEFAULT_RATE_CARD) -> Quote:
    """Components `lpr` and `grade_spread` (bp); raises GradeNotPriced above the card's last band."""
    band = card.band_for(econ.request.pd_12m)
    parts = (
        Component("lpr", econ.lpr.in_bp()),
        Component("grade_spread", Decimal(band.spread_bp)),
    )
    note = f"grade {band.grade} (PD <= {band.pd_upper}) on {card.version}"
    return Quote(Method.BASE_RATE_PLUS, parts, (note,))
