"""Explanations of an offer: one for the borrower (中文 / English), one for a risk officer's audit.

The borrower text states the annual simple rate as LPR + spread, the fees and the all-in annual
cost (annualised-rate disclosure, PBoC 公告〔2021〕第3号 [U]) and why the spread is what it is; the
audit text re-derives the offer line by line with every input, component and data version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from creditfactory.kernel.money import quantize_to_minor
from creditfactory.kernel.rates import Rate

if TYPE_CHECKING:
    from creditfactory.pricing.offer import Offer

__all__ = ["for_audit", "for_borrower", "pct"]

_TENOR_ZH = {"1Y": "一年期", "5Y+": "五年期以上"}
_TENOR_EN = {"1Y": "one-year", "5Y+": "over-five-year"}


def pct(rate: Rate | Decimal, places: int = 2) -> str:
    """`rate` (a fraction) as a percent with `places` decimals, e.g. "5.24%"."""
    value = rate.value if isinstance(rate, Rate) else rate
    return f"{value * 100:.{places}f}%"


def for_borrower(offer: Offer, language: str = "zh") -> str:
    """Borrower text in "zh" or "en"."""
    econ = offer.econ
    pd_text = pct(econ.request.pd_12m)
    tenor = econ.tenor.value
    fixing_date = econ.lpr_fixing.effective_date.isoformat()
    if language == "en":
        if offer.refused:
            return _refusal_en(offer)
        return (
            f"Annual interest rate {pct(offer.annual_rate)} (simple interest): the "
            f"{_TENOR_EN[tenor]} Loan Prime Rate (LPR) of {pct(econ.lpr)} published on "
            f"{fixing_date} plus {offer.spread_bp} basis points. Fees add "
            f"{pct(econ.fee_rate)} a year, so the all-in annual cost is {pct(offer.all_in_rate)}. "
            f"The spread covers our funding and operating costs, the expected credit loss for your "
            f"risk level (12-month default probability {pd_text}) and the capital we must hold."
        )
    if offer.refused:
        return _refusal_zh(offer)
    return (
        f"贷款年利率 {pct(offer.annual_rate)}（单利），即 {fixing_date} 公布的"
        f"{_TENOR_ZH[tenor]}贷款市场报价利率（LPR）{pct(econ.lpr)} 加 {offer.spread_bp} 个基点；"
        f"另有费用年化 {pct(econ.fee_rate)}，综合年化成本 {pct(offer.all_in_rate)}。"
        f"加点覆盖资金与运营成本、与您的风险水平（12 个月违约概率 {pd_text}）相应的预期损失，"
        f"以及银行须为本笔贷款占用的资本。"
    )


def _refusal_en(offer: Offer) -> str:
    econ = offer.econ
    if offer.all_in_rate > econ.policy.all_in_ceiling:
        ceiling = pct(econ.policy.all_in_ceiling, 0)
        return (
            f"We cannot make an offer: the all-in annual cost would exceed the {ceiling} ceiling."
        )
    return (
        "We cannot make an offer: for your risk level (12-month default probability "
        f"{pct(econ.request.pd_12m)}) the rate needed would exceed this product's maximum of "
        f"{pct(econ.product.cap)} a year."
    )


def _refusal_zh(offer: Offer) -> str:
    econ = offer.econ
    if offer.all_in_rate > econ.policy.all_in_ceiling:
        return (
            f"很抱歉，本次无法提供报价：综合年化成本将超过 {pct(econ.policy.all_in_ceiling, 0)}。"
        )
    return (
        f"很抱歉，本次无法提供报价：与您的风险水平（12 个月违约概率 {pct(econ.request.pd_12m)}）"
        f"相应的利率将超过本产品年利率上限 {pct(econ.product.cap)}。"
    )


def _stale_line(offer: Offer) -> list[str]:
    from creditfactory.pricing.offer import OfferFlag  # offer imports this module

    if OfferFlag.LPR_STALE not in offer.flags:
        return []
    fixing, as_of = offer.econ.lpr_fixing.effective_date, offer.econ.request.as_of
    return [
        f"WARNING lpr_stale: as_of {as_of} is {(as_of - fixing).days} days after the last LPR "
        f"fixing {fixing}; the series was current until {offer.lpr_current_until} (next monthly "
        "fixing + grace): import and publish the newer fixings (`creditfactory rates import`)"
    ]


def for_audit(offer: Offer) -> str:
    """Risk-officer text: inputs, components, EL, capital, RAROC, bounds, flags and versions."""
    econ, request = offer.econ, offer.econ.request
    fixing = econ.lpr_fixing
    components = " | ".join(f"{c.name} {c.bp:.2f}" for c in offer.quote.components)
    el = quantize_to_minor(econ.expected_loss.amount, request.ead.currency)
    capital = quantize_to_minor(econ.capital.amount, request.ead.currency)
    verdict = "meets" if offer.raroc >= offer.hurdle_rate else "BELOW"
    lines = [
        f"offer {pct(offer.annual_rate, 4)} = LPR {econ.tenor.value} {pct(econ.lpr, 4)} "
        f"(fixing {fixing.effective_date}, [{fixing.confidence}] {fixing.source}) + "
        f"{offer.spread_bp} bp (method spread rounded up to whole bp, then bounded)",
        f"method {offer.method.value}: {offer.quote.total_bp:.4f} bp = {components}",
        *(f"note: {n}" for n in offer.quote.notes),
        f"inputs: pd_12m {request.pd_12m}, lgd {request.lgd}, ead {request.ead}, "
        f"term {request.term_months} months, as_of {request.as_of}, product {request.product}",
        f"EL = {request.pd_12m} × {request.lgd} × {request.ead.amount} = {el} a year "
        f"({econ.el_rate / Decimal('0.0001'):.2f} bp)",
        f"capital = RW {econ.risk_weight:.6f} [{econ.capital_basis}] × ratio "
        f"{econ.policy.capital_ratio} × EAD = {capital}",
        f"RAROC at offer {offer.raroc:.6f} vs hurdle {offer.hurdle_rate}: {verdict}; "
        f"minimum rate {pct(offer.minimum_rate, 4)}",
        f"bounds: product [{pct(econ.product.floor)}, {pct(econ.product.cap)}]; all-in "
        f"{pct(offer.all_in_rate, 4)}; 4 × 1Y LPR = "
        f"{pct(econ.policy.lpr_multiple_flag * econ.lpr_1y.value)}; "
        f"ceiling {pct(econ.policy.all_in_ceiling)}",
        f"flags: {', '.join(f.value for f in offer.flags) or 'none'}",
        *([f"REFUSED: {offer.refusal_reason}"] if offer.refused else []),
        *_stale_line(offer),
        "versions: " + ", ".join(f"{k}={v}" for k, v in offer.versions.items()),
    ]
    return "\n".join(lines)
