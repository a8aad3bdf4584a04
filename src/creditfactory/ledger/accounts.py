"""Chart of accounts as versioned data.

Account codes follow the Chinese bank layout loosely (1xxx assets, 2xxx liabilities, 6xxx income
and expense, 7xxx off-balance-sheet memo accounts). Off-balance accounts come in pairs that balance
against each other, so every journal entry — on or off balance sheet — sums to zero.

Normal balance: assets and expenses are debit-normal; liabilities, income and contra-assets are
credit-normal. Balances here are signed: debit positive, credit negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

__all__ = ["Account", "AccountType", "ChartOfAccounts", "CHART_V1", "A"]


class AccountType(str, Enum):
    """Kinds of account; decides the normal side."""

    ASSET = "asset"
    CONTRA_ASSET = "contra_asset"
    LIABILITY = "liability"
    INCOME = "income"
    EXPENSE = "expense"
    MEMO = "memo"  # off-balance-sheet (表外)


@dataclass(frozen=True, slots=True)
class Account:
    """One account: code, English and Chinese names, type."""

    code: str
    name: str
    name_zh: str
    type: AccountType


class A:
    """Account codes used by servicing (names are the field's standard terms)."""

    SETTLEMENT = "1001"
    LOAN_PRINCIPAL = "1301"
    INTEREST_RECEIVABLE = "1302"
    PENALTY_RECEIVABLE = "1303"
    LOAN_LOSS_ALLOWANCE = "1304"
    BORROWER_OVERPAYMENT = "2241"
    INTEREST_INCOME = "6011"
    PENALTY_INCOME = "6012"
    CREDIT_IMPAIRMENT_LOSS = "6702"
    OFF_BALANCE_INTEREST = "7001"
    OFF_BALANCE_INTEREST_CONTRA = "7002"
    WRITTEN_OFF_LOANS = "7101"
    WRITTEN_OFF_LOANS_CONTRA = "7102"


@dataclass(frozen=True)
class ChartOfAccounts:
    """A versioned chart: `version`, `effective_date` and the accounts by code."""

    version: str
    effective_date: date
    accounts: dict[str, Account]

    def __contains__(self, code: object) -> bool:
        return code in self.accounts

    def get(self, code: str) -> Account:
        """The account for `code`; KeyError when unknown."""
        return self.accounts[code]


def _chart(*accounts: Account) -> dict[str, Account]:
    return {a.code: a for a in accounts}


CHART_V1: Final = ChartOfAccounts(
    version="coa-2024.1",
    effective_date=date(2024, 1, 1),
    accounts=_chart(
        Account(A.SETTLEMENT, "Settlement / cash", "清算资金", AccountType.ASSET),
        Account(A.LOAN_PRINCIPAL, "Loan principal", "贷款本金", AccountType.ASSET),
        Account(A.INTEREST_RECEIVABLE, "Interest receivable", "应收利息", AccountType.ASSET),
        Account(A.PENALTY_RECEIVABLE, "Penalty interest receivable", "应收罚息", AccountType.ASSET),
        Account(
            A.LOAN_LOSS_ALLOWANCE, "Loan loss allowance", "贷款损失准备", AccountType.CONTRA_ASSET
        ),
        Account(
            A.BORROWER_OVERPAYMENT,
            "Borrower overpayment",
            "其他应付款-溢缴款",
            AccountType.LIABILITY,
        ),
        Account(A.INTEREST_INCOME, "Interest income", "利息收入", AccountType.INCOME),
        Account(A.PENALTY_INCOME, "Penalty interest income", "罚息收入", AccountType.INCOME),
        Account(
            A.CREDIT_IMPAIRMENT_LOSS, "Credit impairment loss", "信用减值损失", AccountType.EXPENSE
        ),
        Account(
            A.OFF_BALANCE_INTEREST,
            "Off-balance interest receivable",
            "表外应收利息",
            AccountType.MEMO,
        ),
        Account(
            A.OFF_BALANCE_INTEREST_CONTRA,
            "Off-balance interest (contra)",
            "表外应收利息-对方",
            AccountType.MEMO,
        ),
        Account(A.WRITTEN_OFF_LOANS, "Written-off loans", "已核销贷款", AccountType.MEMO),
        Account(
            A.WRITTEN_OFF_LOANS_CONTRA,
            "Written-off loans (contra)",
            "已核销贷款-对方",
            AccountType.MEMO,
        ),
    ),
)
