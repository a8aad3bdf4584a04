"""Pricing context (愿贷): LPR + spread, expected loss, capital, four pricing methods, the offer.

Pure domain: standard library + `creditfactory.kernel` only; no I/O. Data (LPR series, LGD table,
rate card, policy, products) are versioned modules; every offer records the versions it used.

Modules
- `lpr_series` / `lpr`: the dated LPR series, lookup, `contract_rate`, `reprice` (servicing calls it).
- `loss`, `lgd_table`: EL = PD × LGD × EAD; LGD by product and collateral.
- `capital`: Basel IRB risk weights (`irb_risk_weight`), standardised weights, capital.
- `economics`: one loan's annual economics (`assess`), shared by the methods.
- `cost_plus`, `base_rate`, `profitability`, `raroc`: the four methods, each a decomposed `Quote`.
- `offer`: `offer_rate` — the binding method, bounded and explained (the decision flow's call).
- `optimisation`: churn-aware rate per grade. `portfolio`: RAROC by grade, product, channel.
- `appetite`, `allocation`: a budget across approved offers under a risk appetite — the problem,
  its checks and each firm's why (solved by `adapters.batch.allocation_solver`).

Decision flow: `offer_rate(PricingRequest(pd_12m, lgd, ead, term_months, as_of), method=None)`.
"""

from creditfactory.pricing.capital import AssetClass, capital_requirement, irb_risk_weight
from creditfactory.pricing.economics import LoanEconomics, assess
from creditfactory.pricing.errors import (
    ChurnTableInvalid,
    GradeNotPriced,
    PricingError,
    UnknownProduct,
)
from creditfactory.pricing.loss import expected_loss
from creditfactory.pricing.lpr import LPRTenor, contract_rate, default_lpr_series, reprice
from creditfactory.pricing.offer import Offer, OfferFlag, offer_rate, quote_loan
from creditfactory.pricing.optimisation import optimise_rates
from creditfactory.pricing.policy import DEFAULT_POLICY, Method, PricingPolicy
from creditfactory.pricing.portfolio import BookLoan, portfolio_raroc
from creditfactory.pricing.quote import Component, PricingRequest, Quote, Relationship
from creditfactory.pricing.raroc import minimum_rate

__all__ = [
    "DEFAULT_POLICY",
    "AssetClass",
    "BookLoan",
    "ChurnTableInvalid",
    "Component",
    "GradeNotPriced",
    "LPRTenor",
    "LoanEconomics",
    "Method",
    "Offer",
    "OfferFlag",
    "PricingError",
    "PricingPolicy",
    "PricingRequest",
    "Quote",
    "Relationship",
    "UnknownProduct",
    "assess",
    "capital_requirement",
    "contract_rate",
    "default_lpr_series",
    "expected_loss",
    "irb_risk_weight",
    "minimum_rate",
    "offer_rate",
    "optimise_rates",
    "portfolio_raroc",
    "quote_loan",
    "reprice",
]
