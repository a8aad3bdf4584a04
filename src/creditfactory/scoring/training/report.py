"""HTML model report a validator reads (SR 11-7 style), in zh-CN and English: summary figures, data
and bad definition, fields known at application, exclusions with reasons and the analyst's
whitelist, the selection log, coefficients and points per bin, train / validation / out-of-time
performance (ROC, KS), out-of-sample calibration (Brier, slope, intercept, Hosmer–Lemeshow,
reliability table and chart), stability (PSI), the benchmark comparison and limitations;
matplotlib plots embedded as base64 PNG (one self-contained file)."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

from creditfactory.scoring.stability import psi_report_by_splits, quantile_splits  # noqa: E402

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


def _rows(header: list[str], rows: list[list[Any]]) -> str:
    """An HTML table of already-formatted cells (escaped here)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}"
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, float) for v in value)
    ):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    return str(value)


def _h(zh: str, en: str, level: int = 2) -> str:
    return f"<h{level}>{html.escape(zh)} / {html.escape(en)}</h{level}>"


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _summary(r: dict[str, Any], spec: Any) -> list[str]:
    v, oot, bench = r["validation"], r.get("out_of_time"), r["benchmark"]
    rows = [
        ["验证 AUC（95% 自助法区间）/ validation AUC (95 % bootstrap CI)", v["auc"], v["auc_ci"]],
        ["验证 Brier / validation Brier", v["brier"], None],
        ["验证 KS / validation KS", v["ks"], None],
    ]
    if oot is not None:
        rows += [["跨期 AUC / out-of-time AUC", oot["auc"], oot["auc_ci"]],
                 ["跨期 Brier / out-of-time Brier", oot["brier"], None]]  # fmt: skip
    rows.append([f"基准 / benchmark: {bench['name']}", bench["auc"], None])
    horizon = r["pd_horizon"]
    return [
        f"<h1>模型报告 / Model report — {html.escape(r['dataset'])} · {html.escape(r['method'])}</h1>",
        _p(f"spec {spec.model_id} · sha256 {r['spec_sha256']}"),
        _rows(["指标 / figure", "值 / value", "区间 / interval"], rows),
        _p(f"{v['split']}."),
        _p(
            f"PD 期限 / PD horizon: {horizon['basis']} — {horizon['note'] or '12 months'}. "
            "pd_12m is always a 12-month PD: a life-of-loan PD is converted with a constant "
            "hazard, 1 − (1 − PD)^(12 / h), over the reference loan life h (never the requested "
            "term)."
        ),
    ]


def _data(trained: TrainedModel) -> list[str]:
    r, ds = trained.result, trained.dataset
    y = trained.train[ds.target]
    out = [_h("数据与坏客户定义", "Data and bad definition")]
    out.append(_rows(
        ["部分 / part", "行数 / rows", "坏 / bads", "坏账率 / bad rate"],
        [["training", len(y), int(y.sum()), float(y.mean())]]
        + ([] if trained.valid is None else [[
            "validation", len(trained.valid), int(trained.valid[ds.target].sum()),
            float(trained.valid[ds.target].mean())]]),
    ))  # fmt: skip
    for lang in ("zh", "en"):
        if lang in r["bad_definition"]:
            out.append(_p(r["bad_definition"][lang]))
    return out


def _exclusions(trained: TrainedModel) -> list[str]:
    r, spec = trained.result, trained.spec
    leak = r["leakage"]
    out = [_h("申请时已知的字段", "Fields known at application")]
    out.append(_rows(
        ["字段 / field", "中文 / zh", "English", "为何申请时已知 / why known at application"],
        [[f, trained.dataset.labels.get(f, {}).get("zh"), trained.dataset.labels.get(f, {}).get("en"),
          why] for f, why in r["known_at_application"].items()],
    ))  # fmt: skip
    out.append(_h("排除的字段及原因", "Exclusions and reasons"))
    t = leak.get("thresholds", {})
    out.append(_p(
        f"Leakage gate {'on' if leak['gate'] else 'OFF'}: IV > {t.get('iv')}, single-feature "
        f"AUC outside [{1 - t.get('auc', 1):.2f}, {t.get('auc')}], value-shape gap > "
        f"{t.get('shape_gap')}, derived (tree R² ≥ {t.get('derived_r2')}) from an excluded field, "
        "and the adapter's declarations (outcome, post-outcome, calendar …)."
    ))  # fmt: skip
    out.append(_rows(["字段 / field", "原因 / reason"], [[k, v] for k, v in r["excluded"].items()]))
    if leak["whitelisted"]:
        out.append(_h("分析师白名单", "Analyst whitelist", 3))
        out.append(_rows(
            ["字段 / field", "书面理由 / written justification", "gate figures"],
            [[f, why, ", ".join(f"{k} {_cell(v)}" for k, v in leak["checks"].get(f, {}).items())]
             for f, why in leak["whitelisted"].items()],
        ))  # fmt: skip
    out.append(_h("入模筛选记录", "Selection log", 3))
    selected = set(spec.features)
    out.append(_rows(
        ["候选 / candidate", "IV", "结果 / outcome"],
        [[f, r["iv"].get(f), "selected" if f in selected else r.get("dropped", {}).get(f, "—")]
         for f in r["candidate_features"]],
    ))  # fmt: skip
    return out


