"""The limit estimate and the decision agree (issue 12 item 4), on SQLite and PostgreSQL.

Property: for generated applicant data (a value in any bin, or missing, for every characteristic
of the served spec; declared revenue; an optional working-capital need; a term), every amount in
the estimated [limit_low, limit_high], applied for at the same term with the same data on the
same date, is approved, at a rate inside [rate_low, rate_high], for that amount rounded down to
the policy step. No data source is configured here, so every fact the decision reads is one the
estimate knows; the ones it cannot know (`ESTIMATE_CANNOT_KNOW`) never arise.

Before issue 12 the estimate priced at 1.5 × PD, never looked at a refused price, a borderline
PD or the minimum loan, and said e.g. 10,000–15,000 at 15 % where the application was declined
(K08, price above the ceiling) or referred (R02).
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination.application import demo_uscc
from creditfactory.scoring import load_spec
from creditfactory.scoring.spec import Characteristic
from creditfactory.service_layer.estimate_flow import EstimateLimit, estimate
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.origination_flow import SubmitApplication, submit_application

SPEC_TEXT = (Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8")
SPEC = load_spec(SPEC_TEXT)


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def _deps(engine: Engine, spec: Any = SPEC) -> FactoryDeps:
    clock = SystemClock()
    return FactoryDeps(uow=lambda: FactoryUnitOfWork(engine, clock), spec=spec,
                       spec_digest=json.loads(SPEC_TEXT)["sha256"], clock=clock, ids=RandomIds())  # fmt: skip


def _best(ch: Characteristic) -> Any:
    best = max((b for b in ch.bins if b.kind == "normal"), key=lambda b: b.points)
    if best.categories:
        return best.categories[0]
    return best.lower if best.lower is not None else (best.upper or 0) - 1


def _values(ch: Characteristic) -> st.SearchStrategy[Any]:
    """Any value of `ch` — a number around each bin edge, a category, a special value, missing —
    or, as often, one in its best bin (so that many applicants get a range to test)."""
    edges = [e for b in ch.bins for e in (b.lower, b.upper) if e is not None]
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if edges:
        lo, hi = min(edges), max(edges)
        span = max(hi - lo, 1.0)
        options.append(st.integers(int(lo - span), int(hi + span)))
    categories = [c for b in ch.bins for c in (*b.categories, *b.special_values)]
    if categories:
        options.append(st.sampled_from(categories))
    return st.one_of(st.just(_best(ch)), st.one_of(options))


APPLICANT = st.fixed_dictionaries({c.feature: _values(c) for c in SPEC.characteristics})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    declared=APPLICANT,
    revenue=st.integers(0, 30_000_000),
    need=st.none() | st.integers(0, 5_000_000),
    term=st.integers(1, 36),
    where=st.fractions(0, 1),
    firm=st.integers(1, 10**8 - 1),
)
def test_an_amount_inside_the_estimate_is_approved_at_its_rate(
    engine: Engine, declared: dict[str, Any], revenue: int, need: int | None, term: int,
    where: Any, firm: int,
) -> None:  # fmt: skip
    deps = _deps(engine)
    uscc = demo_uscc(firm, "350100")
    wc = None if need is None else str(need)
    est = estimate(deps, EstimateLimit("ch", RandomIds().new("est"), "enterprise", "测试贸易",
                                       str(revenue), term, uscc=uscc, declared=declared,
                                       working_capital_need=wc))  # fmt: skip
    if est["limit_high"] == "0":
        event("no range")
        assert est["reasons"] and est["rate_low"] is None
        return
    event("a range")
    low, high = Decimal(est["limit_low"]), Decimal(est["limit_high"])
    assert Decimal("10000") <= low <= high
    amount = (low + (high - low) * Decimal(where.numerator) / Decimal(where.denominator)).quantize(
        Decimal("0.01"), ROUND_FLOOR
    )
    view = submit_application(deps, SubmitApplication(
        "ch", RandomIds().new("k"), "enterprise", "测试贸易", str(amount), term, uscc=uscc,
        declared=declared, working_capital_need=wc, auto_accept=False))  # fmt: skip
    decision = view["decision"]
    assert view["status"] == "approved", (est, decision["reasons"])
    rate = Decimal(decision["annual_rate"])
    assert Decimal(est["rate_low"]) <= rate <= Decimal(est["rate_high"])
    step = Decimal(1000)
    assert Decimal(view["offer"]["amount"]) == (amount / step).to_integral_value(ROUND_FLOOR) * step


def test_the_measured_defect_is_gone(engine: Engine) -> None:
    # Issue 12: the estimate quoted 10,000–15,000 at the 15 % product cap for this applicant and
    # the application was declined (K08: the RAROC price is above the cap). Now: no range, the
    # decision's own reasons, in words.
    deps = _deps(engine)
    declared = {"Bank": "BBCN BANK", "SBA_Appv": 500000, "BankState": "CA", "RetainedJob": 0,
                "NAICS": "531130", "NoEmp": 1, "CreateJob": 0, "UrbanRural": 1}  # fmt: skip
    est = estimate(deps, EstimateLimit("ch", "r1", "enterprise", "测试", "150000", 12,
                                       uscc=demo_uscc(77, "350100"), declared=declared))  # fmt: skip
    assert (est["limit_low"], est["limit_high"], est["rate_low"]) == ("0", "0", None)
    assert est["reasons"][0]["code"] == "K08"
    assert est["reasons"][0]["en"] == "risk-based price above the all-in rate ceiling"


def test_advice_names_only_actionable_factors(engine: Engine) -> None:
    labels = {"NoEmp": {"zh": "员工人数", "en": "number of employees", "actionable": True},
              "CreateJob": {"zh": "新增就业岗位", "en": "jobs created", "actionable": False},
              "Term": {"zh": "期限", "en": "term"}}  # fmt: skip
    deps = _deps(engine, replace(SPEC, labels=labels, actionable={}))
    declared = {"Bank": "BBCN BANK", "SBA_Appv": 15000, "BankState": "IL", "RetainedJob": 5,
                "NAICS": "531311", "NoEmp": 1, "CreateJob": 0, "UrbanRural": 2}  # fmt: skip
    est = estimate(deps, EstimateLimit("ch", "r2", "enterprise", "测试", "5000000", 12,
                                       uscc=demo_uscc(78, "350100"), declared=declared))  # fmt: skip
    advice = est["how_to_raise_limit"]
    characteristics = [a for a in advice if a["kind"] == "characteristic"]
    # Bank, industry and the rest cost more points but are not actionable: only NoEmp is named.
    assert [a["factor"] for a in characteristics] == ["NoEmp"]
    assert (
        characteristics[0]["en"]
        == "A higher number of employees would raise the score and the limit"
    )
    assert characteristics[0]["zh"] == "员工人数提高后，评分和可贷额度会提高"
    assert all(a["kind"] == "policy" for a in advice if a not in characteristics)
