"""Working-capital need (流动资金贷款需求量测算), from the annex to 《流动资金贷款管理办法》.

    营运资金量 = 上年度销售收入 × (1 − 上年度销售利润率) × (1 + 预计销售收入年增长率) ÷ 营运资金周转次数
    营运资金周转次数 = 360 ÷ (存货周转天数 + 应收账款周转天数 − 应付账款周转天数
                            + 预付账款周转天数 − 预收账款周转天数)
    周转天数 = 360 ÷ 周转次数; inventory, payables and prepayments turn over against 销售成本,
               receivables and advances received against 销售收入 (turnover = flow ÷ average balance)
    新增流动资金贷款额度 = 营运资金量 − 借款人自有资金 − 现有流动资金贷款 − 其他渠道提供的营运资金

Dividing by the turnover count equals multiplying by (net cycle days ÷ 360); we compute it that
way so a zero or negative cash-conversion cycle (suppliers fund the business) gives a need of
zero instead of a division by zero. Money is Decimal throughout and rounded to 分 only at the
two results. Source: DOMAIN.md §3.6.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from creditfactory.kernel.money import Money
from creditfactory.origination.errors import TurnoverUndefined

__all__ = [
    "DAYS_PER_YEAR",
    "TurnoverDays",
    "WorkingCapitalInputs",
    "new_working_capital_loan",
    "turnover_days",
    "working_capital_need",
    "working_capital_turnover",
]

DAYS_PER_YEAR: Final = Decimal(360)


@dataclass(frozen=True, slots=True)
class TurnoverDays:
    """Turnover days (Decimal days) of the five working-capital items."""

    inventory: Decimal
    receivables: Decimal
    payables: Decimal
    prepayments: Decimal
    advances_received: Decimal

    @property
    def net_cycle(self) -> Decimal:
        """存货 + 应收 − 应付 + 预付 − 预收 days (the cash-conversion cycle)."""
        return (
            self.inventory
            + self.receivables
            - self.payables
            + self.prepayments
            - self.advances_received
        )


def _days(average_balance: Money, flow: Money, name: str) -> Decimal:
    """360 ÷ (flow ÷ average balance) = 360 × balance ÷ flow; zero balance → zero days."""
    if average_balance.is_zero():
        return Decimal(0)
    if flow.amount <= 0:
        raise TurnoverUndefined(f"{name}: a balance needs a positive flow to turn over against")
    return DAYS_PER_YEAR * average_balance.amount / flow.amount


def turnover_days(
    sales_revenue: Money,
    cost_of_sales: Money,
    avg_inventory: Money,
    avg_receivables: Money,
    avg_payables: Money,
    avg_prepayments: Money,
    avg_advances_received: Money,
) -> TurnoverDays:
    """Turnover days from annual flows and average balances (all Money, same currency).

    raises TurnoverUndefined when a balance is non-zero and its flow is not positive.
    """
    return TurnoverDays(
        inventory=_days(avg_inventory, cost_of_sales, "inventory"),
        receivables=_days(avg_receivables, sales_revenue, "receivables"),
        payables=_days(avg_payables, cost_of_sales, "payables"),
        prepayments=_days(avg_prepayments, cost_of_sales, "prepayments"),
        advances_received=_days(avg_advances_received, sales_revenue, "advances_received"),
    )


def working_capital_turnover(days: TurnoverDays) -> Decimal | None:
    """营运资金周转次数 = 360 ÷ net cycle days; None when the cycle is ≤ 0 days (no need)."""
    if days.net_cycle <= 0:
        return None
    return DAYS_PER_YEAR / days.net_cycle


@dataclass(frozen=True, slots=True)
class WorkingCapitalInputs:
    """Inputs of the measure.

    prior_year_revenue: 上年度销售收入. prior_year_profit_margin: 上年度销售利润率 (fraction).
    expected_growth: 预计销售收入年增长率 (fraction, may be negative). days: turnover days.
    own_funds / existing_wc_loans / other_funding: 借款人自有资金 / 现有流动资金贷款 /
    其他渠道提供的营运资金.
    """

    prior_year_revenue: Money
    prior_year_profit_margin: Decimal
    expected_growth: Decimal
    days: TurnoverDays
    own_funds: Money
    existing_wc_loans: Money
    other_funding: Money


def working_capital_need(inputs: WorkingCapitalInputs) -> Money:
    """营运资金量, rounded half-up to 分; zero when the net cycle is ≤ 0 days."""
    cycle = inputs.days.net_cycle
    if cycle <= 0:
        return Money.zero(inputs.prior_year_revenue.currency)
    base = (
        inputs.prior_year_revenue
        * (1 - inputs.prior_year_profit_margin)
        * (1 + inputs.expected_growth)
    )
    return (base * cycle / DAYS_PER_YEAR).rounded()


def new_working_capital_loan(inputs: WorkingCapitalInputs) -> Money:
    """新增流动资金贷款额度 = 营运资金量 − own funds − existing loans − other funding, floored at
    zero (a negative result means no new working-capital loan is needed)."""
    need = working_capital_need(inputs)
    gap = need - inputs.own_funds - inputs.existing_wc_loans - inputs.other_funding
    return gap.rounded() if gap.amount > 0 else Money.zero(need.currency)
