"""Churn-aware rate optimisation: per grade, the rate maximising expected risk-adjusted profit.

Input: an acceptance curve per grade, i.e. observed (annual rate, churn) points — the CUMCM 2020 C
附件3 table of 2019 (`rate_vs_churn_2019.csv`, read by the CLI adapter and handed in as plain rows).
For each grade g with PD p_g, at each observed rate r:

    acceptance(r)        = 1 − churn_g(r)
    expected profit(r)   = acceptance(r) × π(r)(1 − t) × EAD   (RAROC numerator, `raroc.py`)
    economic profit(r)   = acceptance(r) × [π(r)(1 − t) − h·c] × EAD   (after the capital charge)

and the chosen rate maximises expected profit among the points with RAROC(r) ≥ hurdle (the
constraint does not depend on acceptance). Only observed points are candidates: the curve is
empirical and noisy, and interpolating it would invent data. A grade with no point meeting the
hurdle is reported infeasible (do not lend at these rates).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.economics import LoanEconomics, assess
from creditfactory.pricing.errors import ChurnTableInvalid
from creditfactory.pricing.loss import fraction
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.pricing.policy import DEFAULT_POLICY, DEFAULT_PRODUCT, PricingPolicy
from creditfactory.pricing.quote import PricingRequest
from creditfactory.pricing.raroc import after_tax_profit_rate, minimum_rate, raroc

__all__ = ["AcceptancePoint", "GradeOptimum", "curves_from_rows", "optimise_rates"]

_RATE_COLUMN = "annual_rate"
_CHURN_PREFIX = "churn_rating_"


@dataclass(frozen=True, slots=True)
class AcceptancePoint:
    """One observed point of a grade's curve: a rate and the share of customers lost at it."""

    annual_rate: Rate
    churn: Decimal

    @property
    def acceptance(self) -> Decimal:
        """1 − churn."""
        return 1 - self.churn


@dataclass(frozen=True, slots=True)
class GradeOptimum:
    """The best observed rate for one grade, with its figures (money per applicant of EAD)."""

    grade: str
    pd_12m: Decimal
    feasible: bool
    point: AcceptancePoint
    raroc: Decimal
    minimum_rate: Rate
    expected_profit: Money
    economic_profit: Money
    points_meeting_hurdle: int


def curves_from_rows(rows: Iterable[Mapping[str, str]]) -> dict[str, list[AcceptancePoint]]:
    """Curves per grade from rows with `annual_rate` and `churn_rating_<grade>` columns (strings).

    raises ChurnTableInvalid for no rows (a header only), a missing `annual_rate` column, no churn
    columns, an empty cell, or a value outside [0, 1]; the message names the row and column.
    """
    curves: dict[str, list[AcceptancePoint]] = {}
    count = 0
    for count, row in enumerate(rows, start=1):
        if _RATE_COLUMN not in row:
            columns = ", ".join(str(c) for c in row) or "none"
            raise ChurnTableInvalid(f"no {_RATE_COLUMN!r} column (columns: {columns})")
        rate = Rate(_cell(row[_RATE_COLUMN], _RATE_COLUMN, count))
        for column, value in row.items():
            if isinstance(column, str) and column.startswith(_CHURN_PREFIX):
                churn = _cell(value, column, count)
                curves.setdefault(column.removeprefix(_CHURN_PREFIX), []).append(
                    AcceptancePoint(rate, churn)
                )
    if count == 0:
        raise ChurnTableInvalid("has no data rows (header only or empty)")
    if not curves:
        raise ChurnTableInvalid(f"has no {_CHURN_PREFIX}<grade> columns")
    return curves


def _cell(value: str | None, column: str, row: int) -> Decimal:
    if value is None or not value.strip():
        raise ChurnTableInvalid(f"row {row}: {column} is empty")
    try:
        return fraction(value.strip(), column)
    except ValidationError as exc:
        raise ChurnTableInvalid(f"row {row}: {exc}") from None


def optimise_rates(
    curves: Mapping[str, Sequence[AcceptancePoint]],
    pd_by_grade: Mapping[str, Decimal],
    lgd: Decimal,
    ead: Money,
    as_of: date,
    policy: PricingPolicy = DEFAULT_POLICY,
    hurdle: Decimal | None = None,
    term_months: int = 12,
    product: str = DEFAULT_PRODUCT,
    series: LPRSeries | None = None,
) -> tuple[GradeOptimum, ...]:
    """The optimum per grade of `pd_by_grade`, in its order.

    raises ValidationError("pd_by_grade", …) when a grade has no curve; the request's errors.
    """
    h = policy.hurdle_rate if hurdle is None else hurdle
    results = []
    for grade, pd_12m in pd_by_grade.items():
        if not curves.get(grade):
            raise ValidationError("pd_by_grade", f"grade {grade!r} has no churn curve")
        request = PricingRequest(pd_12m, lgd, ead, term_months, as_of, product)
        results.append(_optimise_grade(grade, curves[grade], assess(request, policy, series), h))
    return tuple(results)


def _optimise_grade(
    grade: str, curve: Sequence[AcceptancePoint], econ: LoanEconomics, hurdle: Decimal
) -> GradeOptimum:
    ead = econ.request.ead

    def profit(point: AcceptancePoint) -> Decimal:
        return point.acceptance * after_tax_profit_rate(point.annual_rate.value, econ)

    feasible = [p for p in curve if raroc(p.annual_rate, econ) >= hurdle]
    best = max(feasible or curve, key=profit)  # max keeps the first (lowest rate) on ties
    charge = best.acceptance * hurdle * econ.capital_rate
    return GradeOptimum(
        grade=grade,
        pd_12m=econ.request.pd_12m,
        feasible=bool(feasible),
        point=best,
        raroc=raroc(best.annual_rate, econ),
        minimum_rate=minimum_rate(econ, hurdle),
        expected_profit=ead * profit(best),
        economic_profit=ead * (profit(best) - charge),
        points_meeting_hurdle=len(feasible),
    )
