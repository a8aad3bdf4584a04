"""Applicant populations for the live-stability tests, built from whatever spec is current
(tests/e2e/sba_spec.json): feature names and bins are read from it, never hard-coded.

- `undrifted(spec, n, rng)`: each characteristic drawn independently from its development bin
  shares (`Bin.count`), one representative value per declarable bin.
- `drifted(spec, n)`: every applicant in each characteristic's rarest declarable bin.
- `with_reference(spec, rng)`: the fixture spec — with a development score distribution made
  from a 2,000-row undrifted population (the bundled spec's deciles are of every development row,
  rows the served path never produces included: scoring.stability, "The reference").
Every population holds only what the served path produces: no missing declared value (a required
`declared.<name>`), no category `origination.served_values.never_served` names (RevLineCr
"unrecorded", a "no answer" intake refuses, and "Y", a revolving line: term loans only).
Decisions are made through the real flow (`submit_application`) with a fixed clock.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy
from sqlalchemy import Engine

from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.kernel.clock import FixedClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination.served_values import never_served
from creditfactory.scoring.runtime import category_key, score
from creditfactory.scoring.spec import Bin, Characteristic, ScorecardSpec, dump_spec, load_spec
from creditfactory.scoring.stability import with_development_scores
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.origination_flow import SubmitApplication, submit_application

SPEC_PATH = Path(__file__).resolve().parent / "e2e" / "sba_spec.json"


def current_spec() -> ScorecardSpec:
    """The spec the e2e tests serve, as it is now."""
    return load_spec(SPEC_PATH.read_text(encoding="utf-8"))


def _value(b: Bin) -> Any:
    """A value inside the bin (an integer where one fits)."""
    if b.kind == "missing":
        return None
    if b.kind == "special":
        return b.special_values[0]
    if b.categories:
        return b.categories[0]
    lo, hi = b.lower, b.upper
    if lo is None and hi is None:
        return 0
    if lo is None:
        return math.ceil(hi) - 1  # type: ignore[arg-type]
    if hi is None:
        return math.floor(lo) + 1
    mid = math.floor((lo + hi) / 2)
    return mid if lo <= mid < hi else (lo + hi) / 2


def _refused(spec: ScorecardSpec, ch: Characteristic, b: Bin) -> bool:
    """Whether the served path never produces a value of bin `b` (module docstring)."""
    never = never_served(spec).get(ch.feature, frozenset())
    return (
        b.kind == "missing"
        or bool(b.categories)
        and all(category_key(c) in never for c in b.categories)
    )


def request_for(row: dict[str, Any]) -> dict[str, Any]:
    """The request whose loan gives `row`'s SBA_Appv and Express (origination.loan_terms sets
    them from the amount and programme; RevLineCr is N, a term loan): SBAExpress at 50 %, else
    standard 7(a) at 85 % up to 150,000 and 75 % above (scoring.sba_programme)."""
    guaranteed = float(row.get("SBA_Appv") or 150_000)
    if row.get("Express") == "Y":
        programme, share = "sba_express", 0.5
    else:
        programme, share = "sba_7a", 0.85 if guaranteed <= 127_500 else 0.75
    return {"amount": f"{guaranteed / share:.2f}", "programme": programme}


def _declarable(spec: ScorecardSpec, ch: Characteristic) -> list[Bin]:
    return [b for b in ch.bins if b.count > 0 and not _refused(spec, ch, b)]


def _draw(
    spec: ScorecardSpec, ch: Characteristic, n: int, rng: numpy.random.Generator
) -> list[Any]:
    bins = _declarable(spec, ch)
    weights = numpy.array([b.count for b in bins], dtype=float)
    picks = rng.choice(len(bins), size=n, p=weights / weights.sum())
    return [_value(bins[i]) for i in picks]


def undrifted(spec: ScorecardSpec, n: int, rng: numpy.random.Generator) -> list[dict[str, Any]]:
    """`n` feature rows drawn from the development bin shares of what the served path produces."""
    columns = {ch.feature: _draw(spec, ch, n, rng) for ch in spec.characteristics}
    return [{f: columns[f][i] for f in spec.features} for i in range(n)]


def drifted(spec: ScorecardSpec, n: int) -> list[dict[str, Any]]:
    """`n` rows, each characteristic in its rarest non-empty development bin the served path
    produces."""
    row = {}
    for ch in spec.characteristics:
        rare = min(_declarable(spec, ch), key=lambda b: b.count)
        row[ch.feature] = _value(rare)
    return [dict(row) for _ in range(n)]


def with_reference(spec: ScorecardSpec, rng: numpy.random.Generator) -> ScorecardSpec:
    """The fixture spec (module docstring): a development score distribution of a 2,000-row
    undrifted population; the characteristics' development counts as trained."""
    scores = [score(spec, r).score for r in undrifted(spec, 2000, rng)]
    return load_spec(dump_spec(with_development_scores(spec, scores)))


def deps_at(engine: Engine, spec: ScorecardSpec, at: datetime) -> FactoryDeps:
    """The flow's dependencies on `engine`, serving `spec`, at a fixed instant."""
    clock = FixedClock(at)
    digest = json.loads(dump_spec(spec))["sha256"]
    return FactoryDeps(uow=lambda: FactoryUnitOfWork(engine, clock), spec=spec,
                       spec_digest=digest, clock=clock, ids=RandomIds())  # fmt: skip


def submit(deps: FactoryDeps, rows: list[dict[str, Any]]) -> None:
    """One application per row through the real flow (no auto-accept: nothing is booked)."""
    for row in rows:
        submit_application(deps, SubmitApplication(
            channel_id="ch_stability", idempotency_key=RandomIds().new("k"),
            applicant_type="enterprise", name="稳定性测试有限公司", term_months=12,
            uscc="91350100M000100Y43", declared=row, auto_accept=False, **request_for(row),
        ))  # fmt: skip
