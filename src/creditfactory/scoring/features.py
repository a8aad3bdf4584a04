"""Invoice features for thin-file firms: pure Python over plain rows, as of a date.

The live decision flow calls `build_invoice_features` on invoices from a data gateway (VAT
e-invoices, 增值税发票); training calls the same function on CUMCM 2020 C invoices, so the two can
never drift. Only invoices dated before `as_of` are read (no look-ahead); the window is the
`lookback_months` calendar months before `as_of`'s month.

Amounts may be `Decimal`, `int` or `float`; features are ratios and statistics, so they are
computed in float (a feature is not an amount). Every feature is a float or None when undefined
(e.g. growth without a prior year). Definitions: see `INVOICE_FEATURES` and docs/scoring.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

SALES = "sales"
PURCHASE = "purchase"
DEFAULT_LOOKBACK_MONTHS = 24
_DAYS_PER_MONTH = 365.25 / 12
# The sales CV is right-skewed (0.26–5.6 on the 123 rated CUMCM firms): its log is what a linear
# model can weigh evenly. Equal months (or a single month) give CV 0; below 1 % sales are as steady
# as they get, and the floor keeps the log finite.
_CV_FLOOR = 0.01

INVOICE_FEATURES: dict[str, tuple[str, str]] = {
    "sales_monthly_mean": ("月均销售额", "mean monthly sales (excl. VAT)"),
    "purchases_monthly_mean": ("月均采购额", "mean monthly purchases (excl. VAT)"),
    "log_sales_monthly": ("月均销售额(对数)", "mean monthly sales in CNY (logarithm)"),
    "log_sales_12m": ("近12月销售额(对数)", "sales in the last 12 months (logarithm)"),
    "sales_growth_12m": ("销售额同比增长", "sales growth, last 12 vs prior 12 months"),
    "sales_volatility": ("月销售额波动系数", "coefficient of variation of monthly sales"),
    "log_sales_volatility": (
        "月销售额波动系数(对数)",
        "coefficient of variation of monthly sales (logarithm)",
    ),
    "gross_margin_proxy": ("毛利率代理", "gross margin estimated from sales and purchases"),
    "void_share_sales": ("销项作废发票占比", "share of sales invoices voided"),
    "void_share_purchases": ("进项作废发票占比", "share of purchase invoices voided"),
    "negative_share_sales": ("销项红字发票占比", "share of sales invoices that are credit notes"),
    "negative_amount_share_sales": ("销项红字金额占比", "credit-note amount as a share of sales"),
    "negative_share_purchases": (
        "进项红字发票占比",
        "share of purchase invoices that are credit notes",
    ),
    "customer_hhi": ("客户集中度HHI", "concentration of sales across customers (HHI)"),
    "customer_top1_share": ("第一大客户占比", "top customer's share of sales"),
    "supplier_hhi": ("供应商集中度HHI", "concentration of purchases across suppliers (HHI)"),
    "supplier_top1_share": ("第一大供应商占比", "top supplier's share of purchases"),
    "n_customers": ("客户数", "number of customers"),
    "n_suppliers": ("供应商数", "number of suppliers"),
    "active_months_sales": ("有销售月份数", "months with a valid sales invoice"),
    "months_since_last_sales": ("距最近一笔销项月数", "months since the last valid sales invoice"),
    "months_since_first_invoice": ("开票历史月数", "months since the first invoice (tenure)"),
    "sales_invoices_monthly": ("月均销项发票数", "valid sales invoices per month"),
    "sales_tax_rate": (
        "销项平均税率",
        "average VAT rate on sales (3 % small-scale, 13 % or more general taxpayer)",
    ),
}
"""Feature name → (Chinese label, English label)."""

PLAIN_WORDS: dict[str, tuple[str, str]] = {
    "log_sales_monthly": ("月均销售额", "average monthly sales"),
    "log_sales_12m": ("近12个月销售额", "sales in the last 12 months"),
    "sales_volatility": ("月销售额的月度起伏", "the month-to-month swing in sales"),
    "log_sales_volatility": ("月销售额的月度起伏", "the month-to-month swing in sales"),
}
"""What a borrower reads for the invoice features scored through a transform (a logarithm, a
coefficient of variation): the quantity itself in plain words. A logarithm keeps the order, so
"low" and "high" say the same of the amount as of its log; the labels above keep the transform
for the values the verified list shows (a log value under a plain label would mislead)."""

INVOICE_UNITS: dict[str, str] = {
    **dict.fromkeys(("sales_monthly_mean", "purchases_monthly_mean"), "money"),
    **dict.fromkeys(("sales_growth_12m", "gross_margin_proxy", "void_share_sales",
                     "void_share_purchases", "negative_share_sales", "negative_amount_share_sales",
                     "negative_share_purchases", "customer_top1_share", "supplier_top1_share",
                     "sales_tax_rate"), "share"),
    **dict.fromkeys(("n_customers", "n_suppliers", "active_months_sales", "months_since_last_sales",
                     "months_since_first_invoice"), "count"),
}  # fmt: skip
"""The unit advice states a feature's value in (`scoring.reason_text.UNITS`); the rest — logs,
HHI, coefficients of variation, invoices per month — are plain numbers."""


@dataclass(frozen=True, slots=True)
class Invoice:
    """One VAT invoice seen from the applicant: `direction` is ``sales`` or ``purchase``.

    `amount` excludes VAT, `tax` is the VAT; negative values are 红字 (credit) invoices;
    `voided` marks 作废发票.
    """

    direction: str
    invoice_date: date
    counterparty: str
    amount: Decimal | float | int
    tax: Decimal | float | int = 0
    voided: bool = False


@dataclass(slots=True)
class _Side:
    count: int = 0
    voided: int = 0
    valid: int = 0
    negative: int = 0
    positive_amount: float = 0.0
    negative_amount: float = 0.0
    tax: float = 0.0
    by_month: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    count_by_month: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    by_party: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    last: date | None = None


def _month(d: date) -> int:
    return d.year * 12 + d.month - 1


def build_invoice_features(
    invoices: Iterable[Invoice],
    as_of: date,
    lookback_months: int = DEFAULT_LOOKBACK_MONTHS,
) -> dict[str, float | None]:
    """Invoice features of one firm as of `as_of` (invoices on or after `as_of` are ignored).

    Returns:
        A dict with every key of `INVOICE_FEATURES`, each a float or None when undefined.
    """
    end = _month(as_of)
    start = end - lookback_months
    sides = {SALES: _Side(), PURCHASE: _Side()}
    first: date | None = None
    for inv in invoices:
        if inv.invoice_date >= as_of:
            continue
        first = inv.invoice_date if first is None or inv.invoice_date < first else first
        m = _month(inv.invoice_date)
        if m >= start:
            _add(sides[inv.direction], inv, m)
    return _features(sides[SALES], sides[PURCHASE], as_of, first, start, end)


def _add(side: _Side, inv: Invoice, month: int) -> None:
    side.count += 1
    if inv.voided:
        side.voided += 1
        return
    amount = float(inv.amount)
    side.valid += 1
    side.tax += float(inv.tax)
    if amount < 0:
        side.negative += 1
        side.negative_amount -= amount
    else:
        side.positive_amount += amount
    side.by_month[month] += amount
    side.count_by_month[month] += 1
    side.by_party[inv.counterparty] += amount
    if side.last is None or inv.invoice_date > side.last:
        side.last = inv.invoice_date


def _features(
    sales: _Side, purchases: _Side, as_of: date, first: date | None, start: int, end: int
) -> dict[str, float | None]:
    span = _active_span(first, start, end)
    monthly = [sales.by_month.get(m, 0.0) for m in range(end - span, end)]
    net_sales = sum(monthly)
    net_purchases = sum(purchases.by_month.values())
    last12 = sum(sales.by_month.get(m, 0.0) for m in range(end - 12, end))
    prior12 = sum(sales.by_month.get(m, 0.0) for m in range(end - 24, end - 12))
    hhi_c, top_c, n_c = _concentration(sales.by_party)
    hhi_s, top_s, n_s = _concentration(purchases.by_party)
    volatility = _cv(monthly)
    return {
        "sales_monthly_mean": net_sales / span,
        "log_sales_monthly": math.log1p(max(net_sales / span, 0.0)),
        "purchases_monthly_mean": net_purchases / span,
        "log_sales_12m": math.log1p(max(last12, 0.0)),
        "sales_growth_12m": (last12 - prior12) / prior12 if prior12 > 0 else None,
        "sales_volatility": volatility,
        "log_sales_volatility": None
        if volatility is None
        else math.log(max(volatility, _CV_FLOOR)),
        "gross_margin_proxy": (net_sales - net_purchases) / net_sales if net_sales > 0 else None,
        "void_share_sales": _ratio(sales.voided, sales.count),
        "void_share_purchases": _ratio(purchases.voided, purchases.count),
        "negative_share_sales": _ratio(sales.negative, sales.valid),
        "negative_amount_share_sales": _ratio(sales.negative_amount, sales.positive_amount),
        "negative_share_purchases": _ratio(purchases.negative, purchases.valid),
        "customer_hhi": hhi_c,
        "customer_top1_share": top_c,
        "supplier_hhi": hhi_s,
        "supplier_top1_share": top_s,
        "n_customers": float(n_c),
        "n_suppliers": float(n_s),
        "active_months_sales": float(sum(1 for v in sales.count_by_month.values() if v > 0)),
        "months_since_last_sales": None
        if sales.last is None
        else (as_of - sales.last).days / _DAYS_PER_MONTH,
        "months_since_first_invoice": None
        if first is None
        else (as_of - first).days / _DAYS_PER_MONTH,
        "sales_invoices_monthly": sales.valid / span,
        "sales_tax_rate": _ratio(sales.tax, net_sales) if net_sales > 0 else None,
    }


def _active_span(first: date | None, start: int, end: int) -> int:
    """Months from the first invoice (or the window start) to `as_of`'s month, at least 1."""
    if first is None:
        return end - start
    return max(1, end - max(start, _month(first)))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _cv(values: list[float]) -> float | None:
    mean = sum(values) / len(values) if values else 0.0
    if mean <= 0:
        return None
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return math.sqrt(variance) / mean


def _concentration(by_party: dict[str, float]) -> tuple[float | None, float | None, int]:
    """HHI and top-1 share over counterparties with a positive net amount."""
    positive = [v for v in by_party.values() if v > 0]
    total = sum(positive)
    if total <= 0:
        return None, None, len(positive)
    shares = [v / total for v in positive]
    return sum(s * s for s in shares), max(shares), len(positive)
