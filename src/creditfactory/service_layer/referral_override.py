"""The bounds of an approver's override on a referral, and the record and offer it changes.

`override_bounds` reads the bounds of `decisioning.override` for one referred application from
what is in force when the approver decides: the served credit policy (`deps.policy`), the booked
servicing product (`deps.product_key`: maximum principal and term), the policy's pricing
product (rate floor and cap) and the borrower's exposure now (booked principal plus open offers,
read under the borrower's lock in the caller's transaction, as rule K11 reads it).
`apply_override` checks an override against them and changes the officer decision record: the
limit and rate, an ``override`` block (each change from → to, the reason, the bounds) and the
OVERRIDE reason; the offer's term is returned for the caller's `make_offer`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from creditfactory.decisioning.override import (
    Override,
    OverrideBounds,
    check_override,
    override_reason,
)
from creditfactory.kernel.money import Money
from creditfactory.pricing.policy import product_terms
from creditfactory.service_layer.factory_ports import FactoryDeps, FactoryUnitOfWork
from creditfactory.servicing.products import PRODUCTS

__all__ = ["apply_override", "override_bounds"]


def override_bounds(
    deps: FactoryDeps, uow: FactoryUnitOfWork, app: dict[str, Any]
) -> OverrideBounds:
    """The bounds for referred application row `app` (module docstring)."""
    limits = deps.policy.limits
    product = PRODUCTS[deps.product_key]
    pricing = product_terms(deps.policy.pricing_product)
    uow.applications.lock_borrower(app["subject_id_enc"])
    held = uow.applications.exposure(app["subject_id_enc"], deps.clock.now())
    maximum = min(
        (Money.from_minor(app["requested_minor"]), limits.product_max,
         Money.of(product.max_principal), limits.inclusive_cap - held,
         limits.concentration_cap - held),
        key=lambda m: m.amount,
    )  # fmt: skip
    return OverrideBounds(limits.minimum, maximum, product.max_term_months,
                          pricing.floor.value, pricing.cap.value)  # fmt: skip


def apply_override(
    deps: FactoryDeps, uow: FactoryUnitOfWork, app: dict[str, Any], record: dict[str, Any],
    override: Override, maker: str, checker: str,
) -> int:  # fmt: skip
    """Check `override` against the bounds and change officer decision `record` in place;
    returns the offer's term in months. raises ValidationError naming the override's field."""
    bounds = override_bounds(deps, uow, app)
    check_override(override, bounds)
    term = app["term_months"]
    changes: dict[str, dict[str, Any]] = {}
    if override.amount is not None:
        amount = str(override.amount.rounded().amount)
        changes["amount"] = {"from": record["limit"], "to": amount}
        record["limit"] = amount
    if override.term_months is not None:
        changes["term_months"] = {"from": term, "to": override.term_months}
        term = override.term_months
    if override.annual_rate is not None:
        rate = str(Decimal(override.annual_rate).normalize())
        changes["annual_rate"] = {"from": record["annual_rate"], "to": rate}
        record["annual_rate"] = rate
    record["override"] = {"changes": changes, "reason": override.reason.strip(),
                          "bounds": bounds.to_dict()}  # fmt: skip
    reason = override_reason(changes, override.reason, maker, checker)
    record["reasons"] = [*record["reasons"], reason.to_dict()]
    return int(term)
