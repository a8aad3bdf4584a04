"""Two SBA applicants for tests that post to the served SBA spec (tests/e2e/sba_spec.json).

GOOD: an industry with few charge-offs (NAICS 531130, lessors of miniwarehouses), a standard
7(a) loan, 20 staff, no jobs to create — approved (score 587, pd_12m 0.5 %). BAD: a high
charge-off industry (531311, residential property managers), an SBAExpress loan, one employee,
no jobs to create — declined (score 464, pd_12m 15.1 % ≥ K07's 9.4 %). Values are the spec's
characteristics as the training data codes them. The programme (Express) is set by the request,
not by what is declared (origination.loan_terms): `BAD_LOAN` is the request BAD's values
describe. The served spec scores no amount (the amount sizes the limit only), so any amount
under the same programme scores the same.
"""

from __future__ import annotations

from dataclasses import replace

from creditfactory.scoring.sba_labels import SBA_LABELS
from creditfactory.scoring.spec import Bin, Characteristic, ScorecardSpec

GOOD = {"NAICS": "531130", "Express": "N", "CreateJob": 0, "NoEmp": 20}
BAD = {"NAICS": "531311", "Express": "Y", "CreateJob": 0, "NoEmp": 1}
BAD_LOAN = {"amount": "30000", "programme": "sba_express", "revolving_line": False}


def with_revolving_line(spec: ScorecardSpec) -> ScorecardSpec:
    """`spec` plus the RevLineCr characteristic of the SBA spec served on 2026-12-07 (bins and
    points as they were: "unrecorded" +3, "N" −13, "Y" +11, Special / Missing / unseen +1;
    "unrecorded" declared "no answer"), before the revolving lines left the development
    population: tests of the no-answer and revolving-line wording mechanisms, which the served
    spec no longer exercises."""
    revline = Characteristic("RevLineCr", "categorical", 0.0545, (
        Bin("unrecorded", 3.0, 0.747, categories=("unrecorded",), count=304),
        Bin("N", -13.0, -0.179, categories=("N",), count=251),
        Bin("Y", 11.0, -0.398, categories=("Y",), count=364),
        Bin("Special", 1.0, 0.0, kind="special"),
        Bin("Missing", 1.0, 0.0, kind="missing"),
    ), unknown_points=1.0, no_answer=("unrecorded",))  # fmt: skip
    return replace(
        spec,
        features=(*spec.features, "RevLineCr"),
        characteristics=(*spec.characteristics, revline),
        labels={**spec.labels, "RevLineCr": dict(SBA_LABELS["RevLineCr"])},
        actionable={**spec.actionable, "RevLineCr": True},
    )
