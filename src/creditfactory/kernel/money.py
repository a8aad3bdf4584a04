"""Money: an exact Decimal amount with a currency, and the one rounding policy.

Invariants:
- amounts are `Decimal`; a `float` anywhere near an amount raises `LossyMoneyOperation`;
- amounts of different currencies never combine (`CurrencyMismatch`);
- rounding happens only at named points, through `quantize_to_minor`, half-up to the currency's
  minor unit (分 for CNY) unless a caller asks for another mode explicitly (Fineract comparisons
  use half-even).

Source: DESIGN.md §4; py-moneyed `classes.py` for the strictness.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Final

from creditfactory.kernel.errors import CurrencyMismatch, LossyMoneyOperation

__all__ = [
    "CNY",
    "MINOR_UNITS",
    "ROUNDING",
    "Money",
    "RoundingMode",
    "ZERO",
    "to_decimal",
    "quantize_to_minor",
]

ROUNDING: Final = ROUND_HALF_UP
"""The project's one rounding policy for money: half-up to the minor unit."""

MINOR_UNITS: Final[dict[str, int]] = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "JPY": 0}
CNY: Final = "CNY"
ZERO: Final = Decimal(0)


class RoundingMode(str, Enum):
    """Rounding modes a product may choose; HALF_UP is the default policy."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal_mode(self) -> str:
        """The `decimal` module constant for this mode."""
        return ROUND_HALF_UP if self is RoundingMode.HALF_UP else ROUND_HALF_EVEN


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Turn an int, a decimal string or a Decimal into a Decimal.

    raises LossyMoneyOperation for float (and bool, which is an int that is never money).
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise LossyMoneyOperation(f"refusing {type(value).__name__} {value!r}: use Decimal or str")
    if isinstance(value, int | str):
        return Decimal(value)
    raise LossyMoneyOperation(f"refusing {type(value).__name__} as an amount")


def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))


def quantize_to_minor(
    amount: Decimal, currency: str = CNY, mode: RoundingMode = RoundingMode.HALF_UP
) -> Decimal:
    """Round `amount` to the currency's minor unit (0.01 for CNY), half-up by default."""
    return amount.quantize(_exponent(currency), rounding=mode.decimal_mode)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency.

    amount: Decimal, may carry more digits than the minor unit until `rounded()` is called.
    currency: ISO 4217 code, default CNY.
    raises LossyMoneyOperation for float amounts or operands; CurrencyMismatch when mixing.
    """

    amount: Decimal
    currency: str = CNY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str = CNY) -> Money:
        """Build Money from an int, a decimal string or a Decimal (never a float)."""
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str = CNY) -> Money:
        """Zero in `currency`."""
        return cls(ZERO, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str = CNY) -> Money:
        """Money from integer minor units (分), as storage keeps it."""
        return cls(Decimal(minor).scaleb(-MINOR_UNITS.get(currency, 2)), currency)

    def to_minor(self) -> int:
        """Integer minor units after rounding half-up; for storage only."""
        return int(self.rounded().amount.scaleb(MINOR_UNITS.get(self.currency, 2)))

    def rounded(self, mode: RoundingMode = RoundingMode.HALF_UP) -> Money:
        """This amount rounded to the minor unit (the named rounding point)."""
        return Money(quantize_to_minor(self.amount, self.currency, mode), self.currency)

    def _check(self, other: object) -> Money:
        if isinstance(other, float):
            raise LossyMoneyOperation("refusing float operand with Money")
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._check(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._check(other).amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        return Money(self.amount / to_decimal(divisor), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._check(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._check(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._check(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def is_zero(self) -> bool:
        """True when the amount is exactly zero."""
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
