"""The offered rate: the binding method's rate, rounded to a whole-bp spread over the LPR, bounded.

Steps (`offer_rate`): assess the loan → quote the binding method (policy, or the caller's choice) →
take the requested rate if one is given, else the quote → spread over the tenor-matched LPR rounded
UP to whole bp (a rate never rounds below its method) → clamp to the product floor / cap → all-in
rate = rate + the loan's fees a year → flag all-in above 4 × 1Y LPR; refuse all-in above 24 %/yr;
flag a RAROC below the hurdle; refuse a loan whose RAROC misses the hurdle even at the product cap
(its minimum rate lies above the cap: no rate we may charge pays for its risk); flag a stale LPR
(`lpr_stale`: as_of past the next monthly fixing after the series' last one plus
`policy.lpr_grace_business_days`; the credit policy refers such a decision). The offer keeps
every version it used and explains itself twice: to the borrower (Chinese and English) and to a
risk officer (`explanation.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import Enum

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import BP, Rate
from creditfactory.pricing import explanation
from creditfactory.pricing.base_rate import base_rate_plus_quote
from creditfactory.pricing.cost_plus import cost_plus_quote
from creditfactory.pricing.economics import LoanEconomics, assess
from creditfactory.pricing.lpr import LPRSeries, default_lpr_series, stale_after
from creditfactory.pricing.policy import DEFAULT_POLICY, Method, PricingPolicy
from creditfactory.pricing.profitability import profitability_quote
from creditfactory.pricing.quote import PricingRequest, Quote
from creditfactory.pricing.raroc import minimum_rate, raroc, raroc_quote
from creditfactory.pricing.rate_card import DEFAULT_RATE_CARD, RateCard

__all__ = ["Offer", "OfferFlag", "offer_rate", "quote_loan"]


class OfferFlag(str, Enum):
    """Why an offer needs a second look (or was refused)."""

    FLOORED = "floored_at_product_floor"
    CAPPED = "capped_at_product_cap"
    ABOVE_4X_LPR = "all_in_above_4x_1y_lpr"
    HURDLE_NOT_MET = "raroc_below_hurdle"
    REFUSED_ALL_IN_CEILING = "refused_all_in_above_ceiling"
    REFUSED_HURDLE_UNREACHABLE = "refused_hurdle_unreachable_within_cap"
    LPR_STALE = "lpr_stale"


_REFUSALS = (OfferFlag.REFUSED_ALL_IN_CEILING, OfferFlag.REFUSED_HURDLE_UNREACHABLE)


@dataclass(frozen=True, slots=True)
class Offer:
    """An offered rate with everything needed to explain and audit it."""

    econ: LoanEconomics
    method: Method
    quote: Quote
    annual_rate: Rate
    spread_bp: int
    minimum_rate: Rate
    all_in_rate: Rate
    raroc: Decimal
    hurdle_rate: Decimal
    flags: tuple[OfferFlag, ...]
    rate_card_version: str
    lpr_series_version: str
    lpr_current_until: date  # the last business date the series is current (`lpr.stale_after`)

    @property
    def refused(self) -> bool:
        """True when no offer may be made: all-in above the ceiling, or the hurdle unreachable."""
        return any(flag in self.flags for flag in _REFUSALS)

    @property
    def refusal_reason(self) -> str | None:
        """Why the offer was refused (English, one line), or None when it was not."""
        if OfferFlag.REFUSED_ALL_IN_CEILING in self.flags:
            return (
                f"all-in annual cost {explanation.pct(self.all_in_rate)} above the ceiling "
                f"{explanation.pct(self.econ.policy.all_in_ceiling)}"
            )
        if OfferFlag.REFUSED_HURDLE_UNREACHABLE in self.flags:
            return (
                f"minimum rate {explanation.pct(self.minimum_rate, 4)} for RAROC >= "
                f"{self.hurdle_rate} is above the product cap {explanation.pct(self.econ.product.cap)}"
                ": the hurdle cannot be met within the bounds"
            )
        return None

    @property
    def expected_loss(self) -> Money:
        """EL a year = PD × LGD × EAD (unrounded)."""
        return self.econ.expected_loss

    @property
    def capital(self) -> Money:
        """Capital = RW × capital ratio × EAD (unrounded)."""
        return self.econ.capital

    @property
    def versions(self) -> dict[str, str]:
        """The data versions this offer used (for the decision record)."""
        return {
            "policy": self.econ.policy.version,
            "product": self.econ.product.version,
            "lpr_series": self.lpr_series_version,
            "rate_card": self.rate_card_version,
        }

    def explain_to_borrower(self, language: str = "zh") -> str:
        """A short plain-language explanation ("zh" Chinese, "en" English)."""
        return explanation.for_borrower(self, language)

    def explain_for_audit(self) -> str:
        """A line-by-line derivation a risk officer can re-compute."""
        return explanation.for_audit(self)


def quote_loan(
    econ: LoanEconomics,
    method: Method,
    hurdle: Decimal | None = None,
    rate: Rate | None = None,
    rate_card: RateCard = DEFAULT_RATE_CARD,
) -> Quote:
    """The quote of one method for assessed economics (`economics.assess`)."""
    if method is Method.COST_PLUS:
        return cost_plus_quote(econ, hurdle)
    if method is Method.BASE_RATE_PLUS:
        return base_rate_plus_quote(econ, rate_card)
    if method is Method.PROFITABILITY:
        return profitability_quote(econ, hurdle)
    return raroc_quote(econ, rate, hurdle)


def offer_rate(
    request: PricingRequest,
    method: Method | str | None = None,
    policy: PricingPolicy = DEFAULT_POLICY,
    *,
    hurdle: Decimal | None = None,
    requested_rate: Rate | None = None,
    series: LPRSeries | None = None,
    rate_card: RateCard = DEFAULT_RATE_CARD,
) -> Offer:
    """Price `request` and make the offer (pure; no I/O).

    Args:
        request: the loan. method: binding method (default `policy.binding_method`).
        hurdle: overrides `policy.hurdle_rate`. requested_rate: a rate proposed by the caller
            (e.g. a relationship manager); it is bounded and checked like any other.
    Returns: an `Offer`; `offer.refused` is True above the all-in ceiling or when RAROC misses
        the hurdle even at the product cap (`offer.refusal_reason` says which).
    Raises: ValidationError (unknown method, bad hurdle, date before the LPR series, …),
        GradeNotPriced (base-rate-plus beyond the card), UnknownProduct.
    """
    chosen = _method(method or policy.binding_method)
    h = policy.hurdle_rate if hurdle is None else hurdle
    econ = assess(request, policy, series)
    quote = quote_loan(econ, chosen, h, requested_rate, rate_card)
    candidate = requested_rate or quote.annual_rate
    spread_bp, flags = _bounded_spread(candidate, econ)
    rate = econ.lpr.plus_bp(spread_bp)
    all_in = Rate(rate.value + request.fee_rate)
    if all_in.value > policy.lpr_multiple_flag * econ.lpr_1y.value:
        flags.append(OfferFlag.ABOVE_4X_LPR)
    if all_in > policy.all_in_ceiling:
        flags.append(OfferFlag.REFUSED_ALL_IN_CEILING)
    achieved = raroc(rate, econ)
    if achieved < h:
        flags.append(OfferFlag.HURDLE_NOT_MET)
        if raroc(_cap_rate(econ), econ) < h:
            flags.append(OfferFlag.REFUSED_HURDLE_UNREACHABLE)
    used = series or default_lpr_series()
    current_until = stale_after(used.end, policy.lpr_grace_business_days)
    if request.as_of > current_until:
        flags.append(OfferFlag.LPR_STALE)
    return Offer(
        econ=econ,
        method=chosen,
        quote=quote,
        annual_rate=rate,
        spread_bp=spread_bp,
        minimum_rate=minimum_rate(econ, h),
        all_in_rate=all_in,
        raroc=achieved,
        hurdle_rate=h,
        flags=tuple(flags),
        rate_card_version=rate_card.version,
        lpr_series_version=used.version,
        lpr_current_until=current_until,
    )


def _method(value: Method | str) -> Method:
    try:
        return Method(value)
    except ValueError:
        names = "|".join(m.value for m in Method)
        raise ValidationError("method", f"must be one of {names}, got {value!r}") from None


def _bounded_spread(candidate: Rate, econ: LoanEconomics) -> tuple[int, list[OfferFlag]]:
    lpr, product = econ.lpr.value, econ.product
    spread = _whole_bp(candidate.value - lpr, ROUND_CEILING)
    if lpr + spread * BP < product.floor.value:
        return _whole_bp(product.floor.value - lpr, ROUND_CEILING), [OfferFlag.FLOORED]
    if lpr + spread * BP > product.cap.value:
        return _whole_bp(product.cap.value - lpr, ROUND_FLOOR), [OfferFlag.CAPPED]
    return spread, []


def _cap_rate(econ: LoanEconomics) -> Rate:
    """The highest rate an offer may carry: the product cap as a whole-bp spread over the LPR."""
    return econ.lpr.plus_bp(_whole_bp(econ.product.cap.value - econ.lpr.value, ROUND_FLOOR))


def _whole_bp(rate: Decimal, rounding: str) -> int:
    return int((rate / BP).to_integral_value(rounding=rounding))
