"""LPR lookup, the contract rate (LPR + spread_bp) and repricing of floating loans.

Invariants: the series is sorted by effective date; a lookup returns the latest publication on or
before the date asked for; a date before the first publication (2019-08-20) is a `ValidationError`
naming the field. Source: DOMAIN.md §3.1 (contract rate = tenor-matched LPR + 加点 in bp, 加点 may
be negative; floating contracts reprice to the then-current LPR plus the fixed spread).

Staleness (`next_fixing_date`, `stale_after`): the LPR is published on the 20th of every month,
postponed to the next business day when the 20th is not one (DOMAIN.md §3.1). A series whose last
fixing is F is current until the next monthly fixing after F plus a grace of N business days; after
that a newer fixing should exist and the series is stale (the decision refers, never prices on it).
Business days come from the China bank calendar where it has the year (`kernel.calendar`), else
Monday–Friday (a holiday the calendar does not know makes the series stale a few days early).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache

from creditfactory.kernel.calendar import BusinessCalendar, china_calendar
from creditfactory.kernel.errors import CalendarError, ValidationError
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.lpr_series import LPR_ROWS, LPR_SERIES_VERSION

__all__ = [
    "LPRFixing",
    "LPRSeries",
    "LPRTenor",
    "contract_rate",
    "default_lpr_series",
    "next_fixing_date",
    "reprice",
    "spread_bp_over",
    "stale_after",
    "tenor_for_term",
]

_FIVE_YEARS_MONTHS = 60
_FIXING_DAY = 20  # quoting banks submit by 9:00 on the 20th (DOMAIN.md §3.1)
_SATURDAY = 5


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

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form; rates in percent as decimal text ("3.00"), as published."""
        return {
            "effective_date": self.effective_date.isoformat(),
            "one_year": _percent_text(self.one_year),
            "over_five_year": _percent_text(self.over_five_year),
            "confidence": self.confidence,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, row: Mapping[str, str]) -> LPRFixing:
        """The fixing of a `to_dict` row (or a stored one with the same keys)."""
        return cls(
            date.fromisoformat(row["effective_date"]),
            Rate.from_percent(row["one_year"]),
            Rate.from_percent(row["over_five_year"]),
            row["confidence"],
            row["source"],
        )


def _percent_text(rate: Rate) -> str:
    return str((rate.value * 100).quantize(Decimal("0.01")))


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

    def excerpt(self, as_of: date) -> LPRSeries:
        """The fixings a decision on `as_of` reads — the one in force and the last (which sets
        staleness) — under this version: pricing on the excerpt equals pricing on the series, so
        a replay needs only these. raises ValidationError before the series."""
        used = self.fixing_on(as_of)
        return LPRSeries(self.version, tuple(dict.fromkeys((used, self.fixings[-1]))))

    def extended(self, fixings: Iterable[LPRFixing], version: str) -> LPRSeries:
        """This series with `fixings` added under `version`; a fixing on a date the series has
        replaces it (a published correction overrides the shipped value)."""
        by_date = {f.effective_date: f for f in self.fixings}
        by_date.update((f.effective_date, f) for f in fixings)
        return LPRSeries(version, tuple(by_date[d] for d in sorted(by_date)))


@cache
def default_lpr_series() -> LPRSeries:
    """The shipped series (`lpr_series.LPR_ROWS`, version `LPR_SERIES_VERSION`)."""
    fixings = tuple(
        LPRFixing(date.fromisoformat(d), Rate.from_percent(one), Rate.from_percent(five), tag, src)
        for d, one, five, tag, src in LPR_ROWS
    )
    return LPRSeries(LPR_SERIES_VERSION, fixings)


def _business_day(d: date, calendar: BusinessCalendar) -> bool:
    try:
        return calendar.is_business_day(d)
    except CalendarError:  # a year the calendar has no data for: weekdays only
        return d.weekday() < _SATURDAY


def _following(d: date, calendar: BusinessCalendar) -> date:
    while not _business_day(d, calendar):
        d += timedelta(days=1)
    return d


def next_fixing_date(after: date, calendar: BusinessCalendar | None = None) -> date:
    """The monthly fixing that follows a fixing on `after`: the 20th of the next month, moved to
    the next business day (e.g. 2025-09-22 → 2025-10-20; 2026-01-20 → 2026-02-24, 春节)."""
    cal = calendar or china_calendar()
    year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    return _following(date(year, month, _FIXING_DAY), cal)


def stale_after(
    last_fixing: date, grace_business_days: int, calendar: BusinessCalendar | None = None
) -> date:
    """The last business date a series ending at `last_fixing` is current: the next fixing plus
    `grace_business_days` business days. A date after it is stale.

    raises ValidationError("grace_business_days", …) when negative.
    """
    if grace_business_days < 0:
        raise ValidationError("grace_business_days", f"must be >= 0, got {grace_business_days}")
    cal = calendar or china_calendar()
    day = next_fixing_date(last_fixing, cal)
    for _ in range(grace_business_days):
        day = _following(day + timedelta(days=1), cal)
    return day


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
