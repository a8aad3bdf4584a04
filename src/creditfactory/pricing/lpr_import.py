"""Validate LPR fixings to import (`creditfactory rates import`, `POST /api/v1/rates`).

Input: rows of text fields (a CSV file's rows or a JSON list), each
`{"effective_date": "2026-04-20", "one_year": "3.00", "over_five_year": "3.50",
  "confidence": "C", "source": "Xinhua 2026-04-20"}` — rates in percent, as NIFC publishes them.
Every row is checked (DOMAIN.md §3.1 for the rules of the mechanism):

- `effective_date`: a date written YYYY-MM-DD from 2019-08-20 (the first reformed LPR) and not after
  `today`, on the 20th of its month or the few days after (a fixing postponed past a weekend
  or holiday: 20th–28th);
- `one_year`, `over_five_year`: plain decimal percent text (ASCII digits, at most two decimals:
  not `3E0`, full-width digits or `3_00`) in [0.05, 20.00] on the 0.05 pp step NIFC rounds
  to (`3.00`, `3.45`; not `3.07`);
- `confidence`: C confirmed, P partly confirmed, U unverified (DOMAIN.md tags);
- `source`: where the value was read (1–500 characters);
- no text field (nor the import's note) holds a control or format character (NUL, a line break,
  a bidi override): they are shown to a checker and stored as text;
- two rows for one date must agree (an identical repeat is kept once), and a month has one fixing;
- a row may not change a published fixing (`published`: the series decisions price on): another
  date in a published month, or another 1Y / 5Y+ value on a published date, is refused unless the
  import is a `correction` (then `corrections` lists old → new for the checker).

The first bad row raises `ValidationError("rows[<n>].<field>", rule)` (n counts from 1, as a
person reads a file); nothing is imported then. Pure: `today` is an input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.lpr import LPRFixing
from creditfactory.pricing.lpr_series import LPR_SERIES_START

__all__ = ["FIELDS", "corrections", "parse_fixings", "plain_text"]

FIELDS: Final = ("effective_date", "one_year", "over_five_year", "confidence", "source")
_STEP: Final = Decimal("0.05")  # NIFC rounds to the nearest 0.05 % (DOMAIN.md §3.1)
_LOW, _HIGH = Decimal("0.05"), Decimal("20.00")
_LATEST_DAY: Final = 28  # the 20th postponed by a weekend and a week-long holiday at most
_TAGS: Final = ("C", "P", "U")
_MAX_ROWS: Final = 1000
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # not 20261120, 2026-W47-5
_PLAIN_PERCENT: Final = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")  # not 3E0, ３.00, 3_00


def plain_text(value: str, field: str, limit: int = 500) -> str:
    """`value` when it has at most `limit` characters and no control or format character (Unicode
    categories Cc, Cf). raises ValidationError(field)."""
    if len(value) > limit:
        raise ValidationError(field, f"at most {limit} characters")
    bad = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Cf")), None)
    if bad is not None:
        raise ValidationError(field, f"a control or format character {bad!r} is not allowed")
    return value


def _text(row: Mapping[str, object], name: str, where: str) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{where}.{name}", "required (text)")
    return plain_text(value.strip(), f"{where}.{name}")


def _date(row: Mapping[str, object], where: str, today: date) -> date:
    text = _text(row, "effective_date", where)
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"{where}.effective_date", f"a date YYYY-MM-DD, got {text!r}"
        ) from None
    if day < date.fromisoformat(LPR_SERIES_START) or day > today:
        raise ValidationError(
            f"{where}.effective_date", f"from {LPR_SERIES_START} to {today}, got {day}"
        )
    if not 20 <= day.day <= _LATEST_DAY:
        raise ValidationError(
            f"{where}.effective_date",
            f"a fixing is published on the 20th or the next business day, got {day}",
        )
    return day


def _percent(row: Mapping[str, object], name: str, where: str) -> Rate:
    text = _text(row, name, where)
    try:
        if not _PLAIN_PERCENT.fullmatch(text):
            raise InvalidOperation(text)
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{where}.{name}", f"a percent like 3.00, got {text!r}") from None
    if not value.is_finite() or not _LOW <= value <= _HIGH:
        raise ValidationError(f"{where}.{name}", f"a percent in [{_LOW}, {_HIGH}], got {text}")
    if value % _STEP != 0:
        raise ValidationError(f"{where}.{name}", f"a multiple of {_STEP} pp, got {text}")
    return Rate.from_percent(value)


def _fixing(row: Mapping[str, object], where: str, today: date) -> LPRFixing:
    if not isinstance(row, Mapping):
        raise ValidationError(where, "an object with " + ", ".join(FIELDS))
    unknown = sorted(set(row) - set(FIELDS))
    if unknown:
        raise ValidationError(f"{where}.{unknown[0]}", "unknown field; known: " + ", ".join(FIELDS))
    day = _date(row, where, today)
    one, five = _percent(row, "one_year", where), _percent(row, "over_five_year", where)
    tag = _text(row, "confidence", where)
    if tag not in _TAGS:
        raise ValidationError(f"{where}.confidence", f"C | P | U, got {tag!r}")
    return LPRFixing(day, one, five, tag, _text(row, "source", where))


_CORRECTION: Final = (
    'corrections need --correction (API: "correction": true) with the reason in the note'
)


def _month(day: date) -> tuple[int, int]:
    return day.year, day.month


def _unchanged(fixing: LPRFixing, old: LPRFixing | None, where: str) -> None:
    """Refuse a row that would change the published fixing `old` of its month."""
    if old is None:
        return
    if old.effective_date != fixing.effective_date:
        raise ValidationError(
            f"{where}.effective_date",
            f"{fixing.effective_date:%Y-%m} has the published fixing of {old.effective_date}; "
            + _CORRECTION,
        )
    mine, theirs = fixing.to_dict(), old.to_dict()
    for name in ("one_year", "over_five_year"):
        if mine[name] != theirs[name]:
            raise ValidationError(
                f"{where}.{name}",
                f"differs from the published fixing of {old.effective_date} ({theirs[name]}); "
                + _CORRECTION,
            )


def parse_fixings(
    rows: Sequence[Mapping[str, object]], today: date, published: Sequence[LPRFixing] = (),
    correction: bool = False,
) -> tuple[LPRFixing, ...]:  # fmt: skip
    """The fixings of `rows`, sorted by date (module docstring); `published` are the fixings in
    force, which rows may change only when `correction`. raises ValidationError naming
    `rows[<n>].<field>`, or `rows` when there are none or more than 1,000."""
    if not rows:
        raise ValidationError("rows", "at least one fixing")
    if len(rows) > _MAX_ROWS:
        raise ValidationError("rows", f"at most {_MAX_ROWS} fixings per import")
    in_force = {_month(f.effective_date): f for f in published}
    seen: dict[tuple[int, int], tuple[int, LPRFixing]] = {}
    for n, row in enumerate(rows, start=1):
        where = f"rows[{n}]"
        fixing = _fixing(row, where, today)
        first = seen.get(_month(fixing.effective_date))
        if first is not None and first[1] != fixing:
            other = first[1].effective_date
            rule = (f"{other} is also row {first[0]} with other values"
                    if other == fixing.effective_date
                    else f"one fixing per month: row {first[0]} is {other}")  # fmt: skip
            raise ValidationError(f"{where}.effective_date", rule)
        if not correction:
            _unchanged(fixing, in_force.get(_month(fixing.effective_date)), where)
        seen.setdefault(_month(fixing.effective_date), (n, fixing))
    return tuple(f for _, f in sorted(seen.values(), key=lambda nf: nf[1].effective_date))


def corrections(fixings: Sequence[LPRFixing], published: Sequence[LPRFixing]) -> list[str]:
    """The published fixings `fixings` would change, as "2019-08-20 1Y 4.25 → 4.20, 5Y+ 4.85 →
    4.85" lines for the checker (the month's published fixing, whatever its day)."""
    in_force = {_month(f.effective_date): f for f in published}
    changed = []
    for fixing in fixings:
        old = in_force.get(_month(fixing.effective_date))
        if old is None or (old.one_year, old.over_five_year, old.effective_date) == (
            fixing.one_year,
            fixing.over_five_year,
            fixing.effective_date,
        ):
            continue
        was, new = old.to_dict(), fixing.to_dict()
        day = was["effective_date"] + ("" if old.effective_date == fixing.effective_date
                                       else f" → {new['effective_date']}")  # fmt: skip
        changed.append(f"{day} 1Y {was['one_year']} → {new['one_year']}, "
                       f"5Y+ {was['over_five_year']} → {new['over_five_year']}")  # fmt: skip
    return changed
