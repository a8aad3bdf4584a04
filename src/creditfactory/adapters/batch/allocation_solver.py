"""Solve the allocation of `pricing.allocation` as a MILP (scipy.optimize.milp, HiGHS) and trace
its efficient frontier (有效前沿).

Variables: x_i in units of `unit` (default 1万 CNY), semi-integer — 0 or an integer in
[min / unit, ⌊upper_bound_i / unit⌋] — so every amount is a whole number of units and the
per-borrower band holds by construction. Three solves (lexicographic): the largest economic profit
Σ e_i x_i; holding it, the most lent; holding both, the least expected loss — among equal profit
and volume, safer firms come first. Rows: the budget, the EL budget, one cap per grade.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from creditfactory.kernel.money import Money
from creditfactory.pricing.allocation import Candidate, ShadowPrices, book_totals, upper_bound
from creditfactory.pricing.appetite import RiskAppetite

__all__ = ["FrontierPoint", "frontier", "shadow_prices", "solve"]

UNIT = Money.of(10_000)
_SEMI_INTEGER = 3
_OPTIONS = {"mip_rel_gap": 1e-9, "time_limit": 60.0}


@dataclass(frozen=True, slots=True)
class FrontierPoint:
    """The optimum at one EL budget: the amount lent, its expected loss and return a year."""

    el_budget: Money
    lent: Money
    expected_loss: Money
    expected_return: Money


def solve(
    candidates: Sequence[Candidate], appetite: RiskAppetite, unit: Money = UNIT
) -> dict[str, Money]:
    """The optimal amount per firm id (0 for firms not funded), whole multiples of `unit`.

    raises RuntimeError when HiGHS reports no solution (it cannot: x = 0 is always feasible).
    """
    zero = Money.zero(appetite.budget.currency)
    if not candidates:
        return {}
    u = unit.amount
    low = [float(appetite.min_amount.amount / u) for _ in candidates]
    high = [
        float((upper_bound(c, appetite).amount / u).to_integral_value(ROUND_FLOOR))
        for c in candidates
    ]
    low = [min(lo, hi) for lo, hi in zip(low, high, strict=True)]
    rows, upper = _rows(candidates, appetite, u)
    # maximise profit, then volume, then minimise EL (milp minimises: maxima negated)
    stages = [
        [-float(c.return_rate) for c in candidates],
        [-1.0] * len(candidates),
        [float(c.el_rate) for c in candidates],
    ]
    integrality = [_SEMI_INTEGER] * len(candidates)
    with _quiet_native_stdout():
        x = _lexicographic(stages, integrality, Bounds(low, high), rows, upper)
    return {
        c.firm_id: unit * int(round(float(v))) if round(float(v)) else zero
        for c, v in zip(candidates, x.tolist(), strict=True)
    }


def _lexicographic(
    stages: list[list[float]],
    integrality: list[int],
    bounds: Bounds,
    rows: list[list[float]],
    upper: list[float],
) -> Any:
    """Minimise each objective of `stages` in turn, holding every earlier one at its optimum
    (to a relative 1e-9: HiGHS' tolerance); the last solution found (a later stage that finds
    none, as HiGHS may at its time limit, leaves the earlier one)."""
    constraints = [LinearConstraint(rows, -float("inf"), upper)]
    x = None
    for objective in stages:
        found = milp(objective, integrality=integrality, bounds=bounds, constraints=constraints,
                     options=_OPTIONS)  # fmt: skip
        if found.x is None:
            if x is None:
                raise RuntimeError(f"allocation: {found.message}")
            break
        x = found.x
        best = float(found.fun)
        constraints = [*constraints, LinearConstraint(
            [objective], -float("inf"), best + 1e-9 * max(1.0, abs(best)))]  # fmt: skip
    return x


@contextmanager
def _quiet_native_stdout() -> Iterator[None]:
    """Send the process's stdout (fd 1) to /dev/null while HiGHS runs: HiGHS 1.12 (scipy 1.17)
    prints "HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();" from C++
    whatever `disp` says, on some instances (ERGO-Code/HiGHS#2783), into the demo's summary."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def shadow_prices(
    candidates: Sequence[Candidate], appetite: RiskAppetite, unit: Money = UNIT
) -> ShadowPrices:
    """The duals of the budget, EL-budget and grade-cap rows in the LP relaxation (amounts
    continuous in [0, upper bound]; scipy.optimize.linprog, HiGHS), as return per yuan of limit.

    raises RuntimeError when HiGHS reports no solution (it cannot: x = 0 is always feasible).
    """
    if not candidates:
        return ShadowPrices(Decimal(0), Decimal(0), {})
    u = unit.amount
    rows, upper = _rows(candidates, appetite, u)
    high = [float(upper_bound(c, appetite).amount / u) for c in candidates]
    result = linprog(
        [-float(c.return_rate) for c in candidates], A_ub=rows, b_ub=upper,
        bounds=list(zip([0.0] * len(high), high, strict=True)), method="highs",
    )  # fmt: skip
    if result.x is None:
        raise RuntimeError(f"allocation LP: {result.message}")
    duals = [_price(-m) for m in result.ineqlin.marginals.tolist()]
    grades = sorted({c.grade for c in candidates})
    return ShadowPrices(duals[0], duals[1], dict(zip(grades, duals[2:], strict=True)))


def _price(value: float) -> Decimal:
    """A dual as Decimal to 1e-10 (HiGHS' tolerance), −0 and float noise below it as 0."""
    return max(Decimal(0), Decimal(repr(value)).quantize(Decimal("1e-10")))


def _rows(
    candidates: Sequence[Candidate], appetite: RiskAppetite, u: Decimal
) -> tuple[list[list[float]], list[float]]:
    rows = [[1.0] * len(candidates), [float(c.el_rate) for c in candidates]]
    upper = [float(appetite.budget.amount / u), float(appetite.el_budget.amount / u)]
    for grade in sorted({c.grade for c in candidates}):
        rows.append([1.0 if c.grade == grade else 0.0 for c in candidates])
        upper.append(float(appetite.grade_cap(grade).amount / u))
    return rows, upper


def frontier(
    candidates: Sequence[Candidate], appetite: RiskAppetite, points: int = 12, unit: Money = UNIT
) -> list[FrontierPoint]:
    """The optimum at `points` EL budgets from 0 to the EL of the optimum with no EL limit, every
    other limit of `appetite` held (return against EL: the efficient frontier)."""
    unlimited = appetite.with_el_budget(appetite.budget)
    top = _point(candidates, unlimited, solve(candidates, unlimited, unit)).expected_loss
    budgets = [top * Decimal(k) / Decimal(points - 1) for k in range(points)]
    return [
        _point(
            candidates,
            appetite.with_el_budget(b),
            solve(candidates, appetite.with_el_budget(b), unit),
        )
        for b in budgets
    ]


def _point(
    candidates: Sequence[Candidate], appetite: RiskAppetite, amounts: dict[str, Money]
) -> FrontierPoint:
    lent, el, ret = book_totals(candidates, amounts, appetite.budget.currency)
    return FrontierPoint(appetite.el_budget, lent, el, ret)
