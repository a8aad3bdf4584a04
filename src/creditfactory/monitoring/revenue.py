"""Fall in invoiced revenue, from VAT sales invoices, reusing the scoring features.

recent = mean monthly sales over the 3 calendar months before `as_of`'s month;
prior  = mean monthly sales over the 12 calendar months before that (both from
`scoring.features.build_invoice_features`, so monitoring and scoring read invoices the same way).
fall = 1 − recent / prior. ≥ 60 % → `invoice_revenue_collapse`, ≥ 30 % → `invoice_revenue_fall`;
no signal when prior ≤ `min_prior_monthly` (too little history to judge).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from creditfactory.scoring.features import Invoice, build_invoice_features

__all__ = ["COLLAPSE_SHARE", "FALL_SHARE", "revenue_fall", "revenue_fall_kind"]

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