def _points(trained: TrainedModel) -> list[str]:
    spec = trained.spec
    out = [_h("系数与分值", "Coefficients and points")]
    out.append(_p(
        f"base points {spec.base_points:g}; 600 points at good:bad 50:1, PDO {spec.scaling.pdo:g}; "
        f"calibration PD = 1 / (1 + exp(−({spec.calibration.intercept:.4f} + "
        f"{spec.calibration.slope:.5f}·score)))."
    ))  # fmt: skip
    for ch in spec.characteristics:
        out.append(
            f"<h3>{html.escape(spec.label(ch.feature, 'zh'))} / "
            f"{html.escape(spec.label(ch.feature, 'en'))} <code>{html.escape(ch.feature)}</code> — "
            f"coefficient {ch.coefficient:.4f}, "
            f"{'可由借款人改变 / actionable' if spec.is_actionable(ch.feature) else '借款人不可改变 / not actionable'}</h3>"
        )  # fmt: skip
        out.append(_rows(
            ["分箱 / bin", "户数 / count", "坏账率 / bad rate", "WOE", "分值 / points"],
            [[b.label, b.count, b.event_rate, b.woe, b.points] for b in ch.bins],
        ))  # fmt: skip
    if spec.linear_terms:
        out.append(_rows(
            ["项 / term", "系数 / coefficient", "训练范围 / training range"],
            [["const", spec.intercept, None]]
            + [[t.feature, t.coefficient, f"{t.lower:g} … {t.upper:g}"] for t in spec.linear_terms],
        ))  # fmt: skip
    return out


def _performance(trained: TrainedModel, y: Any, p: Any) -> list[str]:
    r = trained.result
    out = [_h("训练 / 验证 / 跨期表现", "Train / validation / out-of-time")]
    rows = [["train (in sample)", r["train"]["auc"], None, r["train"]["ks"], None]]
    v = r["validation"]
    rows.append(["validation", v["auc"], v["auc_ci"], v["ks"], v["brier"]])
    if "cv" in r:
        rows.append([f"CV mean ± std ({r['cv']['n_splits']}×{r['cv']['n_repeats']})",
                     r["cv"]["mean"], None, None, r["cv"]["brier"]["mean"]])  # fmt: skip
        rows.append(["CV AUC std", r["cv"]["std"], None, None, None])
    oot = r.get("out_of_time")
    if oot is not None:
        rows.append([f"out of time ({oot['test']})", oot["auc"], oot["auc_ci"], None, oot["brier"]])
    out.append(_rows(["样本 / sample", "AUC", "95% CI", "KS", "Brier"], rows))
    if oot is not None:
        out.append(_p(f"Out-of-time: refitted on {oot['train']}; tested on {oot['test']}."))
    roc, ksc = plot_roc_ks(y, p, "validation" if trained.valid is not None else "out of fold")
    out += [_png(roc) + _png(ksc), _png(plot_scores(trained.model.score_points(
        (trained.valid if trained.valid is not None else trained.train)[r["candidate_features"]]
    ), y))]  # fmt: skip
    return out


