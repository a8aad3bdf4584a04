"""在线测额 limit range: min of revenue multiple, working-capital need, product max, 普惠 cap and
an injected score cap. Expected figures are worked by hand in each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.origination.limit_estimate import (
    INCLUSIVE_SME_CAP,
    LimitEstimateRequest,
    LimitPolicy,
    annual_invoice_revenue,
    estimate_limit,
    invoice_months,
)
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice

POLICY = LimitPolicy(version="limit-2025-01", product_max=Money.of(3_000_000))
SUBJECT = "91350200776049653A"


def _request(**kw: object) -> LimitEstimateRequest:
    base: dict[str, object] = {
        "subject_id": SUBJECT,
        "declared_revenue": Money.of(6_000_000),
        "invoice_revenue": Money.of(4_000_000),
    }
    return LimitEstimateRequest(**{**base, **kw})  # type: ignore[arg-type]


def test_inclusive_cap_is_ten_million() -> None:
    assert INCLUSIVE_SME_CAP == Money.of(10_000_000)


def test_working_capital_need_binds() -> None:
    # basis = min(6.0M, 4.0M × 1.2 = 4.8M) = 4.8M; × 0.2 = 960,000; WC need 500,000 binds.
    est = estimate_limit(_request(working_capital_need=Money.of(500_000)), POLICY)
    assert est.revenue_basis == Money.of("4800000.00")
    assert est.caps["revenue_multiple"] == Money.of(960_000)
    assert est.binding == "working_capital_need"
    assert (est.high, est.low) == (Money.of(500_000), Money.of(350_000))
    assert est.policy_version == "limit-2025-01"


def test_score_cap_is_injected_and_rounded_down() -> None:
    seen: list[Money] = []

    def score_cap(request: LimitEstimateRequest, revenue_basis: Money) -> Money:
        seen.append(revenue_basis)
        return Money.of("700123.45")

    est = estimate_limit(_request(), POLICY, score_cap)
    assert seen == [Money.of("4800000.0")]
    assert est.binding == "score"
    # 700,123.45 floored to the 1,000 step = 700,000; low = 700,000 × 0.7 = 490,000.
    assert (est.high, est.low) == (Money.of(700_000), Money.of(490_000))


def test_score_cap_none_is_ignored() -> None:
    est = estimate_limit(_request(), POLICY, lambda request, basis: None)
    assert "score" not in est.caps
    assert est.binding == "revenue_multiple"
    assert est.high == Money.of(960_000)


def test_inclusive_cap_counts_existing_credit() -> None:
    # 10,000,000 − 9,800,000 already granted = 200,000 left under the 普惠 threshold.
    est = estimate_limit(_request(existing_credit=Money.of(9_800_000)), POLICY)
    assert est.binding == "inclusive_cap"
    assert (est.high, est.low) == (Money.of(200_000), Money.of(140_000))


def test_product_max_binds_for_large_revenue() -> None:
    est = estimate_limit(
        _request(declared_revenue=Money.of(0), invoice_revenue=Money.of(50_000_000)), POLICY
    )
    # basis = invoices 50M (nothing declared); × 0.2 = 10M; product max 3M binds.
    assert est.binding == "product_max"
    assert est.high == Money.of(3_000_000)


def test_declared_only_is_haircut() -> None:
    est = estimate_limit(
        _request(declared_revenue=Money.of(1_000_000), invoice_revenue=None), POLICY
    )
    # 1,000,000 × 0.5 = 500,000 basis; × 0.2 = 100,000; low 70,000.
    assert est.revenue_basis == Money.of(500_000)
    assert (est.high, est.low) == (Money.of(100_000), Money.of(70_000))


def test_below_minimum_gives_no_offer() -> None:
    est = estimate_limit(_request(declared_revenue=Money.of(30_000), invoice_revenue=None), POLICY)
    assert est.binding == "below_minimum"
    assert not est.has_offer
    assert est.high.is_zero() and est.low.is_zero()


def _inv(day: date, amount: str, direction=InvoiceDirection.OUTPUT, status=InvoiceStatus.VALID):  # noqa: ANN001, ANN202
    value = Money.of(amount)
    return VATInvoice(SUBJECT, "1", day, "B1", direction, value, value * Decimal("0.13"),
                      value * Decimal("1.13"), status)  # fmt: skip


def test_annual_invoice_revenue_window_and_filters() -> None:
    as_of = date(2025, 6, 30)
    invoices = [
        _inv(date(2024, 6, 30), "1000"),  # on the window's open start: excluded
        _inv(date(2024, 7, 1), "100"),
        _inv(date(2024, 9, 3), "-30"),  # 负数发票 reduces revenue
        _inv(date(2024, 9, 4), "200", status=InvoiceStatus.VOID),  # 作废: excluded
        _inv(date(2024, 10, 1), "500", direction=InvoiceDirection.INPUT),  # purchase: excluded
        _inv(date(2025, 6, 30), "50"),
        _inv(date(2025, 7, 1), "999"),  # after as_of: excluded
    ]
    assert annual_invoice_revenue(invoices, as_of) == Money.of(120)
    assert invoice_months(invoices, as_of) == 3


def test_leap_day_as_of() -> None:
    assert annual_invoice_revenue([_inv(date(2023, 3, 1), "10")], date(2024, 2, 29)) == Money.of(10)
