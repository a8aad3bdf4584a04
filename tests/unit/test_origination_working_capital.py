"""流动资金贷款需求量测算 (DOMAIN.md §3.6) against a worked example written out by hand.

Worked example (all CNY):
  上年度销售收入 10,000,000; 销售成本 9,000,000; 销售利润率 10 %; 预计增长率 20 %.
  Average balances and turnover days (days = 360 × balance ÷ flow):
    存货       1,500,000 on cost 9,000,000  → turnover 6  → 60 days
    应收账款   1,250,000 on sales 10,000,000 → turnover 8  → 45 days
    应付账款     750,000 on cost 9,000,000  → turnover 12 → 30 days
    预付账款     250,000 on cost 9,000,000  → turnover 36 → 10 days
    预收账款     500,000 on sales 10,000,000 → turnover 20 → 18 days
  net cycle = 60 + 45 − 30 + 10 − 18 = 67 days; 营运资金周转次数 = 360 / 67 = 5.3731…
  营运资金量 = 10,000,000 × (1 − 0.10) × (1 + 0.20) ÷ (360 / 67)
            = 10,800,000 × 67 / 360 = 2,010,000.00
  新增流动资金贷款额度 = 2,010,000 − 自有资金 600,000 − 现有流贷 800,000 − 其他 110,000
                     = 500,000.00
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from creditfactory.kernel.money import Money
from creditfactory.origination.errors import TurnoverUndefined
from creditfactory.origination.working_capital import (
    TurnoverDays,
    WorkingCapitalInputs,
    new_working_capital_loan,
    turnover_days,
    working_capital_need,
    working_capital_turnover,
)


def _days() -> TurnoverDays:
    return turnover_days(
        sales_revenue=Money.of(10_000_000),
        cost_of_sales=Money.of(9_000_000),
        avg_inventory=Money.of(1_500_000),
        avg_receivables=Money.of(1_250_000),
        avg_payables=Money.of(750_000),
        avg_prepayments=Money.of(250_000),
        avg_advances_received=Money.of(500_000),
    )


def _inputs(days: TurnoverDays) -> WorkingCapitalInputs:
    return WorkingCapitalInputs(
        prior_year_revenue=Money.of(10_000_000),
        prior_year_profit_margin=Decimal("0.10"),
        expected_growth=Decimal("0.20"),
        days=days,
        own_funds=Money.of(600_000),
        existing_wc_loans=Money.of(800_000),
        other_funding=Money.of(110_000),
    )


def test_turnover_days_by_hand() -> None:
    days = _days()
    assert (days.inventory, days.receivables, days.payables) == (60, 45, 30)
    assert (days.prepayments, days.advances_received) == (10, 18)
    assert days.net_cycle == 67
    turnover = working_capital_turnover(days)
    assert turnover is not None
    assert turnover.quantize(Decimal("0.0001")) == Decimal("5.3731")


def test_working_capital_need_by_hand() -> None:
    assert working_capital_need(_inputs(_days())) == Money.of("2010000.00")


def test_new_working_capital_loan_by_hand() -> None:
    assert new_working_capital_loan(_inputs(_days())) == Money.of("500000.00")


def test_new_loan_floored_at_zero() -> None:
    inputs = _inputs(_days())
    rich = dataclasses.replace(inputs, own_funds=Money.of(5_000_000))
    assert new_working_capital_loan(rich).is_zero()


def test_non_positive_cycle_means_no_need() -> None:
    d = Decimal
    days = TurnoverDays(d(10), d(10), d(40), d(0), d(0))
    assert working_capital_turnover(days) is None
    assert working_capital_need(_inputs(days)).is_zero()


def test_balance_without_flow_is_undefined() -> None:
    with pytest.raises(TurnoverUndefined):
        turnover_days(
            Money.of(0),
            Money.of(0),
            Money.of(1),
            Money.of(0),
            Money.of(0),
            Money.of(0),
            Money.of(0),
        )


def test_rounding_to_fen() -> None:
    d = Decimal
    days = TurnoverDays(d(1), d(0), d(0), d(0), d(0))
    inputs = WorkingCapitalInputs(
        Money.of(1000), d(0), d(0), days, Money.of(0), Money.of(0), Money.of(0)
    )
    # 1000 × 1 / 360 = 2.7777… → 2.78 half-up
    assert working_capital_need(inputs) == Money.of("2.78")
