"""The four methods, the offer and the monotonicity of the minimum rate (property tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import BP
from creditfactory.pricing.economics import assess
from creditfactory.pricing.errors import GradeNotPriced, UnknownProduct
from creditfactory.pricing.offer import offer_rate
from creditfactory.pricing.policy import DEFAULT_POLICY, Method
from creditfactory.pricing.quote import PricingRequest
from creditfactory.pricing.raroc import minimum_rate, raroc, solve_rate

D = Decimal
AS_OF = date(2024, 6, 30)


def loan(pd: str = "0.02", lgd: str = "0.45", **changes: object) -> PricingRequest:
    base = PricingRequest(D(pd), D(lgd), Money(D(500_000)), 12, AS_OF)
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", list(Method))
def test_components_sum_to_the_method_rate(method: Method) -> None:
    offer = offer_rate(loan(), method)
    assert offer.quote.annual_rate.value == sum(c.bp for c in offer.quote.components) * BP
    # the offer rounds the spread up: never below the method's rate, never a whole bp above
    assert D(0) <= offer.annual_rate.value - offer.quote.annual_rate.value < BP
    assert offer.annual_rate == offer.econ.lpr.plus_bp(offer.spread_bp)


def test_cost_plus_rate_meets_the_hurdle_exactly() -> None:
    econ = assess(loan())
    rate = minimum_rate(econ)
    assert abs(raroc(rate, econ) - DEFAULT_POLICY.hurdle_rate) < D("1e-20")
    assert abs(solve_rate(econ, DEFAULT_POLICY.hurdle_rate) - rate.value) < D("1e-11")


def test_fees_lower_the_raroc_minimum_but_not_cost_plus() -> None:
    with_fees = loan(fee_rate=D("0.005"))
    assert offer_rate(with_fees, "cost_plus").quote.annual_rate == minimum_rate(assess(loan()))
    raroc_rate = offer_rate(with_fees, "raroc").quote.annual_rate.value
    assert raroc_rate == minimum_rate(assess(loan())).value - D("0.005")


def test_offer_carries_versions_and_explanations() -> None:
    offer = offer_rate(loan(), "raroc")
    assert offer.versions["lpr_series"].startswith("lpr-")
    assert "LPR" in offer.explain_to_borrower("zh") and "个基点" in offer.explain_to_borrower("zh")
    assert f"plus {offer.spread_bp} basis points" in offer.explain_to_borrower("en")
    audit = offer.explain_for_audit()
    for word in ("EL =", "capital = RW", "RAROC at offer", "versions:", "funding_ftp"):
        assert word in audit


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(ValidationError, match="^pd_12m: "):
        loan(pd="1.01")
    with pytest.raises(ValidationError, match="^ead: "):
        loan(ead=Money(D(-1)))
    with pytest.raises(ValidationError, match="^as_of: "):
        offer_rate(loan(as_of=date(2019, 8, 1)), "raroc")
    with pytest.raises(ValidationError, match="^method: "):
        offer_rate(loan(), "magic")
    with pytest.raises(UnknownProduct):
        offer_rate(loan(product="bitcoin_loan"), "raroc")
    with pytest.raises(GradeNotPriced):
        offer_rate(loan(pd="0.2"), "base_rate_plus")


def test_the_policy_binding_method_is_the_default() -> None:
    offer = offer_rate(loan())
    assert offer.method is DEFAULT_POLICY.binding_method


probabilities = st.decimals(min_value=D("0.0003"), max_value=D("0.5"), places=4)
lgds = st.decimals(min_value=D("0.05"), max_value=D("1"), places=3)
hurdles = st.decimals(min_value=D("0.02"), max_value=D("0.40"), places=3)


def _min(pd: Decimal, lgd: Decimal, hurdle: Decimal) -> Decimal:
    request = PricingRequest(pd, lgd, Money(D(500_000)), 12, AS_OF)
    return minimum_rate(assess(request), hurdle).value


@settings(max_examples=150, deadline=None)
@given(probabilities, probabilities, lgds, hurdles)
def test_minimum_rate_never_falls_as_pd_rises(
    a: Decimal, b: Decimal, lgd: Decimal, hurdle: Decimal
) -> None:
    low, high = sorted((a, b))
    assert _min(low, lgd, hurdle) <= _min(high, lgd, hurdle)


@settings(max_examples=150, deadline=None)
@given(probabilities, lgds, lgds, hurdles)
def test_minimum_rate_never_falls_as_lgd_rises(
    pd: Decimal, a: Decimal, b: Decimal, hurdle: Decimal
) -> None:
    low, high = sorted((a, b))
    assert _min(pd, low, hurdle) <= _min(pd, high, hurdle)


@settings(max_examples=150, deadline=None)
@given(probabilities, lgds, hurdles, hurdles)
def test_minimum_rate_never_falls_as_the_hurdle_rises(
    pd: Decimal, lgd: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    assert _min(pd, lgd, low) <= _min(pd, lgd, high)


@settings(max_examples=100, deadline=None)
@given(probabilities, lgds, st.decimals(min_value=D("0.03"), max_value=D("0.3"), places=4))
def test_raroc_rises_with_the_rate_and_crosses_the_hurdle_at_the_minimum(
    pd: Decimal, lgd: Decimal, rate: Decimal
) -> None:
    econ = assess(PricingRequest(pd, lgd, Money(D(500_000)), 12, AS_OF))
    floor = minimum_rate(econ).value
    assert (raroc(rate, econ) >= DEFAULT_POLICY.hurdle_rate) == (rate >= floor)
    assert raroc(rate, econ) < raroc(rate + BP, econ)


def test_public_surface_is_pinned() -> None:
    from creditfactory import pricing

    assert pricing.__all__ == sorted(pricing.__all__, key=lambda n: (not n.isupper(), n))
    assert {"offer_rate", "PricingRequest", "irb_risk_weight", "reprice", "assess"} <= set(
        pricing.__all__
    )
    assert all(hasattr(pricing, name) for name in pricing.__all__)
