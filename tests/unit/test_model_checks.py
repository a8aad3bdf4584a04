"""The report's checks and the verdict training records in the spec (scoring.training.checks),
on hand-made training results: each threshold read from the report's rules (out-of-time AUC at
most 0.05 below validation, calibration slope in [0.8, 1.25], mean PD within 20 % of the bad
rate, Hosmer–Lemeshow p ≥ 0.05, no whitelisted field, the benchmark beaten)."""

from __future__ import annotations

from typing import Any

from creditfactory.scoring.training.checks import verdict


def _calibration(slope: float = 1.0, mean_pd: float = 0.30, p: float = 0.40) -> dict[str, Any]:
    return {"slope": slope, "mean_pd": mean_pd, "bad_rate": 0.30,
            "hosmer_lemeshow": {"p_value": p}}  # fmt: skip


def _result(oot_auc: float = 0.74, **cal: float) -> dict[str, Any]:
    return {
        "validation": {"auc": 0.76, "calibration": _calibration(**cal)},
        "out_of_time": {"auc": oot_auc},  # no calibration figures: only the AUC gap is checked
        "benchmark": {"name": "one feature", "auc": 0.70},
        "leakage": {"whitelisted": {}},
    }


def test_every_check_passes() -> None:
    found = verdict(_result())
    assert found["passed"] is True
    assert [c["code"] for c in found["checks"]] == [
        "benchmark", "oot_gap", "calibration_slope.validation", "mean_pd.validation",
        "hosmer_lemeshow.validation", "whitelist",
    ]  # fmt: skip


def test_each_failure_is_named() -> None:
    def failed(result: dict[str, Any]) -> list[str]:
        return [c["code"] for c in verdict(result)["checks"] if not c["passed"]]

    assert failed(_result(oot_auc=0.70)) == ["oot_gap"]  # 0.06 below validation
    assert failed(_result(slope=0.61)) == ["calibration_slope.validation"]
    assert failed(_result(mean_pd=0.37)) == ["mean_pd.validation"]  # 23 % above 0.30
    assert failed(_result(p=0.00005)) == ["hosmer_lemeshow.validation"]
    whitelisted = {**_result(), "leakage": {"whitelisted": {"SBA_Appv": "why"}}}
    assert failed(whitelisted) == ["whitelist"]
    below = {**_result(), "benchmark": {"name": "paper", "auc": 0.77}}
    assert failed(below) == ["benchmark"] and verdict(below)["passed"] is False
