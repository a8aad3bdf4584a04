"""Portfolio view: RAROC by grade, by product and by channel for a book of loans.

Each loan is assessed as at `as_of` with its own contract rate; amounts are a year's worth:
revenue (interest + fees), funding (FTP), operating cost, EL, return on capital, tax, capital.
A group's RAROC is Σ after-tax profit / Σ capital (capital-weighted, not an average of ratios).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.economics import assess
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.pricing.policy import DEFAULT_POLICY, PricingPolicy
from creditfactory.pricing.quote import PricingRequest
from creditfactory.pricing.raroc import after_tax_profit_rate

__all__ = ["BookLoan", "PortfolioRow", "portfolio_raroc"]

DIMENSIONS = ("grade", "product", "channel")


@dataclass(frozen=True, slots=True)
class BookLoan:
    """One loan of the book: its segment keys, exposure, contract rate and risk."""

    loan_id: str
    grade: str
    product: str
    channel: str
    ead: Money
    annual_rate: Rate
    pd_12m: Decimal
    lgd: Decimal
    term_months: int = 12
    fee_rate: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """One group: dimension ("grade", "product", "channel" or "total"), key and annual figures."""

    dimension: str
    key: str
    loans: int
    ead: Money
    profit_after_tax: Money
    expected_loss: Money
    capital: Money

    @property
    def raroc(self) -> Decimal | None:
        """Σ after-tax profit / Σ capital; None when the group holds no capital."""
        if self.capital.is_zero():
            return None
        return self.profit_after_tax.amount / self.capital.amount


def portfolio_raroc(
    loans: Iterable[BookLoan],
    as_of: date,
    policy: PricingPolicy = DEFAULT_POLICY,
    series: LPRSeries | None = None,
) -> tuple[PortfolioRow, ...]:
    """Rows per grade, per product, per channel (each sorted by key), then one total row.

    raises ValidationError for a loan with bad risk inputs; UnknownProduct for an unknown product.
    """
    groups: dict[tuple[str, str], PortfolioRow] = {}
    for loan in loans:
        request = PricingRequest(
            loan.pd_12m, loan.lgd, loan.ead, loan.term_months, as_of, loan.product, loan.fee_rate
        )
        econ = assess(request, policy, series)
        profit = loan.ead * after_tax_profit_rate(loan.annual_rate.value, econ)
        keys = [(d, str(getattr(loan, d))) for d in DIMENSIONS] + [("total", "all")]
        for dim, key in keys:
            row = groups.get((dim, key)) or _empty(dim, key, loan.ead.currency)
            groups[(dim, key)] = PortfolioRow(
                dim,
                key,
                row.loans + 1,
                row.ead + loan.ead,
                row.profit_after_tax + profit,
                row.expected_loss + econ.expected_loss,
                row.capital + econ.capital,
            )
    order = {d: i for i, d in enumerate((*DIMENSIONS, "total"))}
    return tuple(groups[k] for k in sorted(groups, key=lambda k: (order[k[0]], k[1])))


def _empty(dimension: str, key: str, currency: str) -> PortfolioRow:
    zero = Money.zero(currency)
    return PortfolioRow(dimension, key, 0, zero, zero, zero, zero)
