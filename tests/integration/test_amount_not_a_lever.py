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

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination.application import demo_uscc
from creditfactory.origination.loan_terms import MONEY_FACTS
from creditfactory.scoring import load_spec
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.origination_flow import SubmitApplication, submit_application
from tests.integration.test_estimate_agreement import APPLICANT
from tests.lpr_fixture import current_series

SPEC_TEXT = (Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8")
SPEC = load_spec(SPEC_TEXT)
WORSE = {"approve": 0, "refer": 1, "decline": 2}
# The K07 re-ask: a declined SBAExpress applicant (the high charge-off property managers' group,
# one employee, no jobs; tests/sba_applicants.BAD) asking again for US$210,000. Values for the fields either spec
# scores, so the same case reads on the spec served before (RetainedJob) and now (CreateJob).
K07_FACTS = {"NAICS": "531311", "NoEmp": 1, "CreateJob": 0, "RetainedJob": 0}


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def _deps(engine: Engine) -> FactoryDeps:
    clock = SystemClock()
    return FactoryDeps(uow=lambda: FactoryUnitOfWork(engine, clock), spec=SPEC,
                       spec_digest=json.loads(SPEC_TEXT)["sha256"], clock=clock, ids=RandomIds(),
                       lpr_series=current_series())  # fmt: skip


def _decision(deps: FactoryDeps, declared: dict[str, Any], amount: int, programme: str | None,
              firm: int) -> dict[str, Any]:  # fmt: skip
    view = submit_application(deps, SubmitApplication(
        "ch", RandomIds().new("k"), "enterprise", "测试贸易", str(amount), 36,
        uscc=demo_uscc(firm, "350100"), declared=declared, auto_accept=False,
        programme=programme))  # fmt: skip
    return dict(view["decision"])


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
    smaller = _decision(deps, declared, amounts[0], programme, firm)
    bigger = _decision(deps, declared, amounts[1], programme, firm + 5 * 10**7)
    assert bigger["score"] <= smaller["score"]
    assert WORSE[bigger["outcome"]] >= WORSE[smaller["outcome"]], (smaller, bigger)


def test_the_k07_declined_applicant_re_asking_for_210000_is_not_approved(engine: Engine) -> None:
    deps = _deps(engine)
    declared = {f: v for f, v in K07_FACTS.items() if f in SPEC.features}
    first = _decision(deps, declared, 30_000, "sba_express", 7_000_001)
    assert first["outcome"] == "decline"
    assert "K07" in {r["code"] for r in first["reasons"]}
    again = _decision(deps, declared, 210_000, "sba_express", 7_000_002)
    assert again["outcome"] != "approve", again
    assert again["score"] == first["score"]
