"""Kernel money: float refused, currencies kept apart, the named rounding points."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditfactory.kernel.errors import CurrencyMismatch, LossyMoneyOperation
from creditfactory.kernel.money import Money, RoundingMode, quantize_to_minor, to_decimal


@pytest.mark.parametrize("bad", [0.1, 1.0, True], ids=["float", "float-whole", "bool"])
def test_float_and_bool_are_refused(bad: object) -> None:
    with pytest.raises(LossyMoneyOperation):
        to_decimal(bad)  # type: ignore[arg-type]
    with pytest.raises(LossyMoneyOperation):
        Money(bad)  # type: ignore[arg-type]


def test_float_operands_are_refused() -> None:
    with pytest.raises(LossyMoneyOperation):
        Money.of("1") * 1.5  # type: ignore[operator]
    with pytest.raises(LossyMoneyOperation):
        Money.of("1") + 0.5  # type: ignore[operator]


def test_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "CNY") + Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "CNY") < Money.of("2", "USD")


@pytest.mark.parametrize(
    ("amount", "half_up", "half_even"),
    [("0.005", "0.01", "0.00"), ("0.015", "0.02", "0.02"), ("2.675", "2.68", "2.68"),
     ("2.665", "2.67", "2.66"), ("-0.005", "-0.01", "-0.00")],
)  # fmt: skip
def test_half_up_versus_half_even_at_half_a_cent(amount: str, half_up: str, half_even: str) -> None:
    value = Decimal(amount)
    assert quantize_to_minor(value) == Decimal(half_up)  # the project default
    assert quantize_to_minor(value, mode=RoundingMode.HALF_EVEN) == Decimal(half_even)
    assert Money(value).rounded().amount == Decimal(half_up)


def test_minor_units_round_trip() -> None:
    assert Money.from_minor(12345).amount == Decimal("123.45")
    assert Money.of("123.455").to_minor() == 12346
    assert Money.from_minor(5, "JPY").amount == Decimal(5)


def test_arithmetic_is_exact() -> None:
    third = Money.of(100) / 3
    assert (third * 3).rounded() == Money.of("100.00")
    assert Money.of("0.1") + Money.of("0.2") == Money.of("0.3")
