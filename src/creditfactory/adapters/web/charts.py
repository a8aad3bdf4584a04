"""Charts for workbench pages: an Apache ECharts option built on the server, drawn in the browser
by `static/charts.js` (SVG renderer, so the labels are text a person can select and a test can
read) from the element's `data-chart` attribute — no inline script (the CSP allows none).

A page puts `{% from "components/chart.html" import chart, chart_assets with context %}` in its
template, `{{ chart_assets() }}` in its `head` block (ECharts is loaded only where a chart is)
and `{{ chart(bar) }}` where the chart goes; `chart` also writes the figures as a table under
the plot (the exact amounts, for keyboard and screen-reader users and for copying).

Amounts stay Decimal here: the option's JSON carries them as decimal text ("125000.50", never
through a Python float), which ECharts reads as numbers for drawing only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["BarChart", "bar_chart"]


@dataclass(frozen=True, slots=True)
class BarChart:
    """A bar chart: `name` (the element id), `title`, category labels, one value per category,
    the unit of the values ("元", "笔" …) and how each value is shown in the table."""

    name: str
    title: str
    categories: tuple[str, ...]
    values: tuple[Decimal, ...]
    unit: str
    shown: tuple[str, ...]

    def option_json(self) -> str:
        """The ECharts option (bars, category axis, tooltips), values as decimal text."""
        option = {
            "animation": False,
            "title": {"text": self.title, "left": "center", "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 80, "right": 20, "top": 40, "bottom": 40},
            "xAxis": {"type": "category", "data": list(self.categories)},
            "yAxis": {"type": "value", "name": self.unit},
            "series": [{"type": "bar", "data": [f"{v:f}" for v in self.values],
                        "label": {"show": True, "position": "top"}}],
        }  # fmt: skip
        return json.dumps(option, ensure_ascii=False)


def bar_chart(
    name: str, title: str, rows: Sequence[tuple[str, Decimal, str]], unit: str
) -> BarChart:
    """A `BarChart` from (category, value, value as shown) rows, in order."""
    return BarChart(name, title, tuple(r[0] for r in rows), tuple(r[1] for r in rows), unit,
                    tuple(r[2] for r in rows))  # fmt: skip
