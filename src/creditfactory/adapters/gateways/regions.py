"""GB/T 2260 address codes with validity years, from python-stdnum's dated `cn/loc` table.

Implements `origination.identity.RegionRegistry`: a 6-digit code is registered in a year when one
of its table entries has no year range, or a range "[start-end]" containing that year (the rule
python-stdnum's `cn.ric.get_birth_place` applies to the birth year). Years before the first
edition (GB 2260-80, 1980) are not covered by the table — people born earlier got numbers with
whatever code was in force when cards were issued — so for them any code the table ever listed
is accepted (this keeps the GB 11643-1999 example 440524188001010014, born 1880, valid).
The table is loaded once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from stdnum import numdb

__all__ = ["FIRST_EDITION_YEAR", "StdnumRegionRegistry"]

FIRST_EDITION_YEAR: Final = 1980


def _in_range(county: str, year: int) -> bool:
    if not county.startswith("[") or year < FIRST_EDITION_YEAR:
        return True
    start, end = county[1:].split("]", 1)[0].split("-")
    return (not start or year >= int(start)) and (not end or year <= int(end))


@lru_cache(maxsize=4096)
def _counties(region_code: str) -> tuple[str, ...]:
    results = numdb.get("cn/loc").info(region_code)
    info = {k: v for _part, props in results for k, v in props.items()}
    county = info.get("county")
    return tuple(county.split(",")) if county else ()


class StdnumRegionRegistry:
    """The dated GB/T 2260 table shipped with python-stdnum (compiled from Wikipedia lists)."""

    def is_registered(self, region_code: str, year: int) -> bool:
        """True when `region_code` (6 digits) was in force in `year`."""
        if len(region_code) != 6 or not region_code.isdigit():
            return False
        return any(_in_range(c, year) for c in _counties(region_code))
