"""测额 advice names the value that would change the outcome (issue 12, item 4), hand-worked.

A two-characteristic scorecard built here, so every figure can be followed by hand (an applicant
characteristic, not one the request sets — origination.loan_terms — so the amount range is one):

    base 0 points; 12-month PD = 1 / (1 + e^−z), z = ln(0.12 / 0.88) − 0.02 × points
    collateral value (collateral_value, actionable): < 30,000 → 0; [30,000, 100,000) → 20; ≥ 100,000 → 40
    employees (NoEmp, not actionable):        < 5 → 0;       ≥ 5 → 10

    points  PD = 1 / (1 + (0.88 / 0.12) · e^(0.02 · points))     policy credit-policy-2026.2
      0     1 / (1 + 7.3333)           = 0.1200                  ≥ 0.094: declined (K07)
     20     1 / (1 + 7.3333 · 1.49182) = 0.0838                  ≥ 0.075: referred (R02)
     30     1 / (1 + 7.3333 · 1.82212) = 0.0696                  approved; score cap 1,000,000
     40     1 / (1 + 7.3333 · 2.22554) = 0.0577                  approved; score cap 1,000,000
     50     1 / (1 + 7.3333 · 2.71828) = 0.0478                  approved; score cap 2,000,000

Case 1 (15,000 collateral, 1 employee: 0 points, declined). Reaching 30,000 only refers (no
range), so the advice is the next bin: "a collateral value of at least 100,000" → approved, up
to the revenue cap: 2,000,000 declared × 0.5 (no invoices) × 0.2 = 200,000. The employees cost
10 points too but are not actionable: no advice on them.
Case 2 (50,000 collateral, 5 employees: 30 points, approved up to the score cap 1,000,000 with
50,000,000 declared, revenue cap 5,000,000, product max 3,000,000). At least 100,000 → 50
points → PD 0.0478 → score cap 2,000,000: "the limit would rise to 2,000,000".
Case 3 (150,000 collateral, 1 employee: 40 points, approved, revenue cap 200,000 binds): the
collateral value is already in its best bin and nothing actionable would change the outcome:
no characteristic advice.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination.application import demo_uscc
from creditfactory.scoring import ScorecardSpec, load_spec
from creditfactory.scoring.reason_text import target_text
from creditfactory.scoring.runtime import find_bin
from creditfactory.scoring.spec import TWELVE_MONTHS, Bin, Calibration, Characteristic, LinearTerm
from creditfactory.scoring.targets import Target, better_values
from creditfactory.service_layer.estimate_flow import EstimateLimit, estimate
from creditfactory.service_layer.factory_ports import FactoryDeps
from tests.lpr_fixture import current_series

SPEC_TEXT = (Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8")


def _numeric(feature: str, edges: list[float], points: list[float]) -> Characteristic:
    lows: list[float | None] = [None, *edges]
    highs: list[float | None] = [*edges, None]
    bins = tuple(Bin(f"b{i}", p, 0.0, "normal", lo, hi)
                 for i, (lo, hi, p) in enumerate(zip(lows, highs, points, strict=True)))  # fmt: skip
    return Characteristic(feature, "numerical", 1.0, bins)


SPEC = replace(
    load_spec(SPEC_TEXT),
    features=("collateral_value", "NoEmp"),
    characteristics=(
        _numeric("collateral_value", [30_000, 100_000], [0, 20, 40]),
        _numeric("NoEmp", [5], [0, 10]),
    ),
    base_points=0.0,
    calibration=Calibration(intercept=math.log(0.12 / 0.88), slope=-0.02),
    pd_horizon=TWELVE_MONTHS,
    labels={"collateral_value": {"zh": "抵押物价值", "en": "collateral value"},
            "NoEmp": {"zh": "员工人数", "en": "number of employees"}},
    actionable={"collateral_value": True, "NoEmp": False},
)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def _estimate(
    engine: Engine, declared: dict[str, Any], revenue: str, spec: ScorecardSpec = SPEC, **loan: Any
) -> dict[str, Any]:
    clock = SystemClock()
    deps = FactoryDeps(uow=lambda: FactoryUnitOfWork(engine, clock), spec=spec,
                       spec_digest=json.loads(SPEC_TEXT)["sha256"], clock=clock, ids=RandomIds(),
                       lpr_series=current_series())  # fmt: skip
    firm = demo_uscc(int(RandomIds().new("f")[-6:], 16) % 10**8, "350100")
    return estimate(deps, EstimateLimit("ch", RandomIds().new("r"), "enterprise", "测试", revenue,
                                        12, uscc=firm, declared=declared, **loan))  # fmt: skip


def _characteristic(est: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in est["how_to_raise_limit"] if a["kind"] == "characteristic"]


def test_better_values_nearest_first() -> None:
    assert better_values(SPEC, "collateral_value", 15_000) == (
        Target("at_least", 30_000, 30_000), Target("at_least", 100_000, 100_000))  # fmt: skip
    assert better_values(SPEC, "collateral_value", 150_000) == ()  # already the best bin
    rising = replace(SPEC, characteristics=(_numeric("collateral_value", [30_000], [40, 0]),))
    (below,) = better_values(rising, "collateral_value", 50_000)
    assert (below.op, below.edge) == ("below", 30_000) and below.value < 30_000
    assert better_values(SPEC, "collateral_value", None) == ()  # missing: no numeric target


def test_a_raw_logistic_term_offers_steps_towards_its_best_training_end() -> None:
    # log-odds of bad fall with x (coefficient −0.8) over a training range 10–16: from 12.34 the
    # steps are (16 − 12.34) / 20 = 0.183, shown to 2 significant digits of it, rounded up.
    logistic = replace(SPEC, characteristics=(), model_type="logistic",
                       linear_terms=(LinearTerm("collateral_value", -0.8, 10.0, 16.0),))  # fmt: skip
    steps = better_values(logistic, "collateral_value", 12.34)
    assert [t.edge for t in steps[:3]] == [12.53, 12.71, 12.89] and steps[-1].edge == 16.0
    assert {t.op for t in steps} == {"at_least"}
    assert better_values(logistic, "collateral_value", 16.0) == ()  # at the best end already
    # risk rising with x (a share, 0–0.5): at most 0.285, 0.27, … down to 0
    rising = replace(logistic, linear_terms=(LinearTerm("collateral_value", 0.8, 0.0, 0.5),))
    down = better_values(rising, "collateral_value", 0.3)
    assert [(t.op, t.edge) for t in down[:2]] == [("at_most", 0.285), ("at_most", 0.27)]
    assert down[-1].edge == 0.0 and down[-1].value == 0.0


def test_a_declined_applicant_is_told_the_amount_that_gets_approved(engine: Engine) -> None:
    est = _estimate(engine, {"collateral_value": 15_000, "NoEmp": 1}, "2000000")
    assert est["limit_high"] == "0" and est["reasons"][0]["code"] == "K07"
    assert est["binding"] == "K07"  # finding 7: the cause, not the revenue cap it never reached
    (advice,) = _characteristic(est)
    assert advice["factor"] == "collateral_value"  # never the employees: not actionable
    assert advice["target"] == {"op": "at_least", "value": 100_000}  # 30,000 would only refer
    assert advice["limit_high"] == "200000"
    assert advice["en"] == (
        "If the collateral value is at least 100,000, the application would be approved "
        "(up to CNY 200,000)"
    )
    assert advice["zh"] == "抵押物价值达到100,000及以上时，申请可获批准（额度最高200,000元）"


def test_an_approved_applicant_is_told_the_amount_that_raises_the_limit(engine: Engine) -> None:
    est = _estimate(engine, {"collateral_value": 50_000, "NoEmp": 5}, "50000000")
    assert (est["binding"], est["limit_high"]) == ("score", "1000000")
    (advice,) = _characteristic(est)
    assert (advice["target"], advice["limit_high"]) == (
        {"op": "at_least", "value": 100_000}, "2000000")  # fmt: skip
    assert (
        advice["en"]
        == "If the collateral value is at least 100,000, the limit would rise to CNY 2,000,000"
    )


def test_no_advice_when_no_actionable_value_changes_the_outcome(engine: Engine) -> None:
    est = _estimate(engine, {"collateral_value": 150_000, "NoEmp": 1}, "2000000")
    assert (est["binding"], est["limit_high"]) == ("revenue_multiple", "200000")
    assert _characteristic(est) == []


# The same scorecard with the units model training records in the labels (closing4 #12 item 5:
# targets in the characteristic's unit, money with the data's currency, never a raw float).
UNITS = replace(
    SPEC,
    labels={"collateral_value": {"zh": "抵押物价值", "en": "collateral value", "unit": "money"},
            "NoEmp": {"zh": "员工人数", "en": "number of employees", "unit": "count"}},
    training={**SPEC.training, "currency": "USD"},
)  # fmt: skip


def test_a_money_target_names_the_data_currency_and_the_limit_the_booking_one(
    engine: Engine,
) -> None:
    est = _estimate(engine, {"collateral_value": 15_000, "NoEmp": 1}, "2000000", UNITS)
    (advice,) = _characteristic(est)
    assert advice["target"] == {"op": "at_least", "value": 100_000}
    assert advice["en"] == (
        "If the collateral value is at least US$100,000, the application would be approved "
        "(up to CNY 200,000)"
    )
    assert advice["zh"] == "抵押物价值达到100,000美元及以上时，申请可获批准（额度最高200,000元）"


def test_count_and_share_targets_are_whole_counts_and_percentages() -> None:
    # bins [lower, upper): at least 4.5 employees is at least 5; below 4.5 is at most 4
    counts = replace(UNITS, characteristics=(_numeric("NoEmp", [4.5], [0, 10]),))
    assert better_values(counts, "NoEmp", 2) == (Target("at_least", 5.0, 5.0),)
    falling = replace(counts, characteristics=(_numeric("NoEmp", [4.5], [10, 0]),))
    assert better_values(falling, "NoEmp", 7) == (Target("at_most", 4.0, 4.0),)
    # a share edge 0.8578480184078217 (the served SBA spec's Portion) is at least 85.8 %
    share = replace(
        UNITS,
        characteristics=(_numeric("Portion", [0.8578480184078217], [0, 27]),),
        labels={"Portion": {"zh": "担保比例", "en": "guaranteed share", "unit": "share"}},
    )
    (target,) = better_values(share, "Portion", 0.5)
    assert target == Target("at_least", 0.858, 0.858)
    assert find_bin(share.characteristics[0], target.value) is share.characteristics[0].bins[1]
    zh, en = target_text(share, "Portion", target.op, target.edge, True, ("1元", "CNY 1"))
    assert "at least 85.8%" in en and "达到85.8%及以上" in zh
    # a bin holding no whole count offers nothing
    narrow = replace(counts, characteristics=(_numeric("NoEmp", [4.2, 4.8], [0, 10, 0]),))
    assert better_values(narrow, "NoEmp", 2) == ()


REVOLVING = Characteristic(
    "RevLineCr",
    "categorical",
    1.0,
    (Bin("revolving", 30.0, 0.0, "normal", categories=("Y",)),
     Bin("term loan", 0.0, 0.0, "normal", categories=("N",))),
    no_answer=("unrecorded",),
)  # fmt: skip
WITH_REVOLVING = replace(
    UNITS,
    features=("collateral_value", "RevLineCr"),
    characteristics=(_numeric("collateral_value", [30_000, 100_000], [0, 20, 40]), REVOLVING),
    labels={**UNITS.labels, "RevLineCr": {"zh": "循环授信", "en": "revolving line of credit"}},
    actionable={"collateral_value": False, "RevLineCr": True},
)


def test_defect_01_advice_never_proposes_a_revolving_line(engine: Engine) -> None:
    # 15,000 collateral (0 points) on a term loan (N, 0 points): declined. A revolving line (Y)
    # would score 30 points, PD 0.0696 → approvable (hand-worked in the module docstring) — but
    # the platform books term loans only (origination.loan_terms), so nothing advises it.
    assert better_values(WITH_REVOLVING, "RevLineCr", "N") == (Target("is", "Y", "Y"),)
    est = _estimate(engine, {"collateral_value": 15_000}, "2000000", WITH_REVOLVING,
                    revolving_line=False)  # fmt: skip
    assert est["limit_high"] == "0"
    assert [a for a in _characteristic(est) if a["factor"] == "RevLineCr"] == []
    assert "revolving" not in json.dumps(est["how_to_raise_limit"])


def test_defect_01_a_revolving_line_is_refused_naming_the_field(engine: Engine) -> None:
    with pytest.raises(ValidationError) as refused:
        _estimate(engine, {"collateral_value": 15_000}, "2000000", WITH_REVOLVING,
                  revolving_line=True)  # fmt: skip
    assert refused.value.field == "revolving_line"
    assert "term loan" in refused.value.rule
