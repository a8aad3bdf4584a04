"""IRB risk weights against the published Basel II Annex 5 table; standardised weights; capital."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.shared import load_case

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.pricing.capital import (
    StandardisedExposure,
    capital_requirement,
    irb_risk_weight,
    standardised_risk_weight,
)

D = Decimal
# column of the case file → (asset class, LGD, turnover €m)
COLUMNS = {
    "corporate_lgd45_S50": ("corporate", "0.45", None),
    "corporate_sme_lgd45_S5": ("corporate", "0.45", 5),
    "residential_mortgage_lgd45": ("residential_mortgage", "0.45", None),
    "residential_mortgage_lgd25": ("residential_mortgage", "0.25", None),
    "other_retail_lgd45": ("other_retail", "0.45", None),
    "other_retail_lgd85": ("other_retail", "0.85", None),
    "qrre_lgd45": ("qrre", "0.45", None),
    "qrre_lgd85": ("qrre", "0.85", None),
}
TOLERANCE_PP = D("0.01")


def _cells(table: str) -> list[object]:
    """One test per published cell, named by the case: <column>-pd<percent>."""
    try:
        rows = load_case("basel_irb_risk_weights.json")[table]
    except pytest.skip.Exception:
        return []
    return [
        pytest.param(
            column, D(str(row["pd_pct"])) / 100, row[column], id=f"{column}-pd{row['pd_pct']}%"
        )
        for row in rows
        for column in COLUMNS
        if column in row
    ]


def _check(column: str, pd: Decimal, expected_pct: float) -> None:
    asset_class, lgd, turnover = COLUMNS[column]
    rw = irb_risk_weight(pd, D(lgd), asset_class, turnover_meur=turnover)
    assert abs(rw * 100 - D(str(expected_pct))) <= TOLERANCE_PP


@pytest.mark.parametrize(("column", "pd", "expected_pct"), _cells("basel2_annex5_published"))
def test_basel2_annex5_published(column: str, pd: Decimal, expected_pct: float) -> None:
    _check(column, pd, expected_pct)


@pytest.mark.parametrize(
    ("column", "pd", "expected_pct"), _cells("computed_extension_not_published_here")
)
def test_computed_extension(column: str, pd: Decimal, expected_pct: float) -> None:
    _check(column, pd, expected_pct)


def test_sme_turnover_sensitivity() -> None:
    for row in load_case("basel_irb_risk_weights.json")["sme_turnover_sensitivity_computed"]:
        rw = irb_risk_weight(row["pd"], row["lgd"], "corporate", row["M"], row["turnover_meur"])
        assert abs(rw * 100 - D(str(row["rw_pct_computed"]))) <= D("0.0001")


def test_corporate_maturity_raises_weight_and_is_clamped() -> None:
    one = irb_risk_weight(D("0.01"), D("0.45"), "corporate", maturity_years=1)
    five = irb_risk_weight(D("0.01"), D("0.45"), "corporate", maturity_years=5)
    assert one < irb_risk_weight(D("0.01"), D("0.45"), "corporate") < five
    assert irb_risk_weight(D("0.01"), D("0.45"), "corporate", maturity_years=0.25) == one
    assert irb_risk_weight(D("0.01"), D("0.45"), "corporate", maturity_years=30) == five


def test_edges_and_bad_input() -> None:
    assert irb_risk_weight(0, D("0.45"), "other_retail") == 0
    assert irb_risk_weight(1, D("0.45"), "other_retail") == 0
    with pytest.raises(ValidationError, match="^pd: "):
        irb_risk_weight(D("1.2"), D("0.45"), "corporate")
    with pytest.raises(ValidationError, match="^lgd: "):
        irb_risk_weight(D("0.1"), D("-0.1"), "corporate")
    with pytest.raises(ValidationError, match="^asset_class: "):
        irb_risk_weight(D("0.1"), D("0.45"), "sovereign")
    with pytest.raises(ValidationError, match="^turnover_meur: "):
        irb_risk_weight(D("0.1"), D("0.45"), "corporate", turnover_meur=0)


def _exposure(amount: int, portfolio: int | None, revenue: int | None) -> StandardisedExposure:
    return StandardisedExposure(
        Money(D(amount)),
        None if portfolio is None else Money(D(portfolio)),
        None if revenue is None else Money(D(revenue)),
    )


@pytest.mark.parametrize(
    ("exposure", "weight", "klass"),
    [
        (_exposure(1_000_000, 1_000_000_000, None), "0.75", "regulatory_retail"),
        # granularity fails: 3 m > 0.2 % × 1 bn = 2 m; revenue 200 m ≤ 300 m → SME 85 %
        (_exposure(3_000_000, 1_000_000_000, 200_000_000), "0.85", "sme_corporate"),
        # low value fails: 12 m > 10 m; portfolio unknown; revenue 400 m → corporate
        (_exposure(12_000_000, None, 400_000_000), "1.00", "corporate"),
    ],
)
def test_standardised_weights(exposure: StandardisedExposure, weight: str, klass: str) -> None:
    result = standardised_risk_weight(exposure)
    assert (result.risk_weight, result.exposure_class) == (D(weight), klass)


def test_capital_requirement() -> None:
    # 0.85 × 0.105 × 500,000 = 44,625
    assert capital_requirement(D("0.85"), Money(D(500_000)), D("0.105")).amount == D(44625)
    with pytest.raises(ValidationError, match="^ead: "):
        capital_requirement(D("0.85"), Money(D(-1)), D("0.105"))
