"""The model report (`scoring.training.report`) as a reader sees it, in headless Chromium
(Playwright driving the Debian ``chromium`` package): headings in zh-CN and English, every chart
image decoded, reliability charts for validation and for out-of-time, and every figure on the
page equal to ``result.json`` of the same ``model train`` run.

Two specs, so the report is not written for one model: the SBA scorecard (the data's
``Selected`` split with an out-of-time test, US dollars) and the served CUMCM ordinal model
(repeated cross-validation with the paired benchmark comparison, no dates, CNY).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.chromium import chromium
from tests.shared import shared_path

from creditfactory.scoring.training.pipeline import train

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    shared_path("data", "sba_loans_case")
    shared_path("data", "cumcm2020c_sme_invoices")
    out = tmp_path_factory.mktemp("reports")
    train("sba-case", split_column="Selected", out=out / "sba")
    train("cumcm-2020c", method="ordinal", cv_repeats=2, out=out / "cumcm")  # the served model
    return {"sba": out / "sba", "cumcm": out / "cumcm"}


@pytest.fixture(scope="module")
def browser() -> Any:
    with chromium() as launched:
        yield launched


def _at(result: dict[str, Any], path: str) -> Any:
    value: Any = result
    for key in path.split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _page(browser: Any, report: Path, shot: Path) -> Any:
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(shot), full_page=False)  # the one-page summary, for a human look
    return page


@pytest.mark.parametrize("name", ["sba", "cumcm"])
def test_report_reads_in_both_languages_with_figures_from_the_json(
    name: str, reports: dict[str, Path], browser: Any, tmp_path: Path
) -> None:
    result = json.loads((reports[name] / "result.json").read_text(encoding="utf-8"))
    page = _page(browser, reports[name] / "report.html", tmp_path / f"{name}.png")
    headings = page.locator("h1, h2, h3").all_inner_texts()
    for h in headings:
        assert CJK.search(h) and LATIN.search(h), h  # every heading in both languages
    h2 = [h.split(" / ")[1] for h in page.locator("h2").all_inner_texts()]
    for section in ("Summary", "Data and bad definition", "Exclusions and reasons",
                    "Calibration (out of sample)", "Benchmark", "Limitations"):  # fmt: skip
        assert section in h2, (section, h2)

    # every chart decoded by the browser, with a caption in both languages
    images = page.locator("figure img")
    assert images.count() >= 6
    for i in range(images.count()):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 100")
    for caption in page.locator("figcaption").all_inner_texts():
        assert CJK.search(caption) and LATIN.search(caption), caption

    # each figure on the page is the JSON's, at the path the cell names
    cells = page.locator("[data-figure]")
    assert cells.count() >= 20
    for i in range(cells.count()):
        path = cells.nth(i).get_attribute("data-figure")
        assert cells.nth(i).inner_text().strip() == _shown(_at(result, path)), path

    # the summary comes first and names currency, PD horizon and split
    summary = page.locator("section.summary").inner_text()
    assert summary.index("摘要") < summary.index("Verdict")
    currency = {"sba": ("美元", "US dollars"), "cumcm": ("人民币", "yuan (CNY)")}[name]
    assert currency[0] in summary and currency[1] in summary
    assert "months —" not in summary  # the horizon is stated in words, not a bare basis

    # exclusions: every excluded field with its reason in zh and in en, from the same reason
    text = page.locator("body").inner_text()
    for field, entry in result["exclusions"].items():
        assert CJK.search(entry["zh"]), field
        assert entry["en"] == result["excluded"][field].removeprefix("selection: "), field
        assert entry["zh"] in text and entry["en"] in text, field
    if "cv" in result:  # the paired comparison on the same folds, both languages
        assert page.locator("h3:has-text('Paired comparison on the same folds')").count() == 1
        assert page.locator("[data-figure$='.paired.won']").count() >= 1
    limitations = page.locator("ul.limitations li").all_inner_texts()
    assert limitations and all(CJK.search(t) and LATIN.search(t) for t in limitations)
    page.close()


def test_sba_report_shows_reliability_for_validation_and_out_of_time(
    reports: dict[str, Path], browser: Any, tmp_path: Path
) -> None:
    result = json.loads((reports["sba"] / "result.json").read_text(encoding="utf-8"))
    page = _page(browser, reports["sba"] / "report.html", tmp_path / "sba.png")
    captions = page.locator("figcaption").all_inner_texts()
    assert any(
        "可靠性图（验证样本）" in c and "Reliability chart (validation)" in c for c in captions
    )
    assert any(
        "可靠性图（跨期样本）" in c and "Reliability chart (out of time)" in c for c in captions
    )
    assert any("Score distribution by outcome" in c for c in captions)
    oot_rows = len(result["out_of_time"]["calibration"]["reliability"])
    assert (
        page.locator("[data-figure^='out_of_time.calibration.reliability']").count() == 2 * oot_rows
    )
    # out-of-time PDs too low against the bad rate (the later vintages defaulted more): the
    # limitations say so in both languages, and only then
    cal = result["out_of_time"]["calibration"]
    limits = " ".join(page.locator("ul.limitations li").all_inner_texts())
    too_low = cal["mean_pd"] < 0.8 * cal["bad_rate"]
    assert ("跨期样本：平均 PD" in limits) == too_low
    assert ("(out of time): the PDs are too low overall" in limits) == too_low
    page.close()


def test_workbook_is_bilingual_with_the_result_figures(reports: dict[str, Path]) -> None:
    from openpyxl import load_workbook

    result = json.loads((reports["sba"] / "result.json").read_text(encoding="utf-8"))
    wb = load_workbook(reports["sba"] / "scorecard.xlsx")
    assert wb.sheetnames == [
        "摘要 Summary", "评分卡 Scorecard", "IV", "排除 Exclusions", "主标尺 MasterScale",
    ]  # fmt: skip
    summary = {row[0]: row[1] for row in wb["摘要 Summary"].iter_rows(min_row=2, values_only=True)}
    # xlsx keeps 15 significant digits
    assert summary["验证 AUC / validation AUC"] == pytest.approx(result["validation"]["auc"], 1e-12)
    assert summary["跨期 Brier / out-of-time Brier"] == pytest.approx(
        result["out_of_time"]["brier"], 1e-12
    )
    assert summary["货币 / currency"] == "USD"
    excluded = {
        row[0]: row[1:] for row in wb["排除 Exclusions"].iter_rows(min_row=2, values_only=True)
    }
    assert excluded.keys() == result["exclusions"].keys()
    for field, (stage, zh, en) in excluded.items():
        entry = result["exclusions"][field]
        assert (stage, zh, en) == (entry["stage"], entry["zh"], entry["en"])
    for row in wb["评分卡 Scorecard"].iter_rows(min_row=2, values_only=True):
        assert CJK.search(row[1]) and LATIN.search(row[2]), row  # labels in both languages
