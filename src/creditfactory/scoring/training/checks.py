"""The model report's checks and verdict (检查与结论), recorded in the spec so serving can read them.

`checks(result)` evaluates a training result (``result.json``): the model beats its benchmark;
the out-of-time AUC is within `OOT_GAP` of validation; on the validation sample (and the
out-of-time one when it has calibration figures) the calibration slope lies in `SLOPE_RANGE`,
the mean PD is within `LEVEL_TOLERANCE` of the bad rate and Hosmer–Lemeshow does not reject at
5 %; no field passed the leakage gate by whitelist. Each check has a stable `code` (e.g.
``oot_gap``, ``hosmer_lemeshow.validation``), its wording in zh-CN and English, whether it passed
and the limitation (`Reason`) it raises when it failed.

`verdict(result)` is the JSON recorded in the spec's ``training.verdict``: ``{"passed": bool,
"checks": [{"code", "zh", "en", "passed"}]}``. A spec whose verdict did not pass — or that has
none (no report) — is served only under a maker-checker approval bound to its sha256
(`service_layer.model_approval`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from creditfactory.scoring.training.wording import Reason, Text

__all__ = [
    "LEVEL_TOLERANCE",
    "OOT_GAP",
    "SLOPE_RANGE",
    "Check",
    "calibration_checks",
    "checks",
    "verdict",
]

SLOPE_RANGE = (0.8, 1.25)  # a calibration slope inside it is an acceptable spread
OOT_GAP = 0.05  # an out-of-time AUC this far below validation is a limitation
LEVEL_TOLERANCE = 0.2  # mean PD more than 20 % off the bad rate: the level is wrong


class Check(NamedTuple):
    """One check: stable `code`, what is checked, whether it passed, the limitation if not."""

    code: str
    what: Text
    passed: bool
    reason: Reason | None


def checks(result: dict[str, Any]) -> list[Check]:
    """The report's checks over a training result (module docstring)."""
    v, oot, bench = result["validation"], result.get("out_of_time"), result["benchmark"]
    out = [
        Check("benchmark", Text("胜过基准模型", "beats the benchmark"), v["auc"] > bench["auc"],
              Reason("below_benchmark", {"auc": v["auc"], "benchmark": bench["name"],
                                         "benchmark_auc": bench["auc"]})),
    ]  # fmt: skip
    parts = [("validation", Text("验证样本：", "validation"), v["calibration"])]
    if oot is not None:
        out.append(Check(
            "oot_gap",
            Text(f"跨期 AUC 比验证低不超过 {OOT_GAP}", f"out-of-time AUC within {OOT_GAP} of validation"),
            oot["auc"] >= v["auc"] - OOT_GAP,
            Reason("oot_gap", {"oot_auc": oot["auc"], "auc": v["auc"]}),
        ))  # fmt: skip
        if "calibration" in oot:
            parts.append(("out_of_time", Text("跨期样本：", "out of time"), oot["calibration"]))
    for key, sample, cal in parts:
        out += calibration_checks(key, sample, cal)
    whitelisted = list(result["leakage"]["whitelisted"])
    out.append(Check(
        "whitelist", Text("没有字段凭白名单越过闸门", "no field passes the gate by whitelist"),
        not whitelisted, Reason("whitelisted", {"fields": whitelisted}) if whitelisted else None,
    ))  # fmt: skip
    return out


def calibration_checks(key: str, sample: Text, cal: dict[str, Any]) -> list[Check]:
    slope, hl = cal["slope"], cal["hosmer_lemeshow"]["p_value"]
    level = cal["mean_pd"] / max(cal["bad_rate"], 1e-12) - 1.0
    where = Text(sample.zh.rstrip("："), sample.en)
    return [
        Check(f"calibration_slope.{key}",
              Text(f"{where.zh}校准斜率在 [{SLOPE_RANGE[0]}, {SLOPE_RANGE[1]}] 内",
                   f"calibration slope within [{SLOPE_RANGE[0]}, {SLOPE_RANGE[1]}] ({where.en})"),
              SLOPE_RANGE[0] <= slope <= SLOPE_RANGE[1],
              Reason("slope_low" if slope < SLOPE_RANGE[0] else "slope_high",
                     {"slope": slope, "sample": sample})),
        Check(f"mean_pd.{key}",
              Text(f"{where.zh}平均 PD 与坏账率相差不超过两成",
                   f"mean PD within a fifth of the bad rate ({where.en})"),
              abs(level) <= LEVEL_TOLERANCE,
              Reason("pd_too_low" if level < 0 else "pd_too_high",
                     {"mean_pd": cal["mean_pd"], "bad_rate": cal["bad_rate"], "sample": sample})),
        Check(f"hosmer_lemeshow.{key}",
              Text(f"{where.zh} Hosmer–Lemeshow 不拒绝（p ≥ 0.05）",
                   f"Hosmer–Lemeshow does not reject, p ≥ 0.05 ({where.en})"),
              hl >= 0.05, Reason("hl_rejects", {"p_value": hl, "sample": sample})),
    ]  # fmt: skip


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """``{"passed", "checks": [{"code", "zh", "en", "passed"}]}`` for the spec (module
    docstring)."""
    found = checks(result)
    return {
        "passed": all(c.passed for c in found),
        "checks": [{"code": c.code, "zh": c.what.zh, "en": c.what.en, "passed": c.passed}
                   for c in found],
    }  # fmt: skip
