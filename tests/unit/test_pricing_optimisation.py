"""Churn-aware optimisation on the real CUMCM 2020 C table, and the portfolio view."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from tests.shared import shared_path

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.economics import assess
from creditfactory.pricing.errors import ChurnTableInvalid
from creditfactory.pricing.optimisation import AcceptancePoint, curves_from_rows, optimise_rates
from creditfactory.pricing.portfolio import BookLoan, portfolio_raroc
from creditfactory.pricing.quote import PricingRequest
from creditfactory.pricing.raroc import after_tax_profit_rate, raroc

D = Decimal
PDS = {"A": D("0.01"), "B": D("0.03"), "C": D("0.08")}
AS_OF = date(2019, 12, 31)


@pytest.fixture
def curves() -> dict[str, list[AcceptancePoint]]:
    path = shared_path("data", "cumcm2020c_sme_invoices", "rate_vs_churn_2019.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        return curves_from_rows(csv.DictReader(handle))


def test_table_shape(curves: dict[str, list[AcceptancePoint]]) -> None:
    assert sorted(curves) == ["A", "B", "C"]
    assert all(len(points) == 29 for points in curves.values())  # SOURCE.md: 29 rows
    assert curves["A"][0] == AcceptancePoint(Rate(D("0.04")), D(0))


def test_optimum_is_the_best_feasible_point(curves: dict[str, list[AcceptancePoint]]) -> None:
    optima = optimise_rates(curves, PDS, D("0.45"), Money(D(1_000_000)), AS_OF)
    assert [o.grade for o in optima] == ["A", "B", "C"]
    for optimum in optima:
        econ = assess(PricingRequest(PDS[optimum.grade], D("0.45"), Money(D(1_000_000)), 12, AS_OF))
        # brute force: every point meeting the hurdle earns no more than the chosen one
        feasible = [p for p in curves[optimum.grade] if raroc(p.annual_rate, econ) >= D("0.12")]
        best = max(
            p.acceptance * after_tax_profit_rate(p.annual_rate.value, econ) for p in feasible
        )
        assert optimum.feasible and optimum.points_meeting_hurdle == len(feasible)
        assert optimum.expected_profit.amount == best * 1_000_000
        assert optimum.raroc >= D("0.12")
        assert optimum.point.annual_rate >= optimum.minimum_rate


def test_riskier_grades_need_higher_minimum_rates(curves: dict[str, list[AcceptancePoint]]) -> None:
    a, b, c = optimise_rates(curves, PDS, D("0.45"), Money(D(1_000_000)), AS_OF)
    assert a.minimum_rate < b.minimum_rate < c.minimum_rate
    assert a.point.annual_rate <= b.point.annual_rate <= c.point.annual_rate


def test_infeasible_grade_is_reported(curves: dict[str, list[AcceptancePoint]]) -> None:
    (d,) = optimise_rates(curves, {"C": D("0.30")}, D("0.9"), Money(D(1_000_000)), AS_OF)
    assert not d.feasible and d.points_meeting_hurdle == 0


def test_bad_tables_and_grades(curves: dict[str, list[AcceptancePoint]]) -> None:
    with pytest.raises(ValidationError, match="^pd_by_grade: "):
        optimise_rates(curves, {"D": D("0.5")}, D("0.45"), Money(D(1)), AS_OF)
    with pytest.raises(ChurnTableInvalid):
        curves_from_rows([])
    with pytest.raises(ChurnTableInvalid):
        curves_from_rows([{"annual_rate": "0.05", "churn_rating_A": "1.5"}])


def _book() -> list[BookLoan]:
    def make(i: int, grade: str, product: str, channel: str, rate: str, pd: str) -> BookLoan:
        return BookLoan(
            f"loan_{i}", grade, product, channel, Money(D(100_000)), Rate(D(rate)), D(pd), D("0.45")
        )

    return [
        make(1, "A", "invoice_loan", "online", "0.05", "0.01"),
        make(2, "A", "sme_working_capital", "branch", "0.06", "0.01"),
        make(3, "B", "invoice_loan", "online", "0.07", "0.03"),
    ]


def test_portfolio_raroc_is_capital_weighted() -> None:
    rows = portfolio_raroc(_book(), date(2024, 6, 30))
    keys = [(r.dimension, r.key) for r in rows]
    assert keys == [
        ("grade", "A"),
        ("grade", "B"),
        ("product", "invoice_loan"),
        ("product", "sme_working_capital"),
        ("channel", "branch"),
        ("channel", "online"),
        ("total", "all"),
    ]
    total = rows[-1]
    assert total.loans == 3 and total.ead.amount == D(300_000)
    assert total.raroc == total.profit_after_tax.amount / total.capital.amount
    by_key = {(r.dimension, r.key): r for r in rows}
    for dimension in ("grade", "product", "channel"):
        parts = [r for r in rows if r.dimension == dimension]
        assert sum(r.capital.amount for r in parts) == total.capital.amount
    # loan 2 alone: its RAROC equals the single-loan RAROC at 6 %
    econ = assess(PricingRequest(D("0.01"), D("0.45"), Money(D(100_000)), 12, date(2024, 6, 30)))
    assert by_key[("channel", "branch")].raroc == raroc(Rate(D("0.06")), econ)
