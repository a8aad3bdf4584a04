"""Customer-profitability pricing: the cost-plus rate less credits for the relationship's revenue.

rate = max(cost floor, cost-plus rate − deposit credit − settlement credit − fee credit − loan fees),
each credit = that revenue a year / EAD. The cost floor is FTP + operating cost + EL rate: revenue
elsewhere in the relationship may pay for the loan's capital, never for its funding, cost and
expected loss. Above the floor, the customer-level RAROC (relationship revenue counted) equals the
hurdle exactly, because revenue and rate enter RAROC's numerator the same way (`raroc.py`).
"""

from __future__ import annotations

from decimal import Decimal

from creditfactory.kernel.rates import BP
from creditfactory.pricing.economics import LoanEconomics
from creditfactory.pricing.policy import Method
from creditfactory.pricing.quote import Component, Quote
from creditfactory.pricing.raroc import hurdle_components

__all__ = ["profitability_quote"]

_ZERO = Decimal(0)


def _credits(econ: LoanEconomics) -> list[Component]:
    ead = econ.request.ead.amount
    relationship = econ.request.relationship
    credits = []
    if relationship is not None:
        deposits = relationship.deposit_balance.amount * relationship.deposit_margin
        credits += [
            Component("deposit_credit", -deposits / ead / BP),
            Component("settlement_credit", -relationship.settlement_revenue.amount / ead / BP),
            Component("fee_credit", -relationship.fee_revenue.amount / ead / BP),
        ]
    if econ.fee_rate:
        credits.append(Component("fee_revenue_credit", -econ.fee_rate / BP))
    return credits


def profitability_quote(econ: LoanEconomics, hurdle: Decimal | None = None) -> Quote:
    """The profitability quote: cost-plus components, relationship credits and a floor adjustment."""
    parts = hurdle_components(econ, hurdle) + _credits(econ)
    total = sum((p.bp for p in parts), _ZERO)
    floor_bp = (econ.ftp.value + econ.operating_cost_rate + econ.el_rate) / BP
    notes: tuple[str, ...] = ()
    if total < floor_bp:
        parts.append(Component("floor_adjustment", floor_bp - total))
        notes = ("credits capped: the rate may not fall below FTP + operating cost + EL",)
    return Quote(Method.PROFITABILITY, tuple(parts), notes)
