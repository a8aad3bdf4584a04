"""Fall in invoiced revenue, from VAT sales invoices, reusing the scoring features.

recent = mean monthly sales over the 3 calendar months before `as_of`'s month;
prior  = mean monthly sales over the 12 calendar months before that (both from
`scoring.features.build_invoice_features`, so monitoring and scoring read invoices the same way).
fall = 1 − recent / prior. ≥ 60 % → `invoice_revenue_collapse`, ≥ 30 % → `invoice_revenue_fall`;
no signal when prior ≤ `min_prior_monthly` (too little history to judge).

`monthly_invoices` rebuilds the rule's input from per-month totals (what the database aggregates
in one GROUP BY over the whole book): one sales row per month holding the month's valid net sales,
dated on the 1st, plus a voided row on the first invoice date. The rule only reads monthly sums,
the first invoice's month and whether anything precedes the prior window, so the result is the
same as from the raw invoices (tested).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from creditfactory.scoring.features import SALES, Invoice, build_invoice_features

__all__ = [
    "COLLAPSE_SHARE",
    "FALL_SHARE",
    "monthly_invoices",
    "revenue_fall",
    "revenue_fall_kind",
    "severity_rank",
]

FALL_SHARE: Final = 0.30
COLLAPSE_SHARE: Final = 0.60
RECENT_MONTHS: Final = 3
PRIOR_MONTHS: Final = 12


def _months_back(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def revenue_fall(invoices: Sequence[Invoice], as_of: date) -> tuple[float, float] | None:
    """(recent monthly mean, prior monthly mean) of net sales, or None without prior history."""
    month_start = date(as_of.year, as_of.month, 1)
    recent = build_invoice_features(invoices, month_start, RECENT_MONTHS)["sales_monthly_mean"]
    prior_end = _months_back(month_start, RECENT_MONTHS)
    prior = build_invoice_features(invoices, prior_end, PRIOR_MONTHS)["sales_monthly_mean"]
    if recent is None or prior is None or not any(i.invoice_date < prior_end for i in invoices):
        return None
    return recent, prior


def revenue_fall_kind(
    invoices: Sequence[Invoice], as_of: date, min_prior_monthly: float = 10_000.0
) -> str | None:
    """The invoice signal kind on `as_of`, or None."""
    means = revenue_fall(invoices, as_of)
    if means is None or means[1] <= min_prior_monthly:
        return None
    fall = 1.0 - means[0] / means[1]
    if fall >= COLLAPSE_SHARE:
        return "invoice_revenue_collapse"
    if fall >= FALL_SHARE:
        return "invoice_revenue_fall"
    return None


def monthly_invoices(sales_by_month: Mapping[date, Decimal], first_on: date) -> list[Invoice]:
    """The rule's input from monthly totals: `sales_by_month` maps a month's 1st day to its valid
    net sales (yuan, 红字 netted, 作废 excluded); `first_on` is the date of the firm's first
    invoice of any kind."""
    rows = [Invoice(SALES, month, "", amount) for month, amount in sorted(sales_by_month.items())]
    return [Invoice(SALES, first_on, "", 0, voided=True), *rows]


def severity_rank(kind: str | None) -> int:
    """0 none, 1 fall, 2 collapse (a worse kind in the same month fires again)."""
    return {None: 0, "invoice_revenue_fall": 1, "invoice_revenue_collapse": 2}.get(kind, 0)
