"""Credit facilities (授信) and drawdowns (用信/提款).

A facility grants a limit for a period; each drawdown books a loan under the facility's product.
available_limit = limit − outstanding principal of its loans − pending drawdowns (STYLE.md). A
revolving facility (随借随还) gets its limit back as principal is repaid; a non-revolving one only
ever counts what was drawn. Freezing (e.g. an early-warning action) stops new drawdowns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditfactory.servicing.loan_errors import InvalidLoanTransition, LimitExceeded

__all__ = ["CreditFacility", "FacilityStatus"]


class FacilityStatus(str, Enum):
    """Facility states: active → frozen ↔ active; active/frozen → expired / closed."""

    ACTIVE = "active"
    FROZEN = "frozen"
    EXPIRED = "expired"
    CLOSED = "closed"


@dataclass
class CreditFacility:
    """A limit granted to one borrower.

    limit / drawn_total / pending: CNY Decimal, 0.01. revolving: repaid principal frees limit.
    raises LimitExceeded, InvalidLoanTransition.
    """

    facility_id: str
    borrower_id: str
    product_key: str
    limit: Decimal
    start_date: date
    expiry_date: date
    revolving: bool = True
    status: FacilityStatus = FacilityStatus.ACTIVE
    drawn_total: Decimal = Decimal("0.00")
    pending: Decimal = Decimal("0.00")
    version: int = 0

    def available_limit(self, outstanding_principal: Decimal) -> Decimal:
        """Limit still available, given the outstanding principal of the facility's loans."""
        used = outstanding_principal if self.revolving else self.drawn_total
        return max(Decimal("0.00"), self.limit - used - self.pending)

    def request_drawdown(self, amount: Decimal, on: date, outstanding_principal: Decimal) -> None:
        """Reserve `amount` for a drawdown on `on` (becomes pending until funded)."""
        if self.status is not FacilityStatus.ACTIVE:
            raise InvalidLoanTransition(f"facility {self.facility_id} is {self.status.value}")
        if not self.start_date <= on <= self.expiry_date:
            raise LimitExceeded(f"facility {self.facility_id}: {on} is outside its availability")
        if amount <= 0:
            raise LimitExceeded(f"amount: must be positive, got {amount}")
        available = self.available_limit(outstanding_principal)
        if amount > available:
            raise LimitExceeded(
                f"facility {self.facility_id}: drawdown {amount} exceeds available {available}"
            )
        self.pending += amount

    def fund_drawdown(self, amount: Decimal) -> None:
        """The reserved drawdown was disbursed."""
        self.pending -= amount
        self.drawn_total += amount

    def cancel_drawdown(self, amount: Decimal) -> None:
        """Release a reservation that will not be funded."""
        self.pending -= amount

    def freeze(self) -> None:
        """Stop new drawdowns (冻结额度)."""
        if self.status is not FacilityStatus.ACTIVE:
            raise InvalidLoanTransition(f"facility {self.facility_id} is {self.status.value}")
        self.status = FacilityStatus.FROZEN

    def unfreeze(self) -> None:
        """Allow drawdowns again."""
        if self.status is not FacilityStatus.FROZEN:
            raise InvalidLoanTransition(f"facility {self.facility_id} is {self.status.value}")
        self.status = FacilityStatus.ACTIVE
