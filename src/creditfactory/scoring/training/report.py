"""HTML model report a risk officer opens: bin tables, IV ranking, ROC, KS, score distributions,
calibration and PSI; matplotlib plots embedded as base64 PNG (one self-contained file)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

from creditfactory.scoring.stability import psi_report_by_splits, quantile_splits  # noqa: E402
from creditfactory.scoring.training import binning  # noqa: E402
from creditfactory.scoring.training.calibration import calibration_table  # noqa: E402

if TYPE_CHECKING:
    from creditfactory.scoring.training.pipeline import TrainedModel


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return (
        f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'
    )


def plot_iv(iv: dict[str, float]) -> Any:
    """Horizontal bar chart of IV per feature, highest on top."""
    items = sorted(iv.items(), key=lambda kv: kv[1])
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(items) + 1.2))
    ax.barh([k for k, _ in items], [v for _, v in items], color="#4477aa")
    for x in (0.02, 0.1, 0.3):
        ax.axvline(x, color="grey", lw=0.7, ls="--")
    ax.set_xlabel("information value (IV)")
    ax.set_title("IV ranking (dashed: 0.02 weak, 0.1 medium, 0.3 strong)")
    return fig


def plot_roc_ks(y: Any, pd_12m: Any, title: str) -> tuple[Any, Any]:
    """ROC curve and KS curve (cumulative bad vs good share by PD)."""
    fpr, tpr, _ = roc_curve(y, pd_12m)
    fig1, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot(fpr, tpr, color="#cc3311", label=title)
    ax.plot([0, 1], [0, 1], color="grey", ls="--")
    ax.set_xlabel("false positive rate (goods flagged)")
    ax.set_ylabel("true positive rate (bads caught)")
    ax.set_title("ROC")
    ax.legend(loc="lower right")
    order = numpy.argsort(-numpy.asarray(pd_12m))
    ys = numpy.asarray(y)[order]
    cum_bad = numpy.cumsum(ys) / max(ys.sum(), 1)
    cum_good = numpy.cumsum(1 - ys) / max((1 - ys).sum(), 1)
    share = numpy.arange(1, len(ys) + 1) / len(ys)
    k = int(numpy.argmax(cum_bad - cum_good))
    fig2, ax2 = plt.subplots(figsize=(4.5, 4.5))
    ax2.plot(share, cum_bad, label="bad", color="#cc3311")
    ax2.plot(share, cum_good, label="good", color="#228833")
    ax2.vlines(
        share[k], cum_good[k], cum_bad[k], color="black", label=f"KS {cum_bad[k] - cum_good[k]:.3f}"
    )
    ax2.set_xlabel("share of population, riskiest first")
    ax2.set_ylabel("cumulative share")
    ax2.set_title("KS curve")
    ax2.legend(loc="lower right")
    return fig1, fig2


def plot_scores(scores: Any, y: Any) -> Any:
    """Score histograms of goods and bads."""
    s, yy = numpy.asarray(scores), numpy.asarray(y)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = [float(b) for b in numpy.histogram_bin_edges(s, bins=25)]
    ax.hist(s[yy == 0], bins=bins, alpha=0.6, density=True, label="good", color="#228833")
    ax.hist(s[yy == 1], bins=bins, alpha=0.6, density=True, label="bad", color="#cc3311")
    ax.set_xlabel("score (points)")
    ax.set_ylabel("density")
    ax.set_title("Score distribution, good vs bad")
    ax.legend()
    return fig


def plot_calibration(table: list[dict[str, float]]) -> Any:
    """Observed default rate vs mean predicted PD per PD decile."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    xs = [r["pd_mean"] for r in table]
    ax.plot(xs, [r["observed"] for r in table], "o-", color="#4477aa")
    top = max([*xs, *(r["observed"] for r in table), 0.01])
    ax.plot([0, top], [0, top], color="grey", ls="--")
    ax.set_xlabel("mean predicted PD")
    ax.set_ylabel("observed default rate")
    ax.set_title("Calibration")
    return fig


def plot_psi(report: Any, title: str) -> Any:
    """Reference vs current shares per score bin with the PSI value."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    idx = numpy.arange(len(report.labels))
    ax.bar(idx - 0.2, report.expected_shares, 0.4, label="reference", color="#4477aa")
    ax.bar(idx + 0.2, report.actual_shares, 0.4, label="current", color="#ee7733")
    ax.set_xticks(idx, report.labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("share")
    ax.set_title(f"{title}: PSI {report.value:.4f} ({report.status})")
    ax.legend()
    return fig


def _table(frame: Any) -> str:
    return str(frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0))


def write_report(trained: TrainedModel, path: Path) -> None:
    """Write the self-contained HTML report."""
    r, ds = trained.result, trained.dataset
    feats = r["candidate_features"]
    part = trained.valid if trained.valid is not None else trained.train
    y = part[ds.target].to_numpy()
    p = trained.model.predict_proba(part[feats])[:, 1]
    scores = trained.model.score_points(part[feats])
    ref_scores = trained.model.score_points(trained.train[feats])
    roc, ksc = plot_roc_ks(y, p, "validation" if trained.valid is not None else "in-sample")
    sections = [
        f"<h1>Model report — {html.escape(r['dataset'])} / {r['method']}</h1>",
        f"<p>spec sha256 <code>{r['spec_sha256']}</code></p>",
        "<h2>Validation</h2><pre>" + html.escape(json.dumps(r["validation"], indent=1)) + "</pre>",
        "<h2>Cross-validation</h2><pre>"
        + html.escape(json.dumps(r.get("cv", "not run (split given)"), indent=1))
        + "</pre>",
        "<h2>Leakage checks</h2><pre>"
        + html.escape(json.dumps(r["leakage"], indent=1, ensure_ascii=False))
        + "</pre>",
        "<h2>IV ranking</h2>" + _png(plot_iv(r["iv"])),
        "<h2>ROC and KS</h2>" + _png(roc) + _png(ksc),
        "<h2>Score distributions</h2>" + _png(plot_scores(scores, y)),
        "<h2>Calibration</h2>" + _png(plot_calibration(calibration_table(p, y))),
    ]
    current = ds.unrated if ds.unrated is not None else trained.valid
    if current is not None:
        cur_scores = trained.model.score_points(current[feats])
        psi = psi_report_by_splits(ref_scores, cur_scores, quantile_splits(list(ref_scores)))
        name = "unrated firms vs training" if ds.unrated is not None else "validation vs training"
        sections.append("<h2>Population stability (PSI)</h2>" + _png(plot_psi(psi, name)))
    sections.append("<h2>Bin tables (event rate, WOE = ln(good share / bad share))</h2>")
    for f in r["features"]:
        if f in trained.iv_binnings:
            t = binning.bin_table(trained.iv_binnings[f])
            sections.append(f"<h3>{html.escape(f)}</h3>" + _table(t))
    css = "body{font-family:sans-serif;max-width:1000px;margin:auto}img{max-width:100%}"
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>",
        encoding="utf-8",
    )
