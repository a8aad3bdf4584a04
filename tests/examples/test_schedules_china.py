"""Chinese bank-calculator answers and numpy-financial's published TVM values.

Sources: `../shared/cases/china_loan_calculator_examples.json` (published 等额本息 / 等额本金
answers at 4.90 %, 月利率 = 年利率 ÷ 12) and `tvm_numpy_financial.json` (numpy-financial's
test-suite assertions for pmt / ppmt / ipmt).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.shared import load_case

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.amortization import build_schedule, level_payment
from creditfactory.servicing.schedule import AmortizationMethod, ScheduleTerms

CENT = Decimal("0.01")


def _china_cases() -> list[dict[str, Any]]:
    return list(load_case("china_loan_calculator_examples.json")["cases"])


def _terms(case: dict[str, Any], method: AmortizationMethod) -> ScheduleTerms:
    return ScheduleTerms(
        principal=Money.of(case["principal"]),
        annual_rate=Rate.of(str(case["annual_rate"])),
        method=method,
        term=case["months"],
        start_date=date(2024, 1, 15),
    )


@pytest.mark.parametrize("index", [0, 1])
def test_equal_installment_matches_published_calculator(index: int) -> None:
    case = _china_cases()[index]
    published = case["equal_installment"]
    schedule = build_schedule(_terms(case, AmortizationMethod.EQUAL_INSTALLMENT))
    assert schedule.level_payment == Money.of(str(published["monthly"]))
    # The published totals use convention "U": the unrounded payment × n, rounded once.
    monthly_rate = Decimal(str(case["annual_rate"])) / 12
    unrounded = level_payment(Decimal(case["principal"]), [monthly_rate] * case["months"])
    assert (unrounded * case["months"]).quantize(CENT) == Decimal(str(published["total_repayment"]))
    # The rounded schedule's interest differs from "U" by at most half a fen per installment.
    gap = abs(schedule.total_interest.amount - Decimal(str(published["total_interest"])))
    assert gap <= Decimal("0.005") * case["months"]
    assert schedule.total_principal == Money.of(case["principal"])


def test_equal_principal_matches_published_calculator() -> None:
    case = _china_cases()[0]
    published = case["equal_principal"]
    rows = build_schedule(_terms(case, AmortizationMethod.EQUAL_PRINCIPAL)).installments
    assert rows[0].total_due == Money.of(str(published["first_installment"]))
    # The published decrement is (P/n)·r = 7.1458… shown to the fen.
    decrement = rows[0].total_due - rows[1].total_due
    assert decrement == Money.of(str(published["monthly_decrement"]))
    total_interest = sum((r.interest_due.amount for r in rows), Decimal(0))
    exact = Decimal(str(published["total_interest"]))  # r·P·(n+1)/2, unrounded
    assert abs(total_interest - exact) <= Decimal("0.005") * len(rows)


def _tvm(fn: str) -> list[dict[str, Any]]:
    cases = load_case("tvm_numpy_financial.json")["cases"]
    return [c for c in cases if c["fn"] == fn and c.get("when", "end") == "end"]


def _rate(text: str) -> Decimal:
    numerator, _, denominator = text.partition("/")
    return Decimal(numerator) / Decimal(denominator or 1)


def test_level_payment_matches_numpy_financial_pmt() -> None:
    cases = _tvm("pmt")
    assert cases
    for case in cases:
        rate, n = _rate(case["rate"]), case["nper"]
        ours = level_payment(Decimal(case["pv"]), [rate] * n)
        expected = Decimal(case.get("decimal_expected") or str(case["expected"]))
        tolerance = Decimal(str(case.get("rtol", 1e-9))) * abs(expected)
        assert abs(ours + expected) <= max(tolerance, Decimal("1e-9")), case  # pmt is negative


def test_first_rows_match_numpy_financial_ppmt_and_ipmt() -> None:
    """Unrounded first-period principal and interest of a level-payment loan."""
    for case in _tvm("ppmt") + _tvm("ipmt"):
        periods = case["per"] if isinstance(case["per"], list) else [case["per"]]
        expected = case["expected"] if isinstance(case["expected"], list) else [case["expected"]]
        rate, n, balance = _rate(case["rate"]), case["nper"], Decimal(case["pv"])
        payment = level_payment(balance, [rate] * n)
        by_period: dict[int, tuple[Decimal, Decimal]] = {}
        for k in range(1, max(periods) + 1):
            interest = balance * rate
            by_period[k] = (payment - interest, interest)
            balance -= payment - interest
        column = 0 if case["fn"] == "ppmt" else 1
        for per, value in zip(periods, expected, strict=True):
            if value == "nan":
                assert per < 1  # numpy-financial answers NaN for periods before the first
                continue
            peer = Decimal(str(value))
            tolerance = Decimal(str(case.get("rtol") or case.get("tol"))) * max(1, abs(peer))
            assert abs(by_period[per][column] + peer) <= tolerance, (case, per)
