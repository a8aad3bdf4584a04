"""LPR lookup, the contract rate (LPR + spread_bp) and repricing of floating loans.

Invariants: the series is sorted by effective date; a lookup returns the latest publication on or
before the date asked for; a date before the first publication (2019-08-20) is a `ValidationError`
naming the field. Source: DOMAIN.md §3.1 (contract rate = tenor-matched LPR + 加点 in bp, 加点 may
be negative; floating contracts reprice to the then-current LPR plus the fixed spread).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.lpr_series import LPR_ROWS, LPR_SERIES_VERSION

__all__ = [
    "LPRFixing",
    "LPRSeries",
    "LPRTenor",
    "contract_rate",
    "default_lpr_series",
    "reprice",
    "spread_bp_over",
    "tenor_for_term",
]

_FIVE_YEARS_MONTHS = 60


class LPRTenor(str, Enum):
    """The two published tenors."""

    ONE_YEAR = "1Y"
    OVER_FIVE_YEAR = "5Y+"


@dataclass(frozen=True, slots=True)
class LPRFixing:
    """One publication: effective date, both tenors, confidence tag (C/P/U) and source."""

    effective_date: date
    one_year: Rate
    over_five_year: Rate
    confidence: str
    source: str

    def rate(self, tenor: LPRTenor) -> Rate:
        """The rate of `tenor` in this fixing."""
        return self.one_year if tenor is LPRTenor.ONE_YEAR else self.over_five_year


@dataclass(frozen=True)
class LPRSeries:
    """A dated LPR series (sorted ascending, non-empty) with its data version."""

    version: str
    fixings: tuple[LPRFixing, ...]
    _dates: list[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dates = [f.effective_date for f in self.fixings]
        if not dates or dates != sorted(set(dates)):
            raise ValueError("LPR fixings must be non-empty, unique and sorted by date")
        object.__setattr__(self, "_dates", dates)

    @property
    def start(self) -> date:
        """The first publication date."""
        return self.fixings[0].effective_date

    @property
    def end(self) -> date:
        """The last publication date in the series."""
        return self.fixings[-1].effective_date

    def fixing_on(self, as_of: date, field: str = "as_of") -> LPRFixing:
        """The latest fixing published on or before `as_of`.

        raises ValidationError(field, …) when `as_of` precedes the series.
        """
        index = bisect_right(self._dates, as_of)
        if index == 0:
            raise ValidationError(
                field, f"must be on or after {self.start} (first LPR), got {as_of}"
            )
        return self.fixings[index - 1]

    def rate_on(self, as_of: date, tenor: LPRTenor, field: str = "as_of") -> Rate:
        """The LPR of `tenor` in force on `as_of`."""
        return self.fixing_on(as_of, field).rate(tenor)


@cache
def default_lpr_series() -> LPRSeries:
    """The shipped series (`lpr_series.LPR_ROWS`, version `LPR_SERIES_VERSION`)."""
    fixings = tuple(
        LPRFixing(date.fromisoformat(d), Rate.from_percent(one), Rate.from_percent(five), tag, src)
        for d, one, five, tag, src in LPR_ROWS
    )
    return LPRSeries(LPR_SERIES_VERSION, fixings)


def tenor_for_term(term_months: int) -> LPRTenor:
    """Tenor matching a loan term: up to 5 years → 1Y, longer → 5Y+ (DOMAIN.md §3.1).

    raises ValidationError("term_months", …) when term_months < 1.
    """
    if term_months < 1:
        raise ValidationError("term_months", f"must be >= 1, got {term_months}")
    return LPRTenor.ONE_YEAR if term_months <= _FIVE_YEARS_MONTHS else LPRTenor.OVER_FIVE_YEAR


def contract_rate(
    spread_bp: int, tenor: LPRTenor, as_of: date, series: LPRSeries | None = None
) -> Rate:
    """Contract rate = LPR(tenor, as_of) + spread_bp (spread may be negative; floored at 0)."""
    lpr = (series or default_lpr_series()).rate_on(as_of, tenor)
    return lpr.plus_bp(spread_bp)


def reprice(
    spread_bp: int, tenor: LPRTenor, repricing_date: date, series: LPRSeries | None = None
) -> Rate:
    """The new rate of a floating loan on its repricing date: the LPR then in force + the fixed spread.

    Servicing calls this on each agreed repricing date (a contract term, e.g. every 1 January).
    raises ValidationError("repricing_date", …) before the series starts.
    """
    lpr = (series or default_lpr_series()).rate_on(repricing_date, tenor, "repricing_date")
    return lpr.plus_bp(spread_bp)


def spread_bp_over(rate: Rate, lpr: Rate) -> Decimal:
    """The spread of `rate` over `lpr` in basis points (unrounded)."""
    return rate.in_bp() - lpr.in_bp()
