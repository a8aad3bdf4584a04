"""Findings M3 / V8 of the issue-12 attack pass: withholding invoice consent improved a CUMCM
applicant's grade, because the declared invoice features were scored instead. Now a declaration
never stands in for invoices that were asked for and not given: each invoice feature scores its
worst value, so no declared value — and no invoice history — scores below "withheld"."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from creditfactory.origination.application import application_features
from creditfactory.origination.consent_gate import ExternalData
from creditfactory.scoring import score
from creditfactory.scoring.spec import Bin, Calibration, Characteristic, Scaling, ScorecardSpec

AS_OF = date(2020, 1, 1)
# log sales: < 10 → −30, 10–14 → 0, ≥ 14 → +25 points; Missing +10 (favourable, as V8 found);
# NoEmp is not an invoice feature and stays declared.
LOG_SALES = Characteristic("log_sales_12m", "numerical", 1.0, (
    Bin("<10", -30.0, 0.0, upper=10.0), Bin("10-14", 0.0, 0.0, lower=10.0, upper=14.0),
    Bin(">=14", 25.0, 0.0, lower=14.0), Bin("Missing", 10.0, 0.0, kind="missing"),
))  # fmt: skip
NO_EMP = Characteristic("NoEmp", "numerical", 1.0, (
    Bin("<5", -5.0, 0.0, upper=5.0), Bin(">=5", 5.0, 0.0, lower=5.0),
))  # fmt: skip
SPEC = ScorecardSpec(
    model_id="t", model_type="scorecard", features=("log_sales_12m", "NoEmp"), scaling=Scaling(),
    calibration=Calibration(-3.0, -0.01), base_points=600.0, characteristics=(LOG_SALES, NO_EMP),
)  # fmt: skip
WITHHELD = ExternalData(gaps={"invoices": "consent: not authorised"})


def _points(features: dict[str, object]) -> float:
    return score(SPEC, features).score  # type: ignore[arg-type]


@given(
    declared=st.none() | st.floats(0, 30, allow_nan=False),
    verified=st.floats(0, 30, allow_nan=False),
    staff=st.integers(0, 50),
)
def test_v8_withholding_invoices_never_scores_above_any_invoice_history(
    declared: float | None, verified: float, staff: int
) -> None:
    features = application_features(
        SPEC, {"log_sales_12m": declared, "NoEmp": staff}, WITHHELD, AS_OF
    )
    assert features["NoEmp"] == staff  # only what the invoices verify is replaced
    assert _points(features) <= _points({"log_sales_12m": verified, "NoEmp": staff})


def test_m3_the_declared_best_bin_scores_the_worst_when_consent_is_withheld() -> None:
    features = application_features(SPEC, {"log_sales_12m": 20.0, "NoEmp": 9}, WITHHELD, AS_OF)
    assert features["log_sales_12m"] == 9.0  # one below the "< 10" bin's upper edge
    assert _points(features) == 600.0 - 30.0 + 5.0


def test_without_an_invoice_source_the_declaration_is_scored() -> None:
    features = application_features(
        SPEC, {"log_sales_12m": 20.0, "NoEmp": 9}, ExternalData(), AS_OF
    )
    assert features == {"log_sales_12m": 20.0, "NoEmp": 9}
