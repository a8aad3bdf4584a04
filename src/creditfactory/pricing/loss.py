"""Expected loss: EL = PD × LGD × EAD (DOMAIN.md §6.1; Basel II para 272 notation).

PD is a 12-month probability (`pd_12m`); the scoring model hands it over as a float, so this module
turns it into a Decimal through its shortest repr (`Decimal(repr(x))`, exact for what was printed)
before any money is touched. LGD is a Decimal fraction; EAD is `Money`. EL is returned unrounded:
rounding to 分 happens where it is booked or shown.
"""

from __future__ import annotations

from decimal import Decimal

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money

__all__ = ["el_rate", "expected_loss", "fraction", "non_negative_money"]

_ONE = Decimal(1)


def fraction(value: Decimal | float | int | str, field: str) -> Decimal:
    """`value` as a Decimal in [0, 1]; raises ValidationError(field, …) otherwise."""
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except ArithmeticError:
        raise ValidationError(field, f"must be a number in [0, 1], got {value!r}") from None
    if not number.is_finite() or not 0 <= number <= _ONE:
        raise ValidationError(field, f"must be in [0, 1], got {value}")
    return number


def non_negative_money(amount: Money, field: str = "ead") -> Money:
    """`amount` unchanged when >= 0; raises ValidationError(field, …) when negative."""
    if amount.amount < 0:
        raise ValidationError(field, f"must be >= 0, got {amount.amount}")
    return amount


def el_rate(pd_12m: Decimal | float, lgd: Decimal | float) -> Decimal:
    """Expected loss per unit of exposure per year: PD × LGD (a Decimal fraction)."""
    return fraction(pd_12m, "pd_12m") * fraction(lgd, "lgd")


def expected_loss(pd_12m: Decimal | float, lgd: Decimal | float, ead: Money) -> Money:
    """EL = PD × LGD × EAD, unrounded Money in EAD's currency.

    raises ValidationError for PD or LGD outside [0, 1] or a negative EAD.
    """
    return non_negative_money(ead) * el_rate(pd_12m, lgd)
