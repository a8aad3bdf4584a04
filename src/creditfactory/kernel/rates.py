"""Rates: annual nominal rates as Decimal fractions, spreads in basis points.

`Rate("0.0435")` is 4.35 % a year. Percent never lives in a variable; convert at the edge with
`Rate.from_percent`. Source: STYLE.md field terms; DOMAIN.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import to_decimal

__all__ = ["BP", "Rate"]

BP: Final = Decimal("0.0001")
"""One basis point as a fraction."""


@dataclass(frozen=True, slots=True, order=True)
class Rate:
    """An annual nominal rate as a Decimal fraction (0.0435 = 4.35 %).

    raises LossyMoneyOperation for float; ValidationError when negative.
    """

    value: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", to_decimal(self.value))
        if self.value < 0:
            raise ValidationError("rate", f"must be >= 0, got {self.value}")

    @classmethod
    def of(cls, value: Decimal | int | str) -> Rate:
        """A rate from a fraction given as Decimal, int or string."""
        return cls(to_decimal(value))

    @classmethod
    def from_percent(cls, percent: Decimal | int | str) -> Rate:
        """A rate from percent (4.35 → 0.0435)."""
        return cls(to_decimal(percent) / 100)

    @classmethod
    def from_bp(cls, bp: int) -> Rate:
        """A rate from whole basis points (435 → 0.0435)."""
        return cls(Decimal(bp) * BP)

    def plus_bp(self, spread_bp: int) -> Rate:
        """This rate plus a spread in basis points (may be negative; result floored at 0)."""
        return Rate(max(Decimal(0), self.value + Decimal(spread_bp) * BP))

    def times(self, factor: Decimal) -> Rate:
        """This rate scaled, e.g. penalty rate = contract rate × 1.5."""
        return Rate(self.value * factor)

    def monthly(self) -> Decimal:
        """月利率 = 年利率 ÷ 12 (DOMAIN.md §3.3)."""
        return self.value / 12

    def in_bp(self) -> Decimal:
        """This rate in basis points."""
        return self.value / BP

    def __str__(self) -> str:
        return f"{(self.value * 100).normalize():f}%"
