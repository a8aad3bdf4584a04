"""Target values for advice: which values of a numeric characteristic would score more points.

For a numeric scorecard characteristic and the applicant's value, `better_values` lists, nearest
first, each bin that scores more points than the applicant's bin, as a `Target`: ``at_least``
its lower edge (a bin above the value; bins are ``[lower, upper)``) or ``below`` its upper edge
(a bin below it). `Target.value` is a value inside that bin, for re-scoring. Which of them would
change a decision is the caller's question (the 测额 estimate re-scores and re-decides with each,
service_layer.estimate_flow). Categorical, missing and non-scorecard characteristics give none.
Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from creditfactory.scoring.runtime import FeatureValue, find_bin
from creditfactory.scoring.spec import ScorecardSpec

__all__ = ["Target", "better_values"]


@dataclass(frozen=True, slots=True)
class Target:
    """A value to reach: ``op`` "at_least" / "below" `edge`; `value` lies in the better bin."""

    op: Literal["at_least", "below"]
    edge: float
    value: float


def better_values(spec: ScorecardSpec, feature: str, value: FeatureValue) -> tuple[Target, ...]:
    """Each better-scoring bin of `feature` as a `Target`, nearest to `value` first (module
    docstring); () when `feature` is not a numeric scorecard characteristic or `value` is not a
    number."""
    ch = next((c for c in spec.characteristics if c.feature == feature), None)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if ch is None or ch.dtype == "categorical" or not number:
        return ()
    assert isinstance(value, int | float)  # for the type checker: `number` above
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
