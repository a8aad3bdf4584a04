"""SBA guarantee share by programme (SBA 担保比例): the rule the platform applies to a request.

The share of a loan SBA guarantees is set by the programme, not declared by the applicant:

- standard 7(a): 85 % of a loan of US$150,000 or less, 75 % of a larger one —
  15 U.S.C. § 636(a)(2)(A); 13 CFR § 120.210 ("What percentage of a loan may SBA guarantee?");
  SBA SOP 50 10;
- SBAExpress: 50 % — 15 U.S.C. § 636(a)(31)(A); SBA SOP 50 10.

Shares the SBAcase data also holds that no applicant is offered here: 90 % (the Recovery Act's
temporary 7(a) guarantee, 2009–2010), 80 % (the pre-1990s small-loan share), and 100 % — the
240-month loans of Certified Development Companies (the 504 programme's debentures, which SBA
guarantees in full). The scoring data recomputes every loan's guaranteed amount by this rule
(`scoring.training.datasets.sba_recode`), and the served path computes it from the request, so
the two agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

EXPRESS_SHARE: Final = Decimal("0.50")
SMALL_LOAN_SHARE: Final = Decimal("0.85")
LARGE_LOAN_SHARE: Final = Decimal("0.75")
SMALL_LOAN_LIMIT: Final = Decimal("150000")
"""US$: a standard 7(a) loan up to and including this amount is guaranteed at 85 %."""


def guarantee_share(amount: Decimal, express: bool) -> Decimal:
    """The share SBA guarantees of a loan of `amount` (US$, > 0) under the programme:
    `EXPRESS_SHARE` for SBAExpress, else `SMALL_LOAN_SHARE` up to `SMALL_LOAN_LIMIT` and
    `LARGE_LOAN_SHARE` above.

    Raises:
        ValueError: a non-positive amount.
    """
    if amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")
    if express:
        return EXPRESS_SHARE
    return SMALL_LOAN_SHARE if amount <= SMALL_LOAN_LIMIT else LARGE_LOAN_SHARE


def guaranteed_amount(amount: Decimal, express: bool) -> Decimal:
    """``amount × guarantee_share`` (exact: whole cents times a two-digit share)."""
    return amount * guarantee_share(amount, express)
