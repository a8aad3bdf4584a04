"""Limit sizing: min of the caps (DOMAIN.md §2.1 普惠 10 M, §3.6 working capital), by hand and as
a property."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from creditfactory.decisioning import DEFAULT_POLICY, LimitRequest, size_limit
from creditfactory.kernel.money import Money
from creditfactory.origination.limit_estimate import LimitPolicy, revenue_cap

RULES = DEFAULT_POLICY.limits


def test_score_band_caps() -> None:
    # Bands: pd < 0.02 → 3 M, < 0.05 → 2 M, < 0.10 → 1 M, < 0.20 → 0.5 M, < 0.30 → 0.2 M, else 0.
    assert RULES.score_cap(0.0199) == Money.of(3_000_000)
    assert RULES.score_cap(0.02) == Money.of(2_000_000)
    assert RULES.score_cap(0.2999) == Money.of(200_000)
    assert RULES.score_cap(0.30) == Money.of(0)


def test_inclusive_cap_counts_existing_credit() -> None:
    # 10,000,000 − 9,500,000 = 500,000 < requested 800,000 < score cap 2,000,000.
    sizing = size_limit(
        LimitRequest(0.03, Money.of(800_000), existing_credit=Money.of(9_500_000)), RULES
    )
    assert (sizing.limit, sizing.binding) == (Money.of(500_000), "inclusive_cap")


def test_concentration_and_working_capital() -> None:
    conc = size_limit(
        LimitRequest(0.03, Money.of(800_000), existing_exposure=Money.of(4_700_000)), RULES
    )
    assert (conc.limit, conc.binding) == (Money.of(300_000), "concentration")
    # DOMAIN.md §3.6 worked example: need 500,000.00 binds below the request.
    need = size_limit(
        LimitRequest(0.03, Money.of(800_000), working_capital_need=Money.of("500000.00")), RULES
    )
    assert (need.limit, need.binding) == (Money.of(500_000), "working_capital_need")


def test_rounds_down_to_the_step_and_flags_the_minimum() -> None:
    sizing = size_limit(LimitRequest(0.03, Money.of("123456.78")), RULES)
    assert sizing.limit == Money.of(123_000)
    small = size_limit(LimitRequest(0.03, Money.of(9_999)), RULES)
    assert small.below_minimum and small.limit == Money.of(9_000)


@given(
    pd_12m=st.floats(0, 1, allow_nan=False),
    requested=st.integers(1, 20_000_000),
    existing=st.integers(0, 12_000_000),
    need=st.none() | st.integers(0, 20_000_000),
)
def test_limit_is_below_every_cap_and_a_whole_step(
    pd_12m: float, requested: int, existing: int, need: int | None
) -> None:
    request = LimitRequest(
        pd_12m,
        Money.of(requested),
        None if need is None else Money.of(need),
        Money.of(existing),
        Money.of(existing),
    )
    sizing = size_limit(request, RULES)
    assert all(sizing.limit.amount <= max(cap.amount, Decimal(0)) for cap in sizing.caps.values())
    assert sizing.limit.amount % RULES.rounding_step.amount == 0
    assert sizing.limit.amount >= 0


def test_the_revenue_cap_is_the_estimates() -> None:
    # Findings H3, firm E393 of CUMCM 2020 C: 296,934 CNY of sales on its invoices over 12
    # months; the estimate said 41,000–59,000 (296,934 × 0.2 = 59,386.8). The decision sizes
    # under the same cap; invoices bound a declared figure (× 1.2) and stand alone without one.
    policy = LimitPolicy(version="t", product_max=Money.of(3_000_000))
    invoiced = Money.of("296934")
    assert revenue_cap(None, invoiced, policy) == Money.of("59386.8")
    assert revenue_cap(Money.of(1_000_000), invoiced, policy) == Money.of("71264.16")
    assert revenue_cap(Money.of(100_000), invoiced, policy) == Money.of(20_000)
    assert revenue_cap(Money.of(100_000), None, policy) == Money.of(10_000)  # × 0.5 haircut
    assert revenue_cap(None, None, policy) is None
    sized = size_limit(
        LimitRequest(0.01, Money.of(1_000_000), revenue_cap=revenue_cap(None, invoiced, policy)),
        DEFAULT_POLICY.limits,
    )
    assert (sized.limit, sized.binding) == (Money.of(59_000), "revenue_multiple")
