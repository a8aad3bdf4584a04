"""Five-category DPD floors against ../shared/cases/five_category_rules.json, and DPD buckets."""

from __future__ import annotations

import pytest
from tests.shared import load_case

from creditfactory.servicing.classification import (
    DPD_FLOORS_2023,
    DPDBucket,
    LoanGrade,
    dpd_bucket,
)

_ZH = {
    "关注": LoanGrade.SPECIAL_MENTION,
    "次级": LoanGrade.SUBSTANDARD,
    "可疑": LoanGrade.DOUBTFUL,
    "损失": LoanGrade.LOSS,
}


def test_floors_are_the_ones_the_rule_file_states() -> None:
    rules = load_case("five_category_rules.json")[
        "commercial_bank_financial_asset_risk_classification_2023"
    ]
    grades = [
        _ZH[(floor.get("at_least") or floor.get("class", "")).split(" ")[0]]
        for floor in rules["dpd_floors"]
    ]
    assert [g for _, g in DPD_FLOORS_2023.floors] == grades


@pytest.mark.parametrize(
    ("dpd", "grade"),
    [
        (0, LoanGrade.PASS),
        (1, LoanGrade.SPECIAL_MENTION),
        (90, LoanGrade.SPECIAL_MENTION),
        (91, LoanGrade.SUBSTANDARD),  # "more than 90 days"
        (270, LoanGrade.SUBSTANDARD),
        (271, LoanGrade.DOUBTFUL),
        (360, LoanGrade.DOUBTFUL),
        (361, LoanGrade.LOSS),
    ],
)
def test_dpd_floor_boundaries(dpd: int, grade: LoanGrade) -> None:
    assert DPD_FLOORS_2023.floor(dpd) is grade


def test_non_performing_is_substandard_doubtful_loss() -> None:
    assert [g.non_performing for g in LoanGrade] == [False, False, True, True, True]
    assert LoanGrade.PASS.worst(LoanGrade.SUBSTANDARD) is LoanGrade.SUBSTANDARD


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (0, DPDBucket.CURRENT),
        (30, DPDBucket.DPD_1_30),
        (31, DPDBucket.DPD_31_60),
        (91, DPDBucket.DPD_91_180),
        (361, DPDBucket.DPD_OVER_360),
    ],
)
def test_bucket_edges_match_the_grade_floors(dpd: int, bucket: DPDBucket) -> None:
    assert dpd_bucket(dpd) is bucket
