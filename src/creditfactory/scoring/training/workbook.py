"""Excel workbook of a model (openpyxl): summary, scorecard points per bin, IV, master scale."""

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


def write_workbook(trained: TrainedModel, path: Path) -> None:
    """Write ``scorecard.xlsx``: Summary, Scorecard (bins, WOE, points), IV, MasterScale."""
    spec, r = trained.spec, trained.result
    wb = Workbook()
    wb.remove(wb.active)
    v = r["validation"]
    summary = [
        ["dataset", r["dataset"]], ["method", r["method"]], ["spec sha256", r["spec_sha256"]],
        ["target score", spec.scaling.target_score], ["target odds (good:bad)", spec.scaling.target_odds],
        ["PDO", spec.scaling.pdo], ["factor", spec.scaling.factor], ["offset", spec.scaling.offset],
        ["base points", spec.base_points], ["validation AUC", v["auc"]], ["validation KS", v["ks"]],
        ["validation Gini", v["gini"]], ["misclassification at 0.5", v["misclassification"]],
    ]  # fmt: skip
    if "cv" in r:
        summary += [["CV AUC mean", r["cv"]["mean"]], ["CV AUC std", r["cv"]["std"]]]
    _sheet(wb, "Summary", ["item", "value"], summary)
    rows = [
        [ch.feature, b.label, b.kind, b.count, b.event_rate, b.woe, ch.coefficient, b.points]
        for ch in spec.characteristics
        for b in ch.bins
    ]
    rows += [
        [t.feature, "linear", "raw", None, None, None, t.coefficient, None]
        for t in spec.linear_terms
    ]
    _sheet(
        wb, "Scorecard",
        ["feature", "bin", "kind", "count", "event rate", "WOE", "coefficient", "points"], rows,
    )  # fmt: skip
    _sheet(
        wb,
        "IV",
        ["feature", "iv"],
        sorted(([k, x] for k, x in r["iv"].items()), key=lambda a: -a[1]),
    )
    _sheet(
        wb, "MasterScale", ["grade", "pd_lower", "pd_upper"],
        [[g.code, g.pd_lower, g.pd_upper] for g in spec.master_scale.grades],
    )  # fmt: skip
    wb.save(path)
