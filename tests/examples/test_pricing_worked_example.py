"""Worked example, by hand: one 12-month loan priced four ways, every identity checked.

Loan: EAD 1,000,000 CNY, PD 2 %, LGD 45 %, 12 months, priced on 2024-06-30.
Policy: the default, except capital by the standardised approach with an 8 % capital ratio, so the
arithmetic stays exact.

  1Y LPR on 2024-06-30: the 2024-02-20 fixing, 3.45 %            (DOMAIN.md §3.2)
  FTP        = LPR + (−100 bp)            = 2.45 %  = 245 bp
  opex       = 100 bp                      = 1.00 %
  EL rate    = 0.02 × 0.45                 = 0.009   =  90 bp;  EL = 0.009 × 1,000,000 = 9,000 CNY
  RW         = 75 % (regulatory retail: exposure 1,000,000 ≤ 0.2 % × 1,000,000,000 and ≤ 10 m CNY)
  capital    = 0.75 × 0.08 × 1,000,000     = 60,000 CNY;  c = 0.06
  capital cost   = c × h = 0.06 × 0.12     = 0.0072  =  72 bp
  tax adjustment = 0.0072 × 0.25 / 0.75    = 0.0024  =  24 bp
  capital benefit = −r_f × c = −0.015×0.06 = −0.0009 =  −9 bp
  cost-plus  = 245 + 100 + 90 + 72 + 24 − 9 = 522 bp = 5.22 %
RAROC at 5.22 %: π = 0.0522 − 0.0245 − 0.0100 − 0.0090 + 0.0009 = 0.0096 → 9,600 CNY;
  after 25 % tax 7,200; 7,200 / 60,000 = 0.12 = the hurdle.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.capital import StandardisedExposure
from creditfactory.pricing.economics import assess
from creditfactory.pricing.offer import offer_rate
from creditfactory.pricing.policy import DEFAULT_POLICY, CapitalApproach, Method
from creditfactory.pricing.quote import PricingRequest, Relationship
from creditfactory.pricing.raroc import minimum_rate, raroc, solve_rate

D = Decimal
POLICY = replace(
    DEFAULT_POLICY, capital_approach=CapitalApproach.STANDARDISED, capital_ratio=D("0.08")
)
EAD = Money(D(1_000_000))
RETAIL = StandardisedExposure(EAD, retail_portfolio=Money(D(1_000_000_000)))


def request(relationship: Relationship | None = None) -> PricingRequest:
    return PricingRequest(
        D("0.02"), D("0.45"), EAD, 12, date(2024, 6, 30),
        relationship=relationship, standardised=RETAIL,
    )  # fmt: skip


def test_economics_by_hand() -> None:
    econ = assess(request(), POLICY)
    assert econ.lpr == Rate(D("0.0345"))
    assert econ.lpr_fixing.effective_date == date(2024, 2, 20)
    assert econ.ftp == Rate(D("0.0245"))
    assert econ.el_rate == D("0.009")
    assert econ.expected_loss.amount == D(9000)
    assert econ.risk_weight == D("0.75")
    assert econ.capital.amount == D(60000)
    assert econ.capital_rate == D("0.06")


def test_cost_plus_components_by_hand() -> None:
    offer = offer_rate(request(), Method.COST_PLUS, POLICY)
    bp = {c.name: c.bp for c in offer.quote.components}
    assert bp == {
        "funding_ftp": D(245),
        "operating_cost": D(100),
        "expected_loss": D(90),
        "capital_cost": D(72),  # 0.06 × 0.12
        "tax_adjustment": D(24),  # 72 × 0.25 / 0.75
        "capital_benefit": D(-9),  # −0.015 × 0.06
    }
    assert offer.quote.total_bp == D(522)  # 245 + 100 + 90 + 72 + 24 − 9
    assert offer.annual_rate == Rate(D("0.0522"))
    assert offer.spread_bp == 177  # 522 − 345
    assert offer.flags == ()


def test_raroc_identity_at_the_cost_plus_rate() -> None:
    econ = assess(request(), POLICY)
    # 7,200 after tax / 60,000 capital
    assert raroc(Rate(D("0.0522")), econ) == D("0.12")
    assert minimum_rate(econ) == Rate(D("0.0522"))
    assert abs(solve_rate(econ, D("0.12")) - D("0.0522")) < D("1e-11")


def test_raroc_of_a_given_rate() -> None:
    # π = 0.06 − 0.0245 − 0.01 − 0.009 + 0.0009 = 0.0174 → 17,400; × 0.75 = 13,050; / 60,000
    offer = offer_rate(request(), Method.RAROC, POLICY, requested_rate=Rate(D("0.06")))
    assert offer.raroc == D("0.2175")
    assert offer.quote.component("excess_over_hurdle") == D(78)  # 600 − 522
    assert offer.annual_rate == Rate(D("0.06"))


def test_base_rate_plus_by_hand() -> None:
    # PD 2 % is grade C (1.5 % < PD ≤ 3 %), spread 200 bp: 3.45 % + 2.00 % = 5.45 %
    # π = 0.0545 − 0.0245 − 0.01 − 0.009 + 0.0009 = 0.0119 → × 0.75 = 0.008925 → / 0.06 = 0.14875
    offer = offer_rate(request(), Method.BASE_RATE_PLUS, POLICY)
    assert offer.annual_rate == Rate(D("0.0545"))
    assert offer.raroc == D("0.14875")


def test_profitability_credits_by_hand() -> None:
    # deposits 500,000 × 1 % = 5,000; settlement 2,000; fees 1,000 → 8,000 / 1,000,000 = 80 bp
    # 522 − 80 = 442 bp ≥ floor 245 + 100 + 90 = 435 bp → 4.42 %
    # customer RAROC: π = 0.0442 + 0.008 − 0.0245 − 0.01 − 0.009 + 0.0009 = 0.0096 → 0.12
    relationship = Relationship(Money(D(500_000)), D("0.01"), Money(D(2000)), Money(D(1000)))
    offer = offer_rate(request(relationship), Method.PROFITABILITY, POLICY)
    assert offer.quote.component("deposit_credit") == D(-50)
    assert offer.quote.component("settlement_credit") == D(-20)
    assert offer.quote.component("fee_credit") == D(-10)
    assert offer.annual_rate == Rate(D("0.0442"))
    assert offer.raroc == D("0.12")


def test_profitability_floor_by_hand() -> None:
    # deposits 2,000,000 × 1.5 % = 30,000; settlement 5,000; fees 3,000 → 380 bp of credit
    # 522 − 380 = 142 bp < floor 435 bp → floor adjustment 293 bp → 4.35 %
    # customer RAROC: π = 0.0435 + 0.038 − 0.0245 − 0.01 − 0.009 + 0.0009 = 0.0389
    #                 × 0.75 = 0.029175 → / 0.06 = 0.48625
    relationship = Relationship(Money(D(2_000_000)), D("0.015"), Money(D(5000)), Money(D(3000)))
    offer = offer_rate(request(relationship), Method.PROFITABILITY, POLICY)
    assert offer.quote.component("floor_adjustment") == D(293)
    assert offer.annual_rate == Rate(D("0.0435"))
    assert offer.raroc == D("0.48625")


@pytest.mark.parametrize(
    ("rate", "flags"),
    [
        # 0.03 < product floor 4 % → 4 % (spread 55 bp)
        ("0.03", ("floored_at_product_floor", "raroc_below_hurdle")),
        # 0.20 > product cap 15 %; 15 % > 4 × 3.45 % = 13.8 % → flagged
        ("0.20", ("capped_at_product_cap", "all_in_above_4x_1y_lpr")),
    ],
)
def test_bounds_by_hand(rate: str, flags: tuple[str, ...]) -> None:
    offer = offer_rate(request(), Method.RAROC, POLICY, requested_rate=Rate(D(rate)))
    assert tuple(f.value for f in offer.flags) == flags
    assert offer.annual_rate in (Rate(D("0.04")), Rate(D("0.15")))


def test_all_in_ceiling_refuses() -> None:
    # rate capped at 15 %, fees 10 % a year → all-in 25 % > 24 % → refused
    loan = replace(request(), fee_rate=D("0.10"))
    offer = offer_rate(loan, Method.RAROC, POLICY, requested_rate=Rate(D("0.15")))
    assert offer.all_in_rate == Rate(D("0.25"))
    assert offer.refused
    assert "24%" in offer.explain_to_borrower("en")
