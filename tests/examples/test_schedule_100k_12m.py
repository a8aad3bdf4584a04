"""Worked example: 100,000 CNY, 12 months 等额本息, 4.45 % a year, disbursed 2024-01-31.

4.45 % = 1-year LPR 3.45 % (effective 2023-08-21 and 2024-02-20, DOMAIN.md §3.2) + 100 bp.
Monthly basis (月利率 = 年利率 ÷ 12, DOMAIN.md §3.3):

    r        = 0.0445 / 12 = 0.003708333…
    (1+r)^12 = 1.045418927875443…
    A        = P·r·(1+r)^12 / ((1+r)^12 − 1)
             = 100000 × 0.003708333… × 1.045418927… / 0.045418927…
             = 8535.56444170… → 8535.56 (half-up to 分)

Each month: interest = round(balance × r), principal = 8535.56 − interest; the last month pays
the whole remaining balance (it absorbs the rounding residue):

    k  balance before   × r          interest  principal  installment  balance after
    1  100000.00        370.8333     370.83    8164.73    8535.56      91835.27
    2   91835.27        340.5558     340.56    8195.00    8535.56      83640.27
    3   83640.27        310.1660     310.17    8225.39    8535.56      75414.88
    4   75414.88        279.6635     279.66    8255.90    8535.56      67158.98
    5   67158.98        249.0479     249.05    8286.51    8535.56      58872.47
    6   58872.47        218.3187     218.32    8317.24    8535.56      50555.23
    7   50555.23        187.4756     187.48    8348.08    8535.56      42207.15
    8   42207.15        156.5182     156.52    8379.04    8535.56      33828.11
    9   33828.11        125.4459     125.45    8410.11    8535.56      25418.00
   10   25418.00         94.2584      94.26    8441.30    8535.56      16976.70
   11   16976.70         62.9553      62.96    8472.60    8535.56       8504.10
   12    8504.10         31.5360      31.54    8504.10    8535.64          0.00

    Σ interest = 2426.80; Σ principal = 100000.00; Σ due = 102426.80.
Due dates keep the 31st clamped to each month's end: 02-29 (leap year), 03-31, 04-30, …
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    RepaymentSchedule,
    ScheduleTerms,
    build_schedule,
)

EXPECTED = [
    # seq, due date, principal, interest, installment, outstanding
    (1, date(2024, 2, 29), "8164.73", "370.83", "8535.56", "91835.27"),
    (2, date(2024, 3, 31), "8195.00", "340.56", "8535.56", "83640.27"),
    (3, date(2024, 4, 30), "8225.39", "310.17", "8535.56", "75414.88"),
    (4, date(2024, 5, 31), "8255.90", "279.66", "8535.56", "67158.98"),
    (5, date(2024, 6, 30), "8286.51", "249.05", "8535.56", "58872.47"),
    (6, date(2024, 7, 31), "8317.24", "218.32", "8535.56", "50555.23"),
    (7, date(2024, 8, 31), "8348.08", "187.48", "8535.56", "42207.15"),
    (8, date(2024, 9, 30), "8379.04", "156.52", "8535.56", "33828.11"),
    (9, date(2024, 10, 31), "8410.11", "125.45", "8535.56", "25418.00"),
    (10, date(2024, 11, 30), "8441.30", "94.26", "8535.56", "16976.70"),
    (11, date(2024, 12, 31), "8472.60", "62.96", "8535.56", "8504.10"),
    (12, date(2025, 1, 31), "8504.10", "31.54", "8535.64", "0.00"),
]


def _schedule() -> RepaymentSchedule:
    lpr_1y = Rate.from_percent("3.45")
    terms = ScheduleTerms(
        principal=Money.of("100000"),
        annual_rate=lpr_1y.plus_bp(100),
        term=12,
        method=AmortizationMethod.EQUAL_INSTALLMENT,
        disbursement_date=date(2024, 1, 31),
    )
    return build_schedule(terms)


def test_rate_is_lpr_plus_100bp() -> None:
    assert Rate.from_percent("3.45").plus_bp(100) == Rate.of("0.0445")


def test_every_installment() -> None:
    schedule = _schedule()
    got = [
        (
            row.seq,
            row.due_date,
            str(row.principal_due.amount),
            str(row.interest_due.amount),
            str(row.installment.amount),
            str(row.outstanding.amount),
        )
        for row in schedule.installments
    ]
    assert got == EXPECTED
    assert schedule.level_installment == Money.of("8535.56")


def test_totals_and_last_installment_absorbs_the_residue() -> None:
    schedule = _schedule()
    assert schedule.total_principal.amount == Decimal("100000.00")
    assert schedule.total_interest.amount == Decimal("2426.80")
    assert schedule.total_due.amount == Decimal("102426.80")
    # 11 × 8535.56 + 8535.64 = 102426.80; the last is 0.08 above the level installment.
    assert schedule.installments[-1].installment.amount - Decimal("8535.56") == Decimal("0.08")
