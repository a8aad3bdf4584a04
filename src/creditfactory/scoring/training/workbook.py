"""Excel workbook of a model (openpyxl), in zh-CN and English like the report: summary figures,
scorecard points per bin with each characteristic's labels, IV, exclusions with their reasons,
master scale. Header cells read "中文 / English"; reasons come from the result's structured
``exclusions`` (`wording.Reason`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Font

if TYPE_CHECKING:
    from creditfactory.scoring.training.pipeline import TrainedModel


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = min(
            60, max(10, *(len(str(c.value or "")) for c in col))
        )


def _summary(trained: TrainedModel) -> list[list[Any]]:
    spec, r = trained.spec, trained.result
    v, oot, bench = r["validation"], r.get("out_of_time"), r["benchmark"]
    rows = [
        ["数据集 / dataset", r["dataset"]], ["方法 / method", r["method"]],
        ["spec sha256", r["spec_sha256"]], ["货币 / currency", trained.dataset.currency or "—"],
        ["目标分 / target score", spec.scaling.target_score],
        ["目标好坏比 / target odds (good:bad)", spec.scaling.target_odds],
        ["翻倍分 / PDO", spec.scaling.pdo], ["factor", spec.scaling.factor],
        ["offset", spec.scaling.offset], ["基础分 / base points", spec.base_points],
        ["验证 AUC / validation AUC", v["auc"]], ["验证 Brier / validation Brier", v["brier"]],
        ["验证 KS / validation KS", v["ks"]], ["验证 Gini / validation Gini", v["gini"]],
        ["0.5 处误判率 / misclassification at 0.5", v["misclassification"]],
    ]  # fmt: skip
    if "cv" in r:
        rows += [["交叉验证 AUC 均值 / CV AUC mean", r["cv"]["mean"]],
                 ["交叉验证 AUC 标准差 / CV AUC std", r["cv"]["std"]]]  # fmt: skip
    if oot is not None:
        rows += [["跨期 AUC / out-of-time AUC", oot["auc"]],
                 ["跨期 Brier / out-of-time Brier", oot["brier"]]]  # fmt: skip
    return rows + [[f"基准 AUC / benchmark AUC: {bench['name']}", bench["auc"]]]


def write_workbook(trained: TrainedModel, path: Path) -> None:
    """Write ``scorecard.xlsx``: 摘要 Summary, 评分卡 Scorecard (bins, WOE, points), IV,
    排除 Exclusions, 主标尺 MasterScale."""
    spec, r = trained.spec, trained.result
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "摘要 Summary", ["项目 / item", "值 / value"], _summary(trained))
    rows = [
        [ch.feature, spec.label(ch.feature, "zh"), spec.label(ch.feature, "en"), b.label, b.kind,
         b.count, b.event_rate, b.woe, ch.coefficient, b.points]
        for ch in spec.characteristics
        for b in ch.bins
    ]  # fmt: skip
    rows += [
        [t.feature, spec.label(t.feature, "zh"), spec.label(t.feature, "en"), "linear", "raw",
         None, None, None, t.coefficient, None]
        for t in spec.linear_terms
    ]  # fmt: skip
    _sheet(
        wb, "评分卡 Scorecard",
        ["特征 / feature", "中文名 / zh", "English", "分箱 / bin", "类型 / kind", "户数 / count",
         "坏账率 / event rate", "WOE", "系数 / coefficient", "分值 / points"], rows,
    )  # fmt: skip
    _sheet(
        wb,
        "IV",
        ["特征 / feature", "信息值 / iv"],
        sorted(([k, x] for k, x in r["iv"].items()), key=lambda a: -a[1]),
    )
    _sheet(
        wb, "排除 Exclusions",
        ["字段 / field", "阶段 / stage", "原因 / reason (zh)", "reason (en)"],
        [[f, e["stage"], e["zh"], e["en"]] for f, e in r.get("exclusions", {}).items()],
    )  # fmt: skip
    _sheet(
        wb, "主标尺 MasterScale", ["等级 / grade", "PD 下限 / pd_lower", "PD 上限 / pd_upper"],
        [[g.code, g.pd_lower, g.pd_upper] for g in spec.master_scale.grades],
    )  # fmt: skip
    wb.save(path)
