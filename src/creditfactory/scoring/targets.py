"""Target values for advice: which values of a numeric characteristic would score more points.

For a numeric scorecard characteristic and the applicant's value, `better_values` lists, nearest
first, each bin that scores more points than the applicant's bin, as a `Target`: ``at_least``
its lower edge (a bin above the value; bins are ``[lower, upper)``) or ``below`` its upper edge
(a bin below it). `Target.value` is a value inside that bin, for re-scoring. Which of them would
change a decision is the caller's question (the 测额 estimate re-scores and re-decides with each,
service_layer.estimate_flow). A raw logistic term (a continuous effect) gives `STEPS` evenly
spaced values from the applicant's towards the best end of its training range (the model says
nothing beyond it), nearest first. Categorical, missing and tree-model characteristics give
none. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from creditfactory.scoring.runtime import FeatureValue, find_bin
from creditfactory.scoring.spec import LinearTerm, ScorecardSpec

__all__ = ["STEPS", "Target", "better_values"]

STEPS: Final = 20
"""Candidate values offered for a raw logistic term, between the applicant's and the best end."""


@dataclass(frozen=True, slots=True)
class Target:
    """A value to reach: ``op`` "at_least" / "below" / "at_most" `edge`; `value` is one that
    reaches it (inside the better bin), for re-scoring."""

    op: Literal["at_least", "below", "at_most"]
    edge: float
    value: float


def better_values(spec: ScorecardSpec, feature: str, value: FeatureValue) -> tuple[Target, ...]:
    """Each better-scoring bin of `feature` as a `Target`, nearest to `value` first (module
    docstring); () when `feature` is not a numeric scorecard characteristic or `value` is not a
    number."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ()
    term = next((t for t in spec.linear_terms if t.feature == feature), None)
    if term is not None:
        return _along(term, float(value))
    ch = next((c for c in spec.characteristics if c.feature == feature), None)
    if ch is None or ch.dtype == "categorical":
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
    return tuple(t for _, t in sorted(found, key=lambda x: x[0]))


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
