"""Kernel rates: fractions, percent and basis points at the edge, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditfactory.kernel.errors import LossyMoneyOperation, ValidationError
from creditfactory.kernel.rates import BP, Rate


def test_constructors_agree() -> None:
    assert Rate.of("0.0445") == Rate.from_percent("4.45") == Rate.from_bp(445)
    assert Rate.from_percent("3.45").plus_bp(100) == Rate.of("0.0445")  # 1Y LPR + 100 bp
    assert BP == Decimal("0.0001")


def test_monthly_rate_is_annual_over_12() -> None:
    assert Rate.of("0.12").monthly() == Decimal("0.01")


def test_negative_and_float_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Rate.of("-0.01")
    assert caught.value.field == "rate"
    with pytest.raises(LossyMoneyOperation):
        Rate.of(0.05)  # type: ignore[arg-type]


def test_spread_floored_at_zero_and_scaled() -> None:
    assert Rate.of("0.0010").plus_bp(-50) == Rate.of(0)
    assert Rate.of("0.04").times(Decimal("1.5")) == Rate.of("0.06")  # 罚息 = contract × 1.5
    assert Rate.of("0.0445").in_bp() == Decimal(445)
    assert str(Rate.of("0.0445")) == "4.45%"
