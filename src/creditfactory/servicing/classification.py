"""Five-category loan classification (五级分类), DPD buckets and loss-allowance rates, as data.

Grades are floors: the result is the worst of the DPD floor and any other floor (an early-warning
floor, a manual downgrade). DPD floors per 《商业银行金融资产风险分类办法》 (银保监会/人民银行令
2023年第1号, effective 2023-07-01): any overdue → at least 关注; > 90 → at least 次级; > 270 → at
least 可疑; > 360 → 损失 ("more than N days" read as dpd ≥ N + 1). Allowance rates per
《银行贷款损失准备计提指引》 (银发〔2002〕98号): general 1 %, 关注 2 %, 次级 25 %, 可疑 50 %, 损失 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Final

__all__ = [
    "ALLOWANCE_RATES_2002",
    "DPDBucket",
    "DPD_BUCKET_BOUNDS",
    "DPD_FLOORS_2023",
    "DPDFloorTable",
    "LoanGrade",
    "dpd_bucket",
]


class LoanGrade(str, Enum):
    """正常 / 关注 / 次级 / 可疑 / 损失, ordered from best to worst."""

    PASS = "PASS"
    SPECIAL_MENTION = "SPECIAL_MENTION"
    SUBSTANDARD = "SUBSTANDARD"
    DOUBTFUL = "DOUBTFUL"
    LOSS = "LOSS"

    @property
    def rank(self) -> int:
        """0 for PASS … 4 for LOSS."""
        return _GRADE_ORDER.index(self)

    @property
    def name_zh(self) -> str:
        """The Chinese name (正常, 关注, 次级, 可疑, 损失)."""
        return _GRADE_ZH[self]

    @property
    def non_performing(self) -> bool:
        """不良: 次级 + 可疑 + 损失."""
        return self.rank >= LoanGrade.SUBSTANDARD.rank

    def worst(self, other: LoanGrade) -> LoanGrade:
        """The worse of two grades."""
        return self if self.rank >= other.rank else other


_GRADE_ORDER: Final = list(LoanGrade)
_GRADE_ZH: Final = {
    LoanGrade.PASS: "正常",
    LoanGrade.SPECIAL_MENTION: "关注",
    LoanGrade.SUBSTANDARD: "次级",
    LoanGrade.DOUBTFUL: "可疑",
    LoanGrade.LOSS: "损失",
}


@dataclass(frozen=True)
class DPDFloorTable:
    """Versioned DPD floors: `floors` lists (minimum dpd, grade) in ascending dpd."""

    version: str
    effective_date: date
    floors: tuple[tuple[int, LoanGrade], ...]

    def floor(self, dpd: int) -> LoanGrade:
        """The grade floor for `dpd` days past due."""
        grade = LoanGrade.PASS
        for min_dpd, floor_grade in self.floors:
            if dpd >= min_dpd:
                grade = floor_grade
        return grade


DPD_FLOORS_2023: Final = DPDFloorTable(
    version="nfra-2023-1",
    effective_date=date(2023, 7, 1),
    floors=(
        (1, LoanGrade.SPECIAL_MENTION),
        (91, LoanGrade.SUBSTANDARD),
        (271, LoanGrade.DOUBTFUL),
        (361, LoanGrade.LOSS),
    ),
)

ALLOWANCE_RATES_2002: Final[dict[LoanGrade, Decimal]] = {
    LoanGrade.PASS: Decimal("0.01"),
    LoanGrade.SPECIAL_MENTION: Decimal("0.02"),
    LoanGrade.SUBSTANDARD: Decimal("0.25"),
    LoanGrade.DOUBTFUL: Decimal("0.50"),
    LoanGrade.LOSS: Decimal("1.00"),
}


class DPDBucket(str, Enum):
    """DPD buckets; edges match the five-category floors (M-notation only for display)."""

    CURRENT = "CURRENT"
    DPD_1_30 = "DPD_1_30"
    DPD_31_60 = "DPD_31_60"
    DPD_61_90 = "DPD_61_90"
    DPD_91_180 = "DPD_91_180"
    DPD_181_270 = "DPD_181_270"
    DPD_271_360 = "DPD_271_360"
    DPD_OVER_360 = "DPD_OVER_360"


DPD_BUCKET_BOUNDS: Final[tuple[tuple[int, DPDBucket], ...]] = (
    (0, DPDBucket.CURRENT),
    (1, DPDBucket.DPD_1_30),
    (31, DPDBucket.DPD_31_60),
    (61, DPDBucket.DPD_61_90),
    (91, DPDBucket.DPD_91_180),
    (181, DPDBucket.DPD_181_270),
    (271, DPDBucket.DPD_271_360),
    (361, DPDBucket.DPD_OVER_360),
)


def dpd_bucket(
    dpd: int, bounds: tuple[tuple[int, DPDBucket], ...] = DPD_BUCKET_BOUNDS
) -> DPDBucket:
    """The bucket whose lower bound is the largest one ≤ `dpd`."""
    bucket = bounds[0][1]
    for lower, candidate in bounds:
        if dpd >= lower:
            bucket = candidate
    return bucket
