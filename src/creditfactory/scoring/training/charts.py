"""The model report's charts (matplotlib, Agg), each returned as an embedded base64 PNG ``<img>``.

Text inside a chart is English only — a CJK font is not on every machine, and a missing glyph
would print boxes — so the report puts a zh-CN / English caption under each chart
(`report.figure`).
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

GOOD, BAD, MODEL, REFERENCE = "#228833", "#cc3311", "#4477aa", "#ee7733"


def png(fig: Any, alt: str) -> str:
    """The figure as a self-contained ``<img>`` (closed afterwards)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def iv_bars(iv: dict[str, float]) -> Any:
    """Horizontal bar chart of IV per feature, highest on top."""
    items = sorted(iv.items(), key=lambda kv: kv[1])
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(items) + 1.2))
    ax.barh([k for k, _ in items], [v for _, v in items], color=MODEL)
    for x in (0.02, 0.1, 0.3):
        ax.axvline(x, color="grey", lw=0.7, ls="--")
    ax.set_xlabel("information value (IV)")
    ax.set_title("IV ranking (dashed: 0.02 weak, 0.1 medium, 0.3 strong)")
    return fig


def roc_ks(y: Any, pd_values: Any, title: str) -> tuple[Any, Any]:
    """ROC curve and KS curve (cumulative bad vs good share, riskiest first)."""
    fpr, tpr, _ = roc_curve(y, pd_values)
    fig1, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot(fpr, tpr, color=BAD, label=title)
    ax.plot([0, 1], [0, 1], color="grey", ls="--")
    ax.set_xlabel("false positive rate (goods flagged)")
    ax.set_ylabel("true positive rate (bads caught)")
    ax.set_title("ROC")
    ax.legend(loc="lower right")
    order = numpy.argsort(-numpy.asarray(pd_values))
    ys = numpy.asarray(y)[order]
    cum_bad = numpy.cumsum(ys) / max(ys.sum(), 1)
    cum_good = numpy.cumsum(1 - ys) / max((1 - ys).sum(), 1)
    share = numpy.arange(1, len(ys) + 1) / len(ys)
    k = int(numpy.argmax(cum_bad - cum_good))
    fig2, ax2 = plt.subplots(figsize=(4.5, 4.5))
    ax2.plot(share, cum_bad, label="bad", color=BAD)
    ax2.plot(share, cum_good, label="good", color=GOOD)
    ax2.vlines(
        share[k], cum_good[k], cum_bad[k], color="black", label=f"KS {cum_bad[k] - cum_good[k]:.3f}"
    )
    ax2.set_xlabel("share of population, riskiest first")
    ax2.set_ylabel("cumulative share")
    ax2.set_title("KS curve")
    ax2.legend(loc="lower right")
    return fig1, fig2


def score_by_outcome(scores: Any, y: Any, title: str) -> Any:
    """Score histograms of goods and bads (densities on shared bins)."""
    s, yy = numpy.asarray(scores, dtype=float), numpy.asarray(y)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = [float(b) for b in numpy.histogram_bin_edges(s, bins=25)]
    ax.hist(s[yy == 0], bins=bins, alpha=0.6, density=True, label="good", color=GOOD)
    ax.hist(s[yy == 1], bins=bins, alpha=0.6, density=True, label="bad", color=BAD)
    ax.set_xlabel("score (points)")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend()
    return fig


def reliability(table: list[dict[str, float]], title: str) -> Any:
    """Observed default rate vs mean predicted PD per PD-sorted group, point size ∝ rows."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    xs = [r["pd_mean"] for r in table]
    ys = [r["observed"] for r in table]
    ax.plot(xs, ys, "-", color=MODEL, lw=1)
    ax.scatter(xs, ys, s=[max(10.0, 4.0 * r["n"] ** 0.5) for r in table], color=MODEL, zorder=3)
    top = max([*xs, *ys, 0.01]) * 1.05
    ax.plot([0, top], [0, top], color="grey", ls="--", label="perfect calibration")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mean predicted PD")
    ax.set_ylabel("observed default rate")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return fig


def psi_bars(report: Any, title: str) -> Any:
    """Reference vs current shares per score bin with the PSI value."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    idx = numpy.arange(len(report.labels))
    ax.bar(idx - 0.2, report.expected_shares, 0.4, label="reference", color=MODEL)
    ax.bar(idx + 0.2, report.actual_shares, 0.4, label="current", color=REFERENCE)
    ax.set_xticks(idx, report.labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("share")
    ax.set_title(f"{title}: PSI {report.value:.4f} ({report.status})")
    ax.legend()
    return fig
