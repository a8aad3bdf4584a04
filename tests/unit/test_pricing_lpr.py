"""LPR series: lookup by date, start of the series, contract rate and repricing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.errors import UnknownProduct
from creditfactory.pricing.lgd_table import lgd_for
from creditfactory.pricing.loss import expected_loss
from creditfactory.pricing.lpr import (
    LPRTenor,
    contract_rate,
    default_lpr_series,
    reprice,
    tenor_for_term,
)

D = Decimal


@pytest.mark.parametrize(
    ("as_of", "one_year", "five_year", "published"),
    [
        (date(2019, 8, 20), "4.25", "4.85", date(2019, 8, 20)),  # first fixing
        (date(2019, 10, 31), "4.20", "4.85", date(2019, 9, 20)),
        (date(2020, 3, 1), "4.05", "4.75", date(2020, 2, 20)),
        (date(2021, 12, 19), "3.85", "4.65", date(2020, 4, 20)),  # the day before a fixing
        (date(2024, 6, 30), "3.45", "3.95", date(2024, 2, 20)),
        (date(2024, 10, 21), "3.10", "3.60", date(2024, 10, 21)),  # on the publication day
        (date(2026, 2, 23), "3.00", "3.50", date(2026, 1, 20)),  # Feb fixing moved to the 24th
        (date(2030, 1, 1), "3.00", "3.50", date(2026, 3, 20)),  # the latest known
    ],
)
def test_lookup(as_of: date, one_year: str, five_year: str, published: date) -> None:
    fixing = default_lpr_series().fixing_on(as_of)
    assert fixing.effective_date == published
    assert fixing.rate(LPRTenor.ONE_YEAR) == Rate.from_percent(one_year)
    assert fixing.rate(LPRTenor.OVER_FIVE_YEAR) == Rate.from_percent(five_year)


def test_every_row_has_a_confidence_tag_and_source() -> None:
    for fixing in default_lpr_series().fixings:
        assert fixing.confidence in {"C", "P", "U"}
        assert fixing.source


def test_before_the_series_names_the_field() -> None:
    with pytest.raises(ValidationError, match="^as_of: must be on or after 2019-08-20"):
        default_lpr_series().fixing_on(date(2019, 8, 19))
    with pytest.raises(ValidationError, match="^repricing_date: "):
        reprice(100, LPRTenor.ONE_YEAR, date(2019, 1, 1))


def test_contract_rate_and_reprice() -> None:
    assert contract_rate(150, LPRTenor.ONE_YEAR, date(2024, 6, 30)) == Rate(D("0.0495"))
    assert contract_rate(-20, LPRTenor.OVER_FIVE_YEAR, date(2024, 6, 30)) == Rate(D("0.0375"))
    # a floating loan at 1Y LPR + 150 bp reprices on 2025-01-01 to 3.10 % + 1.50 %
    assert reprice(150, LPRTenor.ONE_YEAR, date(2025, 1, 1)) == Rate(D("0.0460"))


def test_tenor_for_term() -> None:
    assert tenor_for_term(12) is LPRTenor.ONE_YEAR
    assert tenor_for_term(60) is LPRTenor.ONE_YEAR
    assert tenor_for_term(61) is LPRTenor.OVER_FIVE_YEAR
    with pytest.raises(ValidationError, match="^term_months: "):
        tenor_for_term(0)


def test_expected_loss_and_lgd_table() -> None:
    # 0.02 × 0.45 × 500,000 = 4,500
    assert expected_loss(0.02, D("0.45"), Money(D(500_000))).amount == D(4500)
    assert lgd_for("invoice_loan", "unsecured") == D("0.45")
    assert lgd_for("sme_working_capital", "real_estate") == D("0.35")
    with pytest.raises(UnknownProduct):
        lgd_for("sme_working_capital", "goodwill")
    with pytest.raises(ValidationError, match="^pd_12m: "):
        expected_loss(D("-0.1"), D("0.45"), Money(D(1)))
    with pytest.raises(ValidationError, match="^ead: "):
        expected_loss(D("0.1"), D("0.45"), Money(D(-1)))
