"""An LPR series that is current on the day the tests run, for tests about something else.

The shipped series ends where sourcing ended (pricing/lpr_series.py); on a later day every
decision is referred for a stale LPR, as it should be. Tests of the 310 flow that are not about
rates extend it with one fixing per month up to today at the last shipped values, tagged U and
named as a test fixture — never a published value.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from creditfactory.pricing.lpr import LPRSeries, default_lpr_series, next_fixing_date

__all__ = ["LPR_CURRENT_ON", "current_series"]

LPR_CURRENT_ON = default_lpr_series().end
"""A business date on which the shipped series is current (its last fixing): servers started
as subprocesses run on it (CREDITFACTORY_AS_OF)."""


def current_series(today: date | None = None) -> LPRSeries:
    """The shipped series extended by monthly test fixings through `today` (default: now)."""
    shipped = default_lpr_series()
    day, last, added = today or date.today(), shipped.fixings[-1], []
    fixing_date = next_fixing_date(last.effective_date)
    while fixing_date <= day:
        added.append(replace(last, effective_date=fixing_date, confidence="U",
                             source="test fixture (not a published value)"))  # fmt: skip
        fixing_date = next_fixing_date(fixing_date)
    return shipped.extended(added, f"{shipped.version}+test-{day.isoformat()}")
