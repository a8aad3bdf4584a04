"""Value dates of loan transactions against the business date (issue 13, defect 2).

Every money-moving transaction is dated: a repayment, a prepayment, a write-off, a recovery.
The date must not lie after the business date (the day in China, `kernel.clock.china_date`):
a repayment dated 2100-12-31 once accrued 74 years of interest and penalty into the books and
made every later repayment "out of order". A date before the business date is a backdated
(倒起息) transaction: allowed only through the backdating operation, which has its own
permission (`repayment.backdate`, access document 2026.2), and never before what the loan has
already closed (`BusinessDateOutOfOrder`, the domain's own check).
"""

from __future__ import annotations

from datetime import date

from creditfactory.kernel.errors import ValidationError

__all__ = ["BACKDATING_ROUTE", "check_value_date"]

BACKDATING_ROUTE = "POST /api/v1/loans/{loan_id}/backdated-repayments"


def check_value_date(
    value_date: date, business_date: date, *, backdating: bool, field: str = "value_date"
) -> date:
    """`value_date` when a transaction may carry it on `business_date`.

    raises ValidationError naming `field`: after the business date (never allowed), or before
    it without `backdating` (the backdating operation's own permission decides that).
    """
    if value_date > business_date:
        raise ValidationError(
            field, f"must not be after the business date {business_date}, got {value_date}"
        )
    if value_date < business_date and not backdating:
        raise ValidationError(
            field,
            f"{value_date} is before the business date {business_date}: backdating needs the "
            f"backdating operation ({BACKDATING_ROUTE}, permission repayment.backdate)",
        )
    return value_date
