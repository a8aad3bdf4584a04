"""Target values for advice: which values of a numeric characteristic would score more points.

For a numeric scorecard characteristic and the applicant's value, `better_values` lists, nearest
first, each bin that scores more points than the applicant's bin, as a `Target`: ``at_least``
its lower edge (a bin above the value; bins are ``[lower, upper)``) or ``below`` its upper edge
(a bin below it). `Target.value` is a value inside that bin, for re-scoring. Which of them would
change a decision is the caller's question (the 测额 estimate re-scores and re-decides with each,
service_layer.estimate_flow). A raw logistic term (a continuous effect) gives `STEPS` evenly
spaced values from the applicant's towards the best end of its training range (the model says
nothing beyond it), nearest first. A categorical characteristic gives ``is`` each category of a
better-scoring bin (best first; never a "no answer" code, `Characteristic.no_answer`). Missing
values and tree models give none.

Numbers are stated in the characteristic's unit (`reason_text.unit`): a count or an amount of
money as a whole number, a share to 0.1 percentage point — rounded so that reaching the stated
value is enough ("at least" up; "below" becomes "at most" the largest whole value under the
edge), and dropped when no such value lies in the better bin. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from creditfactory.scoring.reason_text import unit
from creditfactory.scoring.runtime import FeatureValue, find_bin
from creditfactory.scoring.spec import Bin, Characteristic, LinearTerm, ScorecardSpec

__all__ = ["STEPS", "Target", "better_values"]

STEPS: Final = 20
"""Candidate values offered for a raw logistic term, between the applicant's and the best end."""


@dataclass(frozen=True, slots=True)
class Target:
    """A value to reach: ``op`` "at_least" / "below" / "at_most" a number `edge`, or "is" a
    category `edge`; `value` is one that reaches it (inside the better bin), for re-scoring."""

    op: Literal["at_least", "below", "at_most", "is"]
    edge: float | str
    value: float | str


_STEP: Final[dict[str, float]] = {"count": 1.0, "money": 1.0, "share": 0.001}
"""Smallest stated difference per unit (a whole number; 0.1 percentage point)."""


def better_values(spec: ScorecardSpec, feature: str, value: FeatureValue) -> tuple[Target, ...]:
    """Each better-scoring bin of `feature` as a `Target`, nearest to `value` first (module
    docstring); () when `feature` is not a numeric scorecard characteristic or `value` is not a
    number."""
    ch = next((c for c in spec.characteristics if c.feature == feature), None)
    if ch is not None and ch.dtype == "categorical":
        return _categories(ch, value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ()
    step = _STEP.get(unit(spec, feature) or "")
    term = next((t for t in spec.linear_terms if t.feature == feature), None)
    if term is not None:
        return _stated(_along(term, float(value)), step, None, None)  # capped at its range
    if ch is None:
        return ()
    here = find_bin(ch, value)
    if here is None or here.kind != "normal":
        return ()
    found: list[tuple[float, Target]] = []
    for b in ch.bins:
        if b.kind != "normal" or b.points <= here.points:
            continue
        if b.lower is not None and b.lower > value:
            found.append((b.lower - value, Target("at_least", b.lower, b.lower)))
        elif b.upper is not None and b.upper <= value:
            inside = b.lower if b.lower is not None else math.nextafter(b.upper, -math.inf)
            found.append((value - b.upper, Target("below", b.upper, inside)))
    ordered = [(t, b) for _, t, b in sorted(((d, t, _bin_of(ch, t)) for d, t in found),
                                            key=lambda x: x[0])]  # fmt: skip
    return tuple(s for t, b in ordered for s in _stated((t,), step, b.lower, b.upper))


def _bin_of(ch: Characteristic, target: Target) -> Bin:
    found = find_bin(ch, target.value)
    assert found is not None  # the target's value lies inside a normal bin by construction
    return found


def _categories(ch: Characteristic, value: FeatureValue) -> tuple[Target, ...]:
    """``is`` a category of each better-scoring bin, best first (no "no answer" codes)."""
    here = find_bin(ch, value)
    floor = -math.inf if here is None else here.points
    better = sorted((b for b in ch.bins if b.kind == "normal" and b.points > floor),
                    key=lambda b: -b.points)  # fmt: skip
    return tuple(Target("is", c, c) for b in better for c in b.categories[:1]
                 if c not in ch.no_answer)  # fmt: skip


def _stated(
    targets: tuple[Target, ...], step: float | None, lower: float | None, upper: float | None
) -> tuple[Target, ...]:
    """`targets` as stated in a unit of `step` (module docstring), kept only when the stated
    value lies in [`lower`, `upper`); unchanged without a step. Duplicates after rounding go."""
    if step is None:
        return targets
    out: list[Target] = []
    for t in targets:
        units = float(t.edge) / step
        if t.op == "at_least":
            op, whole = "at_least", math.ceil(units - 1e-9)
        elif t.op == "below":
            op, whole = "at_most", math.ceil(units - 1e-9) - 1
        else:
            op, whole = "at_most", math.floor(units + 1e-9)
        edge = round(whole * step, 6)
        stated = Target(op, edge, edge)  # type: ignore[arg-type]  # op is one of the Literal's
        inside = (lower is None or edge >= lower) and (upper is None or edge < upper)
        if inside and stated not in out:
            out.append(stated)
    return tuple(out)


def _along(term: LinearTerm, value: float) -> tuple[Target, ...]:
    """`STEPS` values from `value` to the term's best training end (higher is better when the
    coefficient, on the log-odds of bad, is negative), nearest first, each rounded to two
    significant digits of the step — up for "at least", down for "at most", so that reaching the
    shown value is enough; () at or past that end."""
    best = term.upper if term.coefficient < 0 else term.lower
    if term.coefficient == 0 or (best - value) * -term.coefficient <= 0:
        return ()
    step = (best - value) / STEPS
    scale = 10.0 ** (1 - math.floor(math.log10(abs(step))))
    out = []
    for k in range(1, STEPS + 1):
        x = value + step * k
        if term.coefficient < 0:
            edge = math.ceil(x * scale) / scale
            out.append(Target("at_least", edge, edge))
        else:
            edge = math.floor(x * scale) / scale
            out.append(Target("at_most", edge, edge))
    return tuple(out)
