"""Monitoring reports as PNG plots (matplotlib, Agg): warning-level distribution over time, alert
ageing, signal hit rates, and precision / recall per family for a simulated book."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["plot_alert_ageing", "plot_hit_rates", "plot_levels", "plot_precision_recall"]

COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "orange": "#ef6c00", "red": "#c62828"}


def plot_levels(
    rows: Sequence[Mapping[str, Any]], path: Path, title: str = "Warning levels (borrowers)"
) -> Path:
    """Stacked bars: borrowers per level at each business date."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    dates = [str(r["business_date"]) for r in rows]
    bottom = [0] * len(rows)
    for level, colour in COLOURS.items():
        values = [int(r.get(level, 0)) for r in rows]
        ax.bar(dates, values, bottom=bottom, color=colour, label=level)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set(title=title, ylabel="borrowers", xlabel="business date")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_hit_rates(hits: Mapping[str, int], borrowers: int, path: Path) -> Path:
    """Horizontal bars: hits per signal kind per 100 borrowers."""
    kinds = sorted(hits, key=lambda k: hits[k])
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.28 * len(kinds) + 1)))
    ax.barh(kinds, [100 * hits[k] / max(1, borrowers) for k in kinds], color="#455a64")
    ax.set(title="Signal hit rates", xlabel="hits per 100 borrowers")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_alert_ageing(ages_by_status: Mapping[str, Sequence[int]], path: Path) -> Path:
    """Histogram of alert ages (days) by status."""
    fig, ax = plt.subplots(figsize=(8, 4))
    bins = [0, 1, 2, 3, 5, 7, 10, 15, 30, 60, 90]
    for status, ages in ages_by_status.items():
        if ages:
            ax.hist(list(ages), bins=bins, alpha=0.6, label=f"{status} ({len(ages)})")
    ax.set(title="Alert ageing", xlabel="days since opened", ylabel="alerts")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_precision_recall(families: Mapping[str, Mapping[str, float]], path: Path) -> Path:
    """Grouped bars: precision and recall per signal family."""
    names = list(families)
    xs = range(len(names))
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(
        [x - 0.2 for x in xs],
        [families[n]["precision"] for n in names],
        0.4,
        label="precision",
        color="#1565c0",
    )
    ax.bar(
        [x + 0.2 for x in xs],
        [families[n]["recall"] for n in names],
        0.4,
        label="recall",
        color="#8e24aa",
    )
    ax.set_xticks(list(xs), names, rotation=20)
    ax.set(title="Detection on the simulated book", ylim=(0, 1.05))
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
