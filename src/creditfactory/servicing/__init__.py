"""Servicing: how a loan lives after approval.

Schedules (`schedules`), the `Loan` aggregate and its lifecycle (`loan`), daily accrual with
unrounded carries (`accrual`), allocation orders (`allocation`), repayments, overpayment, write-off
and recovery (`repayment`), prepayment and payoff quotes (`prepayment`), days past due, the
five-category grade, non-accrual and allowance (`delinquency`, `classification`), end-of-day
(`eod`), credit facilities (`facility`), products as versioned data (`products`) and the use cases
over a unit of work (`services`). Every money movement returns balanced `ledger` entries. See
docs/servicing.md.
"""

from creditfactory.servicing.classification import DPDBucket, LoanGrade
from creditfactory.servicing.eod import run_end_of_day
from creditfactory.servicing.facility import CreditFacility, FacilityStatus
from creditfactory.servicing.loan import InstallmentState, Loan, LoanStatus
from creditfactory.servicing.prepayment import (
    PayoffQuote,
    PrepaymentKeep,
    amount_due,
    payoff_quote,
    prepay,
)
from creditfactory.servicing.products import PRODUCTS, LoanProduct
from creditfactory.servicing.repayment import disburse, recover, repay, write_off
from creditfactory.servicing.schedules import (
    AmortizationMethod,
    InterestBasis,
    RepaymentSchedule,
    ScheduleTerms,
    build_schedule,
    reamortize,
)

__all__ = [
    "PRODUCTS",
    "AmortizationMethod",
    "CreditFacility",
    "DPDBucket",
    "FacilityStatus",
    "InstallmentState",
    "InterestBasis",
    "Loan",
    "LoanGrade",
    "LoanProduct",
    "LoanStatus",
    "PayoffQuote",
    "PrepaymentKeep",
    "RepaymentSchedule",
    "ScheduleTerms",
    "amount_due",
    "build_schedule",
    "disburse",
    "payoff_quote",
    "prepay",
    "reamortize",
    "recover",
    "repay",
    "run_end_of_day",
    "write_off",
]
