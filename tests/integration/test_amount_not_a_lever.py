"""The requested amount is not a lever (issue 12, closing5 item 2 — validator F1, HIGH), on SQLite
and PostgreSQL, through the real decision service (`submit_application`).

Property: the same applicant (same declared facts, programme, term and date), asking for MORE,
never gets a higher score nor a better decision (approve < refer < decline). Before: the served
spec scored the guaranteed amount with points rising with the request (larger loans default less
in this sample, partly because they are the real-estate loans), so a K07-declined applicant
re-asking for US$210,000 was approved (12 of 12 tried). Now the amount is no characteristic (the
leakage gate excludes GrAppv / SBA_Appv by its own IV rule; tests/examples/
test_sba_application_model.py) and sizes the limit only.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from creditfactory.origination.loan_terms import MONEY_FACTS
from tests.integration.test_estimate_agreement import APPLICANT
from tests.integration.test_term_not_a_lever import (  # noqa: F401 (_cipher: the fixture)
    SPEC,
    WORSE,
    _cipher,
    _decision,
    _deps,
)

TERM = 36
# The K07 re-ask: a declined SBAExpress applicant (the high charge-off property managers' group,
# one employee, no jobs; tests/sba_applicants.BAD) asking again for US$210,000. Values for the
# fields either spec scores, so the same case reads on the spec served before (RetainedJob) and
# now (CreateJob).
K07_FACTS = {"NAICS": "531311", "NoEmp": 1, "CreateJob": 0, "RetainedJob": 0}


def test_the_served_spec_scores_no_amount() -> None:
    assert not MONEY_FACTS & set(SPEC.features)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    declared=APPLICANT,
    amounts=st.tuples(st.integers(10_000, 2_000_000), st.integers(10_000, 2_000_000)).map(sorted),
    programme=st.sampled_from([None, "sba_7a", "sba_express"]),
    firm=st.integers(1, 5 * 10**7 - 1),
)
def test_a_bigger_request_never_scores_better_nor_decides_better(
    engine: Engine, declared: dict[str, Any], amounts: list[int], programme: str | None, firm: int
) -> None:
    deps = _deps(engine)
    # two firms with the same data (the first one's open offer would count as the second's
    # exposure under one firm)
    smaller = _decision(deps, declared, amounts[0], TERM, firm, programme)
    bigger = _decision(deps, declared, amounts[1], TERM, firm + 5 * 10**7, programme)
    assert bigger["score"] <= smaller["score"]
    assert WORSE[bigger["outcome"]] >= WORSE[smaller["outcome"]], (smaller, bigger)


def test_the_k07_declined_applicant_re_asking_for_210000_is_not_approved(engine: Engine) -> None:
    deps = _deps(engine)
    declared = {f: v for f, v in K07_FACTS.items() if f in SPEC.features}
    first = _decision(deps, declared, 30_000, TERM, 7_000_001, "sba_express")
    assert first["outcome"] == "decline"
    assert "K07" in {r["code"] for r in first["reasons"]}
    again = _decision(deps, declared, 210_000, TERM, 7_000_002, "sba_express")
    assert again["outcome"] != "approve", again
    assert again["score"] == first["score"]
