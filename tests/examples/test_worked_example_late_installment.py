"""Worked example, by hand: 100,000 CNY, 12 months 等额本息 at 1-year LPR 3.45 % + 100 bp = 4.45 %,
disbursed 2024-01-31, every installment paid on its due date except the 3rd, paid 20 days late.

Schedule (monthly basis, r = 0.0445 / 12 = 0.00370833…): level installment A = P·r·(1+r)^12 /
((1+r)^12 − 1) = 8535.56; installment 1 interest = 100000 × r = 370.83, principal 8164.73;
installment 2 interest = 91835.27 × r = 340.56, principal 8195.00; installment 3 (due 2024-04-30)
interest = 83640.27 × r = 310.17, principal 8225.39. (tests/examples/test_schedule_100k_12m.py
writes out all twelve rows.)

Late payment of installment 3 on 2024-05-20 (20 days after 2024-04-30):
  penalty rate   = 4.45 % × (1 + 50 %) = 6.675 % a year, ACT/360 (银发〔2003〕251号)
  罚息 (penalty)  = 8225.39 × 0.06675 / 360 × 20 = 30.5025…  → 30.50
  复利 (compound) =  310.17 × 0.06675 / 360 × 20 =  1.1502…  →  1.15
  paid on 2024-05-20 = 8225.39 + 310.17 + 30.50 + 1.15 = 8567.21

DPD and grade: 2024-05-01 DPD 1 → 关注 (any overdue, DPD floors 2023); 2024-05-19 DPD 19;
2024-05-20 paid → DPD 0 → 正常.

Loss allowance (银发〔2002〕98号: 正常 1 %, 关注 2 %) on outstanding principal:
  2024-04-30 正常: 83640.27 × 1 % = 836.40
  2024-05-01 关注: 83640.27 × 2 % = 1672.81 → Dr 信用减值损失 836.41 / Cr 贷款损失准备 836.41
  2024-05-20 正常: 75414.88 × 1 % = 754.15 → Dr 贷款损失准备 918.66 / Cr 信用减值损失 918.66

Whole life: cash in = 100000 + 2426.80 interest + 31.65 penalty = 102458.45; the loan closes on
2025-01-31 and its allowance is released.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.servicing_fixtures import assert_books_match, term_loan

from creditfactory.ledger import A, JournalEntry
from creditfactory.servicing.classification import LoanGrade
from creditfactory.servicing.eod import run_end_of_day
from creditfactory.servicing.loan import LoanStatus
from creditfactory.servicing.repayment import disburse, repay

LATE_DUE = date(2024, 4, 30)
LATE_PAID = date(2024, 5, 20)


def _legs(entry: JournalEntry) -> list[tuple[str, str]]:
    return [(p.account, str(p.amount.amount)) for p in entry.postings]


def _run() -> tuple[list[JournalEntry], dict[date, tuple[int, LoanGrade]], object]:
    loan = term_loan()
    entries = disburse(loan, date(2024, 1, 31))
    pay_on = {r.due_date: r for r in loan.installments}
    pay_on[LATE_PAID] = pay_on.pop(LATE_DUE)
    path: dict[date, tuple[int, LoanGrade]] = {}
    day = date(2024, 1, 30)
    while loan.status is LoanStatus.ACTIVE:
        day += timedelta(days=1)
        row = pay_on.get(day)
        if row is not None:
            owed = row.principal_unpaid + row.interest_unpaid
            if day == LATE_PAID:
                owed += Decimal("31.65")
            entries += repay(loan, owed, day)
        entries += run_end_of_day(loan, day)
        path[day] = (loan.dpd, loan.grade)
    assert_books_match([loan], entries)
    return entries, path, loan


def test_penalty_and_compound_interest_on_the_late_installment() -> None:
    entries, _, _ = _run()
    late = [e for e in entries if e.event == "RepaymentPosted" and e.business_date == LATE_PAID]
    assert _legs(late[0]) == [
        (A.SETTLEMENT, "8567.21"),
        (A.LOAN_PRINCIPAL, "-8225.39"),
        (A.INTEREST_RECEIVABLE, "-310.17"),
        (A.PENALTY_RECEIVABLE, "-31.65"),
    ]
    accrued_penalty = sum(
        (
            p.amount.amount
            for e in entries
            if e.event == "InterestAccrued"
            for p in e.postings
            if p.account == A.PENALTY_INCOME
        ),
        Decimal(0),
    )
    assert accrued_penalty == Decimal("-31.65")  # 30.50 罚息 + 1.15 复利


def test_dpd_and_grade_path() -> None:
    _, path, _ = _run()
    assert path[LATE_DUE] == (0, LoanGrade.PASS)
    assert path[date(2024, 5, 1)] == (1, LoanGrade.SPECIAL_MENTION)
    assert path[date(2024, 5, 19)] == (19, LoanGrade.SPECIAL_MENTION)
    assert path[LATE_PAID] == (0, LoanGrade.PASS)
    assert {grade for _, grade in path.values()} == {LoanGrade.PASS, LoanGrade.SPECIAL_MENTION}


def test_every_non_accrual_journal_entry() -> None:
    entries, _, _ = _run()
    written = [
        (e.business_date, e.event, _legs(e)) for e in entries if e.event != "InterestAccrued"
    ]
    allowance = [w for w in written if w[1] == "AllowanceAdjusted"]
    assert written[0] == (
        date(2024, 1, 31),
        "LoanDisbursed",
        [(A.LOAN_PRINCIPAL, "100000.00"), (A.SETTLEMENT, "-100000.00")],
    )
    assert allowance[0] == (
        date(2024, 1, 31),
        "AllowanceAdjusted",
        [(A.CREDIT_IMPAIRMENT_LOSS, "1000.00"), (A.LOAN_LOSS_ALLOWANCE, "-1000.00")],
    )
    by_date = {(d, ev): legs for d, ev, legs in written}
    assert by_date[(date(2024, 2, 29), "RepaymentPosted")] == [
        (A.SETTLEMENT, "8535.56"),
        (A.LOAN_PRINCIPAL, "-8164.73"),
        (A.INTEREST_RECEIVABLE, "-370.83"),
    ]
    assert by_date[(date(2024, 5, 1), "AllowanceAdjusted")] == [
        (A.CREDIT_IMPAIRMENT_LOSS, "836.41"),
        (A.LOAN_LOSS_ALLOWANCE, "-836.41"),
    ]
    assert by_date[(LATE_PAID, "AllowanceAdjusted")] == [
        (A.CREDIT_IMPAIRMENT_LOSS, "-918.66"),
        (A.LOAN_LOSS_ALLOWANCE, "918.66"),
    ]
    assert written[-1][1] == "AllowanceReleased"
    assert written[-1][0] == date(2025, 1, 31)


def test_monthly_accruals_add_up_to_the_scheduled_interest() -> None:
    entries, _, loan = _run()
    february = sum(
        (
            p.amount.amount
            for e in entries
            if e.event == "InterestAccrued"
            and date(2024, 2, 1) <= e.business_date <= date(2024, 2, 29)
            for p in e.postings
            if p.account == A.INTEREST_INCOME
        ),
        Decimal(0),
    )
    assert february == Decimal("-370.83")
    income = sum(
        (p.amount.amount for e in entries for p in e.postings if p.account == A.INTEREST_INCOME),
        Decimal(0),
    )
    assert income == Decimal("-2426.80")
    cash = sum(
        (p.amount.amount for e in entries for p in e.postings if p.account == A.SETTLEMENT),
        Decimal(0),
    )
    assert cash == Decimal("2458.45")  # 102458.45 received − 100000 paid out
