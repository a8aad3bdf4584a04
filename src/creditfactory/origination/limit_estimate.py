"""在线测额 building block: an indicative limit range before any formal application.

    revenue basis = min(declared revenue, invoice revenue × declared_tolerance)   with invoices
                  = declared revenue × declared_only_haircut                       without
    high = min(revenue basis × revenue_multiple, working-capital need (DOMAIN.md §3.6),
               product maximum, 普惠 cap 10 M CNY − existing credit (DOMAIN.md §2.1),
               score-based cap)          rounded down to `rounding_step`
    low  = high × range_floor            rounded down to `rounding_step`

The score-based cap is injected (`ScoreBasedCap`): scoring owns the scorecard; this module only
takes the minimum. No hard inquiry is made here — the caller pulls invoices only. Invoice revenue
is the sum of 金额 (net of VAT) of valid output invoices (销项, 负数发票 included) over the 12 months
to `as_of`. All amounts are Money (CNY); the policy is versioned data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Final, Protocol

from creditfactory.kernel.money import CNY, Money
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice

__all__ = [
    "INCLUSIVE_SME_CAP",
    "LimitEstimate",
    "LimitEstimateRequest",
    "LimitPolicy",
    "ScoreBasedCap",
    "annual_invoice_revenue",
    "estimate_limit",
    "invoice_months",
    "revenue_cap",
]

INCLUSIVE_SME_CAP: Final = Money.of(10_000_000)
"""普惠型小微: 单户授信总额 ≤ 10 million CNY (DOMAIN.md §2.1, 金规〔2024〕11 号)."""


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """Versioned parameters of the estimate (illustrative defaults; load real ones as data).

    revenue_multiple: fraction of the revenue basis lent at most. range_floor: low ÷ high.
    declared_tolerance: how far declared revenue may exceed invoice revenue and still count.
    declared_only_haircut: weight of declared revenue when there are no invoices.
    minimum_limit: below this no indicative offer is made.
    """

    version: str
    product_max: Money
    revenue_multiple: Decimal = Decimal("0.2")
    inclusive_cap: Money = INCLUSIVE_SME_CAP
    range_floor: Decimal = Decimal("0.7")
    declared_tolerance: Decimal = Decimal("1.2")
    declared_only_haircut: Decimal = Decimal("0.5")
    rounding_step: Money = Money.of(1000)
    minimum_limit: Money = Money.of(10_000)


@dataclass(frozen=True, slots=True)
class LimitEstimateRequest:
    """What the applicant told us and what the authorised data says.

    declared_revenue: annual revenue the applicant declares (zero when not given).
    invoice_revenue: from `annual_invoice_revenue`, None when no invoice data was authorised.
    working_capital_need: from `working_capital.new_working_capital_loan`, None when unknown.
    existing_credit: credit already granted to the borrower (counts against the 普惠 cap).
    """

    subject_id: str
    declared_revenue: Money
    invoice_revenue: Money | None = None
    working_capital_need: Money | None = None
    existing_credit: Money = field(default_factory=lambda: Money.zero(CNY))


class ScoreBasedCap(Protocol):
    """The score-driven cap (scoring's part): the most the scorecard supports, or None."""

    def __call__(self, request: LimitEstimateRequest, revenue_basis: Money) -> Money | None: ...


@dataclass(frozen=True, slots=True)
class LimitEstimate:
    """The indicative range.

    low / high: Money, rounded down to the policy step; both zero when no offer.
    binding: the name of the smallest cap ("revenue_multiple", "working_capital_need",
    "product_max", "inclusive_cap", "score", or "below_minimum").
    caps: every cap that applied, by name. revenue_basis: the revenue the multiple was applied to.
    """

    low: Money
    high: Money
    binding: str
    caps: Mapping[str, Money]
    revenue_basis: Money
    policy_version: str

    @property
    def has_offer(self) -> bool:
        """True when the range is above the policy minimum."""
        return not self.high.is_zero()


def _year_before(as_of: date) -> date:
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - 1, day=28)


