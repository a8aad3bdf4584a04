"""Kernel: money, rates, day counts, the business calendar, ids, clock and the error tree.

Standard library only; every context may import it.
"""

from creditfactory.kernel.calendar import BusinessCalendar, DateAdjustment, china_calendar
from creditfactory.kernel.clock import Clock, FixedClock, SystemClock
from creditfactory.kernel.daycount import DayCount, day_count, year_fraction
from creditfactory.kernel.errors import (
    CalendarError,
    CreditFactoryError,
    CurrencyMismatch,
    DomainError,
    LossyMoneyOperation,
    MoneyError,
    ValidationError,
)
from creditfactory.kernel.ids import IdFactory, RandomIds, SequentialIds
from creditfactory.kernel.money import CNY, Money, RoundingMode, quantize_to_minor, to_decimal
from creditfactory.kernel.rates import BP, Rate

__all__ = [
    "BP",
    "CNY",
    "BusinessCalendar",
    "CalendarError",
    "Clock",
    "CreditFactoryError",
    "CurrencyMismatch",
    "DateAdjustment",
    "DayCount",
    "DomainError",
    "FixedClock",
    "IdFactory",
    "LossyMoneyOperation",
    "Money",
    "MoneyError",
    "RandomIds",
    "Rate",
    "RoundingMode",
    "SequentialIds",
    "SystemClock",
    "ValidationError",
    "china_calendar",
    "day_count",
    "quantize_to_minor",
    "to_decimal",
    "year_fraction",
]
