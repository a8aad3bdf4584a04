"""How the workbench shows values (the Jinja filters of `render.ENV`; also usable from Python,
e.g. in exports):

- `money`: a `Money` or `Decimal` amount → "1,234,567.80 元" (CNY) or "1,234.50 USD" (another
  currency): thousands separators, the currency's minor unit, half-up (kernel.money's policy).
  A float or a bool is refused (TypeError): amounts are never binary floats.
- `money_minor`: integer minor units as stored (`amount_minor`, 分) → the same text.
- `cst`: a timezone-aware UTC time → "2026-12-07 10:15 CST" (China Standard Time, UTC+8, no
  daylight saving: Asia/Shanghai). A naive time is refused (ValueError): event times are
  UTC-aware everywhere, so a naive one is a defect to surface, not to guess at.
- `day`: a date → "2026-12-07".
- `grade`: a five-category grade (五级分类, `servicing.classification.LoanGrade` or its value)
  → (css class, 中文, English): 正常 Pass, 关注 Special mention, 次级 Substandard, 可疑 Doubtful,
  损失 Loss (the 2023 NFRA/PBoC 金融资产风险分类办法 names).
- `masked_id`: a long identifier shown short ("app_01JX…K9F2"); the page keeps the whole id in
  the copy button (macro `id_copy`).
- `pct`: a yearly rate kept as a fraction ("0.0875") → "8.75 %".
- `uscc_masked`: a USCC (统一社会信用代码, 18 characters) with its middle masked, first 6 / last
  4 kept (origination.masking, JR/T 0171-2020 C2 practice).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

from creditfactory.kernel.money import CNY, Money, quantize_to_minor
from creditfactory.origination.masking import mask_id_number
from creditfactory.servicing.classification import LoanGrade

__all__ = [
    "CST",
    "GRADE_LABELS",
    "cst",
    "day",
    "grade",
    "masked_id",
    "money",
    "money_minor",
    "pct",
    "uscc_masked",
]

CST: Final = timezone(timedelta(hours=8), "CST")
"""China Standard Time: UTC+8 all year (Asia/Shanghai has had no daylight saving since 1991)."""

GRADE_LABELS: Final = {
    LoanGrade.PASS: ("正常", "Pass"),
    LoanGrade.SPECIAL_MENTION: ("关注", "Special mention"),
    LoanGrade.SUBSTANDARD: ("次级", "Substandard"),
    LoanGrade.DOUBTFUL: ("可疑", "Doubtful"),
    LoanGrade.LOSS: ("损失", "Loss"),
}
_SHOWN_ID_ENDS: Final = (8, 4)


def money(value: Money | Decimal) -> str:
    """ "1,234,567.80 元" for CNY; "1,234.50 USD" for another currency (module docstring)."""
    if isinstance(value, Money):
        amount, currency = value.amount, value.currency
    elif isinstance(value, Decimal):
        amount, currency = value, CNY
    else:
        raise TypeError(f"money: a Money or Decimal, not {type(value).__name__}")
    text = f"{quantize_to_minor(amount, currency):,}"
    return f"{text} 元" if currency == CNY else f"{text} {currency}"


def money_minor(minor: int | None, currency: str = CNY) -> str:
    """Integer minor units (分 for CNY) → `money` text; None → "" (no amount)."""
    if minor is None:
        return ""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"money_minor: an int of minor units, not {type(minor).__name__}")
    return money(Money.from_minor(minor, currency))


def cst(moment: datetime | None) -> str:
    """A UTC-aware time → "2026-12-07 10:15 CST"; None → "". raises ValueError when naive."""
    if moment is None:
        return ""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"cst: {moment!r} is naive; event times are timezone-aware UTC")
    return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M CST")


def day(value: date | None) -> str:
    """A date → "2026-12-07" (a datetime shows its CST date); None → ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return cst(value)[:10]
    return value.isoformat()


def grade(value: LoanGrade | str) -> tuple[str, str, str]:
    """(css class, 中文, English) of a five-category grade. raises ValueError when unknown."""
    found = LoanGrade(value)
    zh, en = GRADE_LABELS[found]
    return f"grade-{found.value.lower().replace('_', '-')}", zh, en


def masked_id(value: str | None) -> str:
    """A long id shortened for display, its first 8 and last 4 characters kept around "…";
    an id of 14 characters or fewer whole. The whole id stays copyable (macro `id_copy`)."""
    if not value:
        return ""
    head, tail = _SHOWN_ID_ENDS
    return value if len(value) <= head + tail + 2 else f"{value[:head]}…{value[-tail:]}"


def uscc_masked(value: str | None) -> str:
    """A USCC with its middle masked: "91350100M000100Y43" → "913501********0Y43"."""
    return mask_id_number(value) if value else ""


def pct(rate: Decimal | str | None) -> str:
    """A yearly rate as a fraction (decimal text or Decimal, as records keep it) → percent to at
    most 4 decimals, trailing zeros dropped: "0.0875" → "8.75 %"; None → ""."""
    if rate is None or rate == "":
        return ""
    if isinstance(rate, float | bool):
        raise TypeError("pct: a Decimal or decimal text, not a float")
    percent = (Decimal(rate) * 100).quantize(Decimal("0.0001"))
    text = f"{percent.normalize():f}"
    return f"{text} %"
