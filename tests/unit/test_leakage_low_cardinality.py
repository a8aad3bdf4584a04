"""The leakage gate on two-valued fields (issue #12, validator valid12 finding F3): a 0/1 flag
scored IV 0.0000 (SBA's RealEstate, 1.06 by hand), a whitelisted field that entered was not
listed, and a categorical field that is a function of an excluded one (SBA's Express =
Portion == 0.5) was never checked for derivation.

Hand-worked flag (1,000 rows, 100 bads): value 0 on 920 rows with 60 bads, value 1 on 80 rows
with 40 bads — under 10 % ones, so every inner decile is 0 (the case qcut put in one bin). With
the gate's +0.5 per cell: goods 860.5 / 40.5 of 901, bads 60.5 / 40.5 of 101;
IV = (0.955050 − 0.599010)·ln(0.955050 / 0.599010) + (0.044950 − 0.400990)·ln(0.044950 /
0.400990) = 0.356040·0.466486 + 0.356040·2.188385 = 0.166088 + 0.779153 = 0.945240.
AUC of the flag as a risk score: (40·860 + ½(40·40 + 60·860)) / (100·900) = 0.677778.
"""

from __future__ import annotations

import numpy
import pandas
import pytest

from creditfactory.scoring.training.leakage import gate_iv, run_gate

HAND_IV = 0.945240


def _flag_frame() -> pandas.DataFrame:
    flag = numpy.r_[numpy.zeros(920), numpy.ones(80)].astype(int)
    y = numpy.r_[numpy.ones(60), numpy.zeros(860), numpy.ones(40), numpy.zeros(40)].astype(int)
    noise = numpy.random.default_rng(0).normal(size=1000)
    return pandas.DataFrame({"flag": flag, "noise": noise, "y": y})


@pytest.mark.parametrize("dtype", [int, float, bool])
def test_a_0_1_flag_gets_its_hand_worked_iv(dtype: type) -> None:
    frame = _flag_frame()
    y = frame["y"].to_numpy()
    assert gate_iv(frame["flag"].astype(dtype), y) == pytest.approx(HAND_IV, abs=1e-6)
    # the minority value first or last changes nothing
    assert gate_iv((1 - frame["flag"]).astype(dtype), y) == pytest.approx(HAND_IV, abs=1e-6)


def test_a_flag_above_the_iv_limit_is_excluded_with_its_figures() -> None:
    frame = _flag_frame()
    gate = run_gate(frame, "y", ["flag", "noise"], [], {}, {}, {})
    assert gate.kept == ["noise"]
    assert [r.code for r in gate.reasons["flag"]] == ["iv"]
    assert gate.checks["flag"]["iv"] == pytest.approx(HAND_IV, abs=1e-6)
    assert gate.checks["flag"]["auc"] == pytest.approx(0.677778, abs=1e-6)
    assert gate.excluded["flag"].startswith("IV 0.95 > 0.5")


def test_every_whitelisted_field_that_enters_is_listed() -> None:
    frame = _flag_frame()
    allowed = {"flag": "analyst: why the flag stays", "noise": "analyst: listed though clean"}
    gate = run_gate(frame, "y", ["flag", "noise"], [], {}, {}, allowed)
    assert gate.kept == ["flag", "noise"]
    assert gate.whitelisted == allowed


def _programme_frame() -> pandas.DataFrame:
    """`share` an excluded (post-application) guarantee share; `programme` is exactly
    share == 0.5, as SBA's Express is Portion == 0.5; the outcome is noise."""
    rng = numpy.random.default_rng(4)
    share = rng.choice([0.5, 0.75, 0.85, 0.9], size=600)
    return pandas.DataFrame({
        "share": share,
        "programme": numpy.where(share == 0.5, "Y", "N"),
        "noise": rng.normal(size=600),
        "y": (rng.random(600) < 0.3).astype(int),
    })  # fmt: skip


def test_a_categorical_field_derived_from_an_excluded_one_needs_a_justification() -> None:
    frame = _programme_frame()
    declared = {"share": ("post_application", "recorded after approval")}
    candidates = ["share", "programme", "noise"]
    gate = run_gate(frame, "y", candidates, ["programme"], declared, {}, {})
    assert gate.kept == ["noise"]
    reasons = gate.reasons["programme"]
    assert [r.code for r in reasons] == ["derived_detected"]
    assert reasons[0].params["sources"] == ["share"]
    assert gate.checks["programme"]["derived_r2"] == pytest.approx(1.0)
    why = {"programme": "analyst: the programme applied for, not the share's value"}
    allowed = run_gate(frame, "y", candidates, ["programme"], declared, {}, why)
    assert allowed.kept == ["programme", "noise"] and allowed.whitelisted == why
    assert allowed.checks["programme"]["derived_from"] == ["share"]
    assert allowed.checks["programme"]["derived_r2"] == pytest.approx(1.0)
