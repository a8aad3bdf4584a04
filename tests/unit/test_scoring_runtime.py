"""Runtime scorer: exact reproduction of training-time scores (German, CUMCM), spec digest,
reason codes, bad input; invoice features on a hand-worked example; stability thresholds."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from decimal import Decimal

import pandas
import pytest
from tests.shared import shared_path

from creditfactory.scoring.errors import FeatureValueInvalid, ModelSpecMismatch
from creditfactory.scoring.features import Invoice, build_invoice_features
from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import dump_spec, load_spec
from creditfactory.scoring.stability import StabilityStatus, stability_status
from creditfactory.scoring.training.challenger import MonotoneLightGBM
from creditfactory.scoring.training.datasets import cumcm_features, load_dataset
from creditfactory.scoring.training.pipeline import score_frame
from creditfactory.scoring.training.scorecard import WOEScorecard


@pytest.fixture(scope="module")
def german() -> pandas.DataFrame:
    shared_path("data", "german_credit")
    return load_dataset("german").frame


def _rows(frame: pandas.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_german_scorecard_runtime_equals_training(german: pandas.DataFrame) -> None:
    ds = load_dataset("german")
    model = WOEScorecard(categorical=ds.categorical).fit(german[ds.features], german["bad"])
    spec = load_spec(dump_spec(model.to_spec("german")))
    expected = model.score_points(german[ds.features])
    pds = model.predict_proba(german[ds.features])[:, 1]
    for i, row in enumerate(_rows(german[ds.features])):
        result = score(spec, row)
        assert result.score == expected[i]
        assert result.pd_12m == pytest.approx(pds[i], rel=1e-12)
    worst = score(spec, _rows(german[ds.features])[1])
    assert worst.reasons and worst.reasons[0].points_lost >= worst.reasons[-1].points_lost
    # In words, not "duration_in_month = 48": a long duration is the riskier end (German credit).
    top = worst.reasons[0]
    assert (top.feature, top.value, top.direction) == ("duration_in_month", 48, "high")
    assert top.feature not in top.text_en and "48" not in top.text_en and "偏高" in top.text_zh


def test_german_lightgbm_runtime_equals_training(german: pandas.DataFrame) -> None:
    numeric = [c for c in german.columns if german[c].dtype.kind in "iuf" and c != "bad"]
    model = MonotoneLightGBM(n_estimators=40).fit(german[numeric], german["bad"])
    spec = load_spec(dump_spec(model.to_spec("g")))
    expected = model.score_points(german[numeric])
    got = [score(spec, r).score for r in _rows(german[numeric])]
    assert got == pytest.approx(list(expected), abs=1e-9)


def test_cumcm_specs_runtime_equal_training() -> None:
    base = shared_path("data", "cumcm2020c_sme_invoices")
    x = cumcm_features(
        base, ["credit_history_input_invoices.csv.gz"], ["credit_history_output_invoices.csv.gz"]
    )
    rated = pandas.read_csv(base / "enterprises_with_credit_record.csv")
    frame = rated.merge(x, left_on="企业代号", right_on="firm_id")
    y = (frame["是否违约"] == "是").astype(int)
    features = ["log_sales_12m", "sales_volatility", "customer_hhi", "void_share_sales"]
    card = WOEScorecard(min_bin_size=0.1, max_n_bins=4).fit(frame[features], y)
    spec = load_spec(dump_spec(card.to_spec("c")))
    assert [s["score"] for s in score_frame(spec, frame)] == list(
        card.score_points(frame[features])
    )
    trees = MonotoneLightGBM(n_estimators=30).fit(frame[features], y)
    spec = load_spec(dump_spec(trees.to_spec("t")))
    got = [s["score"] for s in score_frame(spec, frame)]
    assert got == pytest.approx(list(trees.score_points(frame[features])), abs=1e-9)


def test_spec_digest_detects_tampering(german: pandas.DataFrame) -> None:
    ds = load_dataset("german")
    model = WOEScorecard(categorical=ds.categorical).fit(german[ds.features], german["bad"])
    spec = model.to_spec("german")
    text = dump_spec(spec)
    assert load_spec(text) == load_spec(dump_spec(load_spec(text)))
    data = json.loads(text)
    data["base_points"] += 1
    with pytest.raises(ModelSpecMismatch):
        load_spec(json.dumps(data))
    with pytest.raises(FeatureValueInvalid, match="age_in_years"):
        score(spec, {**_rows(german[ds.features])[0], "age_in_years": "old"})
    missing = dict(_rows(german[ds.features])[0])
    del missing[spec.features[0]]
    with pytest.raises(FeatureValueInvalid, match="missing from the input"):
        score(spec, missing)
    spec_nan = dataclasses.replace(spec)
    assert score(spec_nan, {**_rows(german[ds.features])[0], "age_in_years": None}).score > 0


def test_invoice_features_hand_example() -> None:
    """Two months of invoices, worked by hand (as_of 2020-01-01, window 24 months)."""
    inv = [
        Invoice("sales", date(2019, 11, 5), "B1", Decimal("100"), Decimal("13")),
        Invoice("sales", date(2019, 12, 5), "B2", Decimal("300"), Decimal("39")),
        Invoice("sales", date(2019, 12, 6), "B2", Decimal("-50"), Decimal("-6.5")),
        Invoice("sales", date(2019, 12, 7), "B3", Decimal("999"), voided=True),
        Invoice("purchase", date(2019, 12, 1), "S1", Decimal("200"), Decimal("26")),
        Invoice("sales", date(2020, 1, 2), "B9", Decimal("1e6")),  # after as_of: ignored
    ]
    f = build_invoice_features(inv, date(2020, 1, 1))
    assert f["sales_monthly_mean"] == pytest.approx(350 / 2)  # Nov 100, Dec 250
    assert f["purchases_monthly_mean"] == pytest.approx(200 / 2)
    assert f["gross_margin_proxy"] == pytest.approx((350 - 200) / 350)
    assert f["void_share_sales"] == pytest.approx(1 / 4)
    assert f["negative_share_sales"] == pytest.approx(1 / 3)
    assert f["negative_amount_share_sales"] == pytest.approx(50 / 400)
    assert f["customer_hhi"] == pytest.approx((100 / 350) ** 2 + (250 / 350) ** 2)
    assert f["customer_top1_share"] == pytest.approx(250 / 350)
    assert f["n_customers"] == 2 and f["n_suppliers"] == 1
    assert f["active_months_sales"] == 2
    assert f["sales_growth_12m"] is None
    assert f["sales_volatility"] == pytest.approx(75 / 175)
    assert f["log_sales_volatility"] == pytest.approx(math.log(75 / 175))
    assert f["log_sales_monthly"] == pytest.approx(math.log(1 + 175))
    assert f["months_since_last_sales"] == pytest.approx(26 / (365.25 / 12))  # 6 Dec (红字 counts)
    assert f["sales_tax_rate"] == pytest.approx(45.5 / 350)


def test_log_sales_volatility_of_equal_months_is_floored() -> None:
    # one month of sales: CV 0, whose log is −inf; below 1 % sales are as steady as they get
    inv = [Invoice("sales", date(2019, 12, 5), "B1", Decimal("100"))]
    f = build_invoice_features(inv, date(2020, 1, 1))
    assert f["sales_volatility"] == 0.0
    assert f["log_sales_volatility"] == pytest.approx(math.log(0.01))


def test_stability_thresholds() -> None:
    assert stability_status(0.099) is StabilityStatus.STABLE
    assert stability_status(0.1) is StabilityStatus.WATCH
    assert stability_status(0.25) is StabilityStatus.WATCH
    assert stability_status(0.2501) is StabilityStatus.ACT