def _counted_sales(invoices: Iterable[VATInvoice], as_of: date) -> list[VATInvoice]:
    start = _year_before(as_of)
    return [
        i
        for i in invoices
        if i.direction is InvoiceDirection.OUTPUT
        and i.status is InvoiceStatus.VALID
        and start < i.issue_date <= as_of
    ]


def annual_invoice_revenue(invoices: Iterable[VATInvoice], as_of: date) -> Money:
    """Σ 金额 of valid output invoices issued in (as_of − 1 year, as_of]; 负数发票 reduce it."""
    total = Money.zero(CNY)
    for invoice in _counted_sales(invoices, as_of):
        total += invoice.amount
    return total


def invoice_months(invoices: Iterable[VATInvoice], as_of: date) -> int:
    """Number of distinct calendar months with a valid output invoice in the 12 months to as_of."""
    return len({(i.issue_date.year, i.issue_date.month) for i in _counted_sales(invoices, as_of)})


def _revenue_basis(request: LimitEstimateRequest, policy: LimitPolicy) -> Money:
    return _basis(request.declared_revenue, request.invoice_revenue, policy)


def _basis(declared: Money, invoiced: Money | None, policy: LimitPolicy) -> Money:
    if invoiced is None or invoiced.amount <= 0:
        return declared * policy.declared_only_haircut
    if declared.amount <= 0:
        return invoiced
    return min(declared, invoiced * policy.declared_tolerance)


def revenue_cap(
    declared: Money | None, invoiced: Money | None, policy: LimitPolicy
) -> Money | None:
    """The revenue cap an application's limit is sized under — the estimate's own: revenue
    basis (module docstring) × `revenue_multiple`, CNY. `declared`: declared annual sales;
    `invoiced`: annual sales on the invoices (`annual_invoice_revenue`), which bound the
    declared figure (× declared_tolerance) and stand alone when nothing is declared. None when
    neither is known (the sizing then has no revenue cap)."""
    if declared is None and (invoiced is None or invoiced.amount <= 0):
        return None
    basis = _basis(declared if declared is not None else Money.zero(), invoiced, policy)
    return basis * policy.revenue_multiple


def _floor_to_step(amount: Money, step: Money) -> Money:
    if amount.amount <= 0:
        return Money.zero(amount.currency)
    units = (amount.amount / step.amount).to_integral_value(rounding=ROUND_FLOOR)
    return Money(units * step.amount, amount.currency)


def _caps(
    request: LimitEstimateRequest,
    policy: LimitPolicy,
    basis: Money,
    score_cap: ScoreBasedCap | None,
) -> dict[str, Money]:
    caps = {
        "revenue_multiple": basis * policy.revenue_multiple,
        "product_max": policy.product_max,
        "inclusive_cap": policy.inclusive_cap - request.existing_credit,
    }
    if request.working_capital_need is not None:
        caps["working_capital_need"] = request.working_capital_need
    scored = score_cap(request, basis) if score_cap is not None else None
    if scored is not None:
        caps["score"] = scored
    return caps


def estimate_limit(
    request: LimitEstimateRequest, policy: LimitPolicy, score_cap: ScoreBasedCap | None = None
) -> LimitEstimate:
    """The indicative limit range: the minimum of every cap, rounded down to the policy step.

    Ties name the first cap in the order revenue_multiple, product_max, inclusive_cap,
    working_capital_need, score. A high below `policy.minimum_limit` gives a zero range with
    binding "below_minimum". Raises CurrencyMismatch when amounts mix currencies.
    """
    basis = _revenue_basis(request, policy)
    caps = _caps(request, policy, basis, score_cap)
    binding = min(caps, key=lambda name: caps[name].amount)
    high = _floor_to_step(caps[binding], policy.rounding_step)
    if high < policy.minimum_limit:
        zero = Money.zero(high.currency)
        return LimitEstimate(zero, zero, "below_minimum", caps, basis.rounded(), policy.version)
    low = _floor_to_step(high * policy.range_floor, policy.rounding_step)
    return LimitEstimate(low, high, binding, caps, basis.rounded(), policy.version)