def _calibration(r: dict[str, Any]) -> list[str]:
    cal = r["validation"]["calibration"]
    hl = cal["hosmer_lemeshow"]
    out = [_h("校准（样本外）", "Calibration (out of sample)")]
    out.append(_p(
        f"Brier {cal['brier']:.4f}; calibration slope {cal['slope']:.3f} (1 = right spread, < 1 = "
        f"PDs too extreme); calibration-in-the-large {cal['intercept']:+.3f} (0 = right level); "
        f"Hosmer–Lemeshow χ² {hl['chi2']:.2f} on {hl['dof']} df, p = {hl['p_value']:.4f}; mean PD "
        f"{cal['mean_pd']:.4f} vs bad rate {cal['bad_rate']:.4f}."
    ))  # fmt: skip
    out.append(_rows(
        ["PD 十分位 / PD decile", "户数 / n", "平均预测 PD / mean PD", "实际坏账率 / observed"],
        [[i + 1, row["n"], row["pd_mean"], row["observed"]] for i, row in enumerate(cal["reliability"])],
    ))  # fmt: skip
    out.append(_png(plot_calibration(cal["reliability"])))
    return out


def _stability(trained: TrainedModel) -> list[str]:
    ds, feats = trained.dataset, trained.result["candidate_features"]
    current = ds.unrated if ds.unrated is not None else trained.valid
    if current is None:
        return []
    ref_scores = trained.model.score_points(trained.train[feats])
    cur_scores = trained.model.score_points(current[feats])
    psi = psi_report_by_splits(ref_scores, cur_scores, quantile_splits(list(ref_scores)))
    name = "unrated firms vs training" if ds.unrated is not None else "validation vs training"
    return [_h("稳定性（PSI）", "Stability (PSI)"),
            _p(f"Score PSI {psi.value:.4f} ({psi.status}): {name}; < 0.1 stable, > 0.25 act."),
            _png(plot_psi(psi, name))]  # fmt: skip


def _benchmark(r: dict[str, Any]) -> list[str]:
    v = r["validation"]
    rows = [["chosen model", v["auc"], v["brier"], "—"]]
    rows += [[m["name"], m["auc"], m["brier"], m["note"]] for m in r["benchmark"]["models"]]
    return [_h("基准模型对比", "Benchmark"),
            _rows(["模型 / model", "AUC", "Brier", "说明 / note"], rows)]  # fmt: skip


def _limitations(trained: TrainedModel) -> list[str]:
    r, ds = trained.result, trained.dataset
    items = list(ds.limitations)
    oot = r.get("out_of_time")
    if oot is not None and oot["auc"] < r["validation"]["auc"] - 0.05:
        items.append(
            f"Out-of-time AUC {oot['auc']:.3f} is well below the validation AUC "
            f"{r['validation']['auc']:.3f}: the random split flatters the model; expect the "
            "out-of-time figure on new vintages."
        )
    slope = r["validation"]["calibration"]["slope"]
    if slope < 0.8:
        items.append(
            f"Calibration slope {slope:.2f} < 0.8: the PDs are too extreme out of sample (high "
            "PDs too high, low ones too low); recalibrate before pricing on them."
        )
    if r["leakage"]["whitelisted"]:
        items.append(
            "Whitelisted despite the gate's statistical rules: "
            + ", ".join(r["leakage"]["whitelisted"])
            + " (justifications above)."
        )
    if r["pd_horizon"]["basis"] == "life_of_loan":
        items.append(
            "The PD is life-of-loan; the 12-month PD assumes a constant hazard over the reference "
            "loan life, an average: a real loan's hazard varies with its age."
        )
    return [_h("局限", "Limitations"),
            "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in items) + "</ul>"]  # fmt: skip


def write_report(trained: TrainedModel, path: Path) -> None:
    """Write the self-contained HTML report: a document in zh-CN and English (module docstring)."""
    r, ds = trained.result, trained.dataset
    feats = r["candidate_features"]
    part = trained.valid if trained.valid is not None else trained.train
    y = part[ds.target].to_numpy()
    p = trained.model.predict_proba(part[feats])[:, 1]
    sections = [
        *_summary(r, trained.spec),
        *_data(trained),
        *_exclusions(trained),
        *_points(trained),
        *_performance(trained, y, p),
        *_calibration(r),
        *_stability(trained),
        *_benchmark(r),
        _h("信息值排序", "IV ranking"),
        _png(plot_iv(r["iv"])),
        *_limitations(trained),
    ]
    css = (
        "body{font-family:sans-serif;max-width:1000px;margin:auto}img{max-width:100%}"
        "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;"
        "padding:2px 6px;font-size:0.9em;vertical-align:top}"
    )
    path.write_text(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>model report {html.escape(r['dataset'])}</title><style>{css}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>",
        encoding="utf-8",
    )
