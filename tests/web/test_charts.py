"""A chart's option carries amounts as decimal text (no float on the way), in category order."""

from __future__ import annotations

import json
from decimal import Decimal

from creditfactory.adapters.web.charts import bar_chart


def test_values_travel_as_decimal_text() -> None:
    bar = bar_chart("g", "book", [("正常", Decimal("511000.50"), "511,000.50 元"),
                                  ("关注", Decimal("0.1") + Decimal("0.2"), "0.30 元")], "元")  # fmt: skip
    option = json.loads(bar.option_json())
    assert option["series"][0]["data"] == ["511000.50", "0.3"]  # 0.1 + 0.2 exactly
    assert option["xAxis"]["data"] == ["正常", "关注"] and option["yAxis"]["name"] == "元"
    assert bar.shown == ("511,000.50 元", "0.30 元")
