"""The Loan Prime Rate (贷款市场报价利率, LPR) as versioned data: one row per publication date.

Each row: effective (publication) date, 1-year and over-5-year (5 年期以上) rates in percent as
strings, a confidence tag and its source. Tags as in DOMAIN.md: C confirmed, P partly confirmed,
U unconfirmed. Rows from 2021-12-20 on come from DOMAIN.md §3.2; the rows from 2019-08-20 to 2020-04-20
are the historical monthly values given in the pricing brief (issue 5) and are not yet checked
against the NIFC (全国银行间同业拆借中心, chinamoney.com.cn) archive, hence [U]. Before 2025-09
months without a row had no change; from 2025-09-22 on every monthly fixing has its row (issue 12),
each with the news report it was read from. Sourcing ends at 2026-03-20: no later fixing was found
in the sources searched, so none is written here (an invented value would price loans); a
deployment imports the current fixings with `creditfactory rates import` (docs/pricing.md), and
until it does the series is stale and decisions are referred. The last row fixes the staleness
clock, so it is the last fixing known, not the last change.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LPR_ROWS", "LPR_SERIES_VERSION", "LPR_SERIES_START"]

LPR_SERIES_VERSION: Final = "lpr-2026-03-20"
LPR_SERIES_START: Final = "2019-08-20"
"""PBoC 公告〔2019〕第15号: the reformed LPR was first published on 2019-08-20."""

_BRIEF = "issue 5 brief (historical NIFC value, unchecked here)"
_OCT = "Reuters 2025-10-20 via newsx.com; investing.com 2025-10-20 (unchanged, 5th month)"
_NOV = (
    "finblage.com 2025-11-20 (6th month unchanged); value confirmed by Xinhua 2025-12-22 "
    "('unchanged since June 2025'); no primary report of the date seen"
)
_DEC = "Xinhua via en.people.cn 2025-12-22; Reuters via businesstimes.com.sg (7th month)"
_FEB = "Xinhua via en.people.cn 2026-02-24 (20th in 春节); RTTNews via finanzen.at (9th month)"
_MAR = (
    "capitalmarket.com: unchanged in March 2026, 10th straight month (3.0 / 3.5); the date is "
    "the 20th (a business day), not stated by the source"
)

# (effective date, 1Y %, 5Y+ %, confidence, source)
LPR_ROWS: Final[tuple[tuple[str, str, str, str, str], ...]] = (
    ("2019-08-20", "4.25", "4.85", "U", _BRIEF + "; first fixing per PBoC 公告〔2019〕第15号"),
    ("2019-09-20", "4.20", "4.85", "U", _BRIEF),
    ("2019-11-20", "4.15", "4.80", "U", _BRIEF),
    ("2020-02-20", "4.05", "4.75", "U", _BRIEF),
    ("2020-04-20", "3.85", "4.65", "U", _BRIEF),
    ("2021-12-20", "3.80", "4.65", "U", "DOMAIN.md §3.2"),
    ("2022-01-20", "3.70", "4.60", "P", "DOMAIN.md §3.2 (derived; 1Y cut in Jan unconfirmed)"),
    ("2022-05-20", "3.70", "4.45", "P", "DOMAIN.md §3.2 (derived)"),
    ("2022-08-22", "3.65", "4.30", "C", "DOMAIN.md §3.2: Xinhua via people.cn, forexlive"),
    ("2023-06-20", "3.55", "4.20", "P", "DOMAIN.md §3.2 (consistent with next rows)"),
    ("2023-08-21", "3.45", "4.20", "C", "DOMAIN.md §3.2: Xinhua via bastillepost"),
    ("2024-02-20", "3.45", "3.95", "C", "DOMAIN.md §3.2: forexlive 2024-05-20"),
    ("2024-07-22", "3.35", "3.85", "P", "DOMAIN.md §3.2 (arithmetic of the 2024 cuts)"),
    ("2024-10-21", "3.10", "3.60", "C", "DOMAIN.md §3.2: forexlive 2025-01-20, bastillepost"),
    ("2025-05-20", "3.00", "3.50", "C", "DOMAIN.md §3.2: CME/Econoday 2025-06"),
    ("2025-09-22", "3.00", "3.50", "C", "DOMAIN.md §3.2: Xinhua via people.cn (unchanged)"),
    ("2025-10-20", "3.00", "3.50", "C", _OCT),
    ("2025-11-20", "3.00", "3.50", "P", _NOV),
    ("2025-12-22", "3.00", "3.50", "C", _DEC),
    ("2026-01-20", "3.00", "3.50", "C", "Xinhua via en.people.cn 2026-01-20 (unchanged)"),
    ("2026-02-24", "3.00", "3.50", "C", _FEB),
    ("2026-03-20", "3.00", "3.50", "P", _MAR),
)
