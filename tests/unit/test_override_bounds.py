"""The approver's override bounds (decisioning.override), pure: the bounds are inclusive at both
ends, each term is checked on its own field, and a reason is always needed (property tests over
the bounds; the figures of a real policy are in tests/integration/test_referral_desk.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.decisioning.override import Override, OverrideBounds, check_override
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money

BOUNDS = OverrideBounds(Money.of("10000"), Money.of("300000"), 36, Decimal("0.04"),
                        Decimal("0.15"))  # fmt: skip
CENTS = st.integers(min_value=0, max_value=100_000_000).map(Money.from_minor)


def _refused(override: Override) -> str | None:
    try:
        check_override(override, BOUNDS)
    except ValidationError as refused:
        return refused.field
    return None


@given(CENTS)
def test_an_amount_passes_exactly_when_within_the_bounds(amount: Money) -> None:
    inside = BOUNDS.minimum <= amount <= BOUNDS.maximum
    assert _refused(Override("理由", amount=amount)) == (None if inside else "override.amount")


@given(st.integers(min_value=-5, max_value=400))
def test_a_term_passes_exactly_from_one_month_to_the_products_maximum(term: int) -> None:
    inside = 1 <= term <= 36
    assert _refused(Override("理由", term_months=term)) == (
        None if inside else "override.term_months")  # fmt: skip


@given(st.decimals(min_value=0, max_value=1, places=6))
def test_a_rate_passes_exactly_within_the_products_floor_and_cap(rate: Decimal) -> None:
    inside = Decimal("0.04") <= rate <= Decimal("0.15")
    assert _refused(Override("理由", annual_rate=rate)) == (
        None if inside else "override.annual_rate")  # fmt: skip


@pytest.mark.parametrize(("override", "field"), [
    (Override("", amount=Money.of("20000")), "override.reason"),
    (Override(" \n", amount=Money.of("20000")), "override.reason"),
    (Override("x" * 501, amount=Money.of("20000")), "override.reason"),
    (Override("什么都不改"), "override"),
    # the first term outside names the field even when another is fine
    (Override("理由", amount=Money.of("20000"), annual_rate=Decimal("0.16")),
     "override.annual_rate"),
])  # fmt: skip
def test_reason_and_something_to_change_are_required(override: Override, field: str) -> None:
    assert _refused(override) == field
