"""The decision caps the limit by revenue (findings H3), through HTTP.

Measured on main before: CUMCM firm E393, 296,934 CNY of verified sales (its valid 销项 invoices
over 12 months), applied for 1,000,000 without a working-capital need and was approved for
1,000,000, while the 测额 estimate for it said 41,000–59,000 (296,934 × 0.2 = 59,386.8).
Here an E393-like firm: 12 monthly sales of 24,744.50 CNY = 296,934 CNY a year.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from creditfactory.kernel.money import Money
from creditfactory.origination import DataSources
from creditfactory.origination.application import demo_uscc
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice
from tests.e2e.conftest import GOOD, application
from tests.e2e.test_verified_data import CONSENT


class E393Like:
    """Twelve valid output invoices of 24,744.50 CNY (net of VAT), one a month."""

    def invoices(self, subject_id: str, direction: Any = None) -> list[VATInvoice]:
        today = datetime.now(UTC).date()
        return [
            VATInvoice("E393", f"{n:08d}", today - timedelta(days=30 * n + 5), "B1",
                       InvoiceDirection.OUTPUT, Money.of("24744.50"), Money.of("3216.79"),
                       Money.of("27961.29"), InvoiceStatus.VALID)
            for n in range(12)
        ]  # fmt: skip


def test_a_small_firm_is_not_lent_a_million(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine, DataSources(invoices=E393Like()))
    body = application(declared=GOOD, amount="1000000", uscc=demo_uscc(secrets.randbelow(10**8)))
    body["consent"] = {**CONSENT, "categories": ["invoices"]}
    answer = api.post("/api/v1/applications", body, secrets.token_hex(8)).json()
    decision = answer["decision"]
    assert decision["limit_binding"] == "revenue_multiple", decision
    assert decision["limit"] == "59000"  # 296,934 × 0.2 = 59,386.8, floored to 1,000
    assert answer["status"] == "disbursed" and answer["offer"]["amount"] == "59000.00"
