"""Loan products as versioned data: method, day count, penalty terms, allocation order, limits.

A loan records the product code and version it was booked under; changing a product makes a new
version, never edits the old one. Penalty defaults follow 银发〔2003〕251号: overdue penalty rate =
contract rate × (1 + 30 %–50 %), and unpaid interest compounds at the penalty rate (DOMAIN.md §3.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.money import RoundingMode
from creditfactory.servicing.allocation import AllocationOrder
from creditfactory.servicing.classification import (
    ALLOWANCE_RATES_2002,
    DPD_FLOORS_2023,
    DPDFloorTable,
    LoanGrade,
)

__all__ = ["LoanProduct", "PRODUCTS", "SME_TERM_LOAN", "SME_REVOLVING_LINE"]


@dataclass(frozen=True)
class LoanProduct:
    """One version of a product.

    penalty_markup: fraction added to the contract rate for overdue principal (0.5 → × 1.5).
    compound_overdue_interest: whether unpaid interest accrues 复利 at the penalty rate.
    non_accrual_dpd: DPD from which interest moves off balance sheet (> 90 → 91).
    max_principal / max_term_months: product limits (CNY; months).
    """

    code: str
    version: str
    effective_date: date
    name_zh: str
    method: str  # an AmortizationMethod value; 随借随还 is interest_only on the daily basis
    day_count: DayCount = DayCount.ACT_360
    interest_basis: str = "monthly"  # "monthly" (年利率÷12) or "daily" (ACT_360 per period)
    rounding: RoundingMode = RoundingMode.HALF_UP
    penalty_markup: Decimal = Decimal("0.5")
    compound_overdue_interest: bool = True
    allocation_order: AllocationOrder = AllocationOrder.PENALTY_INTEREST_PRINCIPAL
    non_accrual_dpd: int = 91
    max_principal: Decimal = Decimal("10000000")
    max_term_months: int = 36
    dpd_floors: DPDFloorTable = DPD_FLOORS_2023
    allowance_rates: dict[LoanGrade, Decimal] = field(default_factory=lambda: ALLOWANCE_RATES_2002)

    @property
    def key(self) -> str:
        """code@version, as loans record it."""
        return f"{self.code}@{self.version}"


SME_TERM_LOAN: Final = LoanProduct(
    code="sme-term",
    version="2024.1",
    effective_date=date(2024, 1, 1),
    name_zh="小微经营贷(分期)",
    method="equal_installment",
)

SME_REVOLVING_LINE: Final = LoanProduct(
    code="sme-revolving",
    version="2024.1",
    effective_date=date(2024, 1, 1),
    name_zh="小微经营贷(随借随还)",
    method="interest_only",
    interest_basis="daily",
    max_term_months=12,
)

PRODUCTS: Final = {p.key: p for p in (SME_TERM_LOAN, SME_REVOLVING_LINE)}
