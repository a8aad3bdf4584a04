"""Cost-plus pricing: rate = FTP + operating cost + EL rate + capital cost + tax adjustment − capital benefit.

FTP is linked to the LPR (policy: tenor-matched LPR + `ftp_spread_bp`; the 2022 PBoC notice asks
banks to embed the LPR in internal pricing and FTP, DOMAIN.md §6.1 [C]). Capital cost = c × hurdle
(c = RW × capital ratio); the tax adjustment grosses it up so the after-tax return still meets the
hurdle (c·h·t/(1−t)); the capital benefit is the risk-free return on the capital held. By construction
the cost-plus rate is the rate whose RAROC equals the hurdle when the loan has no other revenue
(see `raroc.py` for the identity). Cost-plus ignores fees: they are revenue, not cost.
"""

from __future__ import annotations

from decimal import Decimal

from creditfactory.pricing.economics import LoanEconomics
from creditfactory.pricing.policy import Method
from creditfactory.pricing.quote import Quote
from creditfactory.pricing.raroc import hurdle_components

__all__ = ["cost_plus_quote"]


def cost_plus_quote(econ: LoanEconomics, hurdle: Decimal | None = None) -> Quote:
    """The cost-plus quote: six named components in bp (see the module docstring)."""
    return Quote(Method.COST_PLUS, tuple(hurdle_components(econ, hurdle)))
