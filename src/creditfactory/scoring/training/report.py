"""HTML model report (模型报告) a validator and a Chinese risk committee both read (SR 11-7 style).

Every section is in zh-CN and English: a one-page summary (data set, currency, bad definition,
PD horizon, split, AUC / Brier with 95 % bootstrap intervals, benchmark comparison, a verdict on
the checks that failed), data and bad definition, fields known at application, exclusions and
the selection log, the analyst's whitelist, coefficients and points, train / validation /
out-of-time performance, score distribution by outcome, out-of-sample calibration with a
reliability table and chart for validation and for out-of-time, stability (PSI), the benchmark
and limitations. Reasons, commentary and limitations the pipeline or this module generate are
`wording.Reason`s (both languages from one template); the adapters' prose is `wording.Text`.

Figures come from the training result (``result.json``): each cell holding one carries
``data-figure="<dotted path>"`` into it, so a reader (or a test) can check the page against the
JSON. Charts are matplotlib PNGs embedded as base64 (`charts`): one self-contained file.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from creditfactory.scoring.stability import psi_report_by_splits, quantile_splits
from creditfactory.scoring.training import charts
from creditfactory.scoring.training.checks import calibration_checks, checks
from creditfactory.scoring.training.pipeline import score_frame
from creditfactory.scoring.training.wording import Reason, Text, Wording

if TYPE_CHECKING:
    from creditfactory.scoring.training.pipeline import TrainedModel

CURRENCIES = {
    "USD": Text("美元（USD）", "US dollars (USD)"),
    "CNY": Text("人民币（CNY）", "yuan (CNY)"),
}
BIN_LABELS = {"Special": Text("特殊值", "Special"), "Missing": Text("缺失", "Missing")}
PSI_STATUS = {"stable": "稳定", "watch": "关注", "act": "须采取行动", "insufficient": "样本不足"}

CSS = (
    "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;max-width:1040px;margin:auto;"
    "padding:0 1em;line-height:1.45}img{max-width:100%}figure{display:inline-block;margin:0.5em;"
    "vertical-align:top}figcaption{font-size:0.85em;color:#444;max-width:520px}"
    "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
    "font-size:0.9em;vertical-align:top}td[data-figure]{text-align:right;white-space:nowrap;font-variant-numeric:"
    "tabular-nums}section.summary{border:2px solid #4477aa;padding:0.5em 1em;margin:1em 0;"
    "page-break-after:always}p[lang=en],li span[lang=en],td[lang=en]{color:#333}"
    ".fail{color:#cc3311;font-weight:bold}.pass{color:#228833;font-weight:bold}"
    ".side{display:flex;gap:1em;align-items:flex-start;flex-wrap:wrap}section.summary{font-size:"
    "0.92em}ul.checks{columns:2;list-style:none;padding-left:0}"
    "@media print{section.summary{border:none}}"
)


def write_report(trained: TrainedModel, path: Path) -> None:
    """Write the self-contained HTML report (module docstring) to `path`."""
    r = trained.result
    sections = [
        *_summary(trained),
        *_data(trained),
        *_known(trained),
        *_exclusions(trained),
        *_points(trained),
        *_performance(trained),
        *_calibration(r),
        *_stability(trained),
        *_benchmark(r),
        _h("信息值排序", "IV ranking"),
        _figure(charts.iv_bars(r["iv"]), Text("各候选特征的信息值 IV", "IV of each candidate")),
        *_limitations(trained),
    ]
    title = f"模型报告 / Model report — {r['dataset']} · {r['method']}"
    path.write_text(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>",
        encoding="utf-8",
    )


# --- building blocks ---------------------------------------------------------------------------


def _h(zh: str, en: str, level: int = 2) -> str:
    return f"<h{level}>{html.escape(zh)} / {html.escape(en)}</h{level}>"


def _both(text: Wording | Reason) -> str:
    """A paragraph in zh-CN, then in English (one paragraph when the text is not bilingual)."""
    zh, en = (text.zh, text.en) if isinstance(text, Reason | Text) else (text, text)
    if zh == en:
        return f"<p>{html.escape(en)}</p>"
    return f"<p lang='zh-CN'>{html.escape(zh)}</p><p lang='en'>{html.escape(en)}</p>"


def _inline(text: Wording | Reason) -> str:
    """zh-CN / English on one line (for table cells and list items)."""
    zh, en = (text.zh, text.en) if isinstance(text, Reason | Text) else (text, text)
    if zh == en:
        return html.escape(en)
    return (
        f"<span lang='zh-CN'>{html.escape(zh)}</span><br><span lang='en'>{html.escape(en)}</span>"
    )


def _figure(fig: Any, caption: Text) -> str:
    return (
        f"<figure>{charts.png(fig, caption.en)}<figcaption><span lang='zh-CN'>"
        f"{html.escape(caption.zh)}</span> / <span lang='en'>{html.escape(caption.en)}</span>"
        "</figcaption></figure>"
    )


def _num(value: Any, path: str, digits: int = 4) -> str:
    """A figure cell tied to its JSON path; an interval [low, high] with 3 decimals."""
    if value is None:
        return "<td>—</td>"
    if isinstance(value, list | tuple):
        text = f"[{value[0]:.3f}, {value[1]:.3f}]"
    elif isinstance(value, float):
        text = f"{value:.{digits}f}"
    else:
        text = str(value)
    return f"<td data-figure='{html.escape(path)}'>{text}</td>"


def _table(header: list[tuple[str, str]], rows: list[list[str]]) -> str:
    """Rows of ready HTML cells (``<td>…</td>``) under zh / en headers."""
    head = "".join(
        f"<th>{html.escape(zh)}</th>"
        if zh == en
        else f"<th>{html.escape(zh)}<br>{html.escape(en)}</th>"
        for zh, en in header
    )
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _signed(x: float) -> str:
    return f"{'−' if x < 0 else '+'} {abs(x):.5f}"


def _td(value: Any) -> str:
    if isinstance(value, Text | Reason):
        return f"<td>{_inline(value)}</td>"
    if isinstance(value, float):
        return f"<td>{value:.4f}</td>"
    return "<td>—</td>" if value is None else f"<td>{html.escape(str(value))}</td>"


# --- summary -----------------------------------------------------------------------------------


def horizon_text(horizon: dict[str, Any]) -> Text:
    """The PD horizon in words: a fixed window, or life of loan and its 12-month conversion."""
    if horizon["basis"] == "months":
        m = horizon["months"]
        return Text(
            f"{m:g} 个月违约概率（见坏客户定义）；pd_12m 即模型的 PD"
            + ("。" if m == 12 else f"，按恒定风险率由 {m:g} 个月折算。"),
            f"{m:g}-month PD (see the bad definition); pd_12m is the model's PD"
            + ("." if m == 12 else f", converted from {m:g} months with a constant hazard."),
        )
    ref = horizon["reference_months"] or horizon["months"]
    return Text(
        "贷款存续期违约概率（贷款还清前任一时点违约）；pd_12m 按恒定风险率 1 − (1 − PD)^(12 / h) 折算为 "
        f"12 个月，h 为开发样本的参考贷款存续期 {ref:g} 个月，与申请期限无关。",
        "Life-of-loan PD (default at any time before the loan is repaid); pd_12m converts it to "
        f"12 months with a constant hazard, 1 − (1 − PD)^(12 / h), h = {ref:g} months, the "
        "development sample's reference loan life — never the requested term.",
    )


def split_text(r: dict[str, Any]) -> Text:
    """How the validation figures were obtained, in words."""
    if "cv" in r:
        k, n = r["cv"]["n_splits"], r["cv"]["n_repeats"]
        return Text(
            f"{k} 折 × {n} 次重复分层交叉验证：AUC 与 Brier 为各折均值 ± 标准差；区间、KS 与校准用第一次"
            "重复的样本外 PD。",
            f"{k}-fold × {n} repeated stratified cross-validation: AUC and Brier are fold means ± "
            "sd; intervals, KS and calibration use the first repeat's out-of-fold PDs.",
        )
    col = r["validation"].get("split_column", "split")
    return Text(
        f"按数据给定的切分：在 {col} == 1 上拟合，在 {col} == 0 上验证。",
        f"The data's named split: fit on {col} == 1, validated on {col} == 0.",
    )


def bad_text(trained: TrainedModel) -> Text:
    """The data set's bad definition, or what the target column says when it declares none."""
    bad, target = trained.result["bad_definition"], trained.dataset.target
    if "zh" in bad and "en" in bad:
        return Text(bad["zh"], bad["en"])
    return Text(
        f"数据集未声明坏客户定义：目标列 {target} = 1 记为坏客户。",
        f"The data set declares no bad definition: {target} = 1 is counted as bad.",
    )


def _summary(trained: TrainedModel) -> list[str]:
    r, ds = trained.result, trained.dataset
    y = trained.train[ds.target]
    currency = CURRENCIES.get(ds.currency or "", Text("数据不含金额", "no amounts in the data"))
    facts = [
        (Text("数据集", "data set"), Text(
            f"{r['dataset']}：训练 {len(y)} 行，其中坏客户 {int(y.sum())}",
            f"{r['dataset']}: {len(y)} training rows, {int(y.sum())} bads")),
        (Text("货币", "currency"), currency),
        (Text("坏客户定义", "bad definition"), bad_text(trained)),
        (Text("PD 期限", "PD horizon"), horizon_text(r["pd_horizon"])),
        (Text("验证方式", "validation"), split_text(r)),
    ]  # fmt: skip
    return [
        "<section class='summary' id='summary'>",
        f"<h1>模型报告 / Model report — {html.escape(r['dataset'])} · {html.escape(r['method'])}</h1>",
        f"<p>spec {html.escape(trained.spec.model_id)} · sha256 <code>{r['spec_sha256']}</code></p>",
        _h("摘要", "Summary"),
        _table([("项目", "item"), ("内容", "content")], [[_td(k), _td(t)] for k, t in facts]),
        _figures_table(r),
        *_verdict(trained),
        "</section>",
    ]


def _figures_table(r: dict[str, Any]) -> str:
    """AUC and Brier with their intervals: validation, out of time, each benchmark (ΔAUC)."""
    v, oot = r["validation"], r.get("out_of_time")
    sd = "cv" in r
    rows = [[
        _td(Text("验证", "validation")), _num(v["auc"], "validation.auc"),
        _num(v.get("auc_ci"), "validation.auc_ci"), _num(v["brier"], "validation.brier"),
        _num(v.get("brier_ci"), "validation.brier_ci"), _num(v["ks"], "validation.ks"), "<td>—</td>",
    ]]  # fmt: skip
    if sd:
        rows[0][1] = _num(v["auc"], "validation.auc") + _num(v["auc_std"], "validation.auc_std")
    if oot is not None:
        rows.append([
            _td(Text("跨期", "out of time")), _num(oot["auc"], "out_of_time.auc"),
            _num(oot.get("auc_ci"), "out_of_time.auc_ci"), _num(oot["brier"], "out_of_time.brier"),
            _num(oot.get("brier_ci"), "out_of_time.brier_ci"), "<td>—</td>", "<td>—</td>",
        ])  # fmt: skip
    for i, m in enumerate(r["benchmark"]["models"]):
        auc = _num(m["auc"], f"benchmark.models.{i}.auc")
        if sd and "auc_std" in m:
            auc += _num(m["auc_std"], f"benchmark.models.{i}.auc_std")
        rows.append([
            _td(Text(f"基准：{m.get('zh', {}).get('name', m['name'])}", f"benchmark: {m['name']}")),
            auc, "<td>—</td>", _num(m.get("brier"), f"benchmark.models.{i}.brier"), "<td>—</td>",
            "<td>—</td>", f"<td>{v['auc'] - m['auc']:+.4f}</td>",
        ])  # fmt: skip
    header = [("样本 / 模型", "sample / model"), ("AUC", "AUC")]
    if sd:
        header.append(("AUC 标准差", "AUC sd"))
    header += [("95% 区间", "95 % CI"), ("Brier", "Brier"), ("95% 区间", "95 % CI"),
               ("KS", "KS"), ("模型 AUC 高出", "model's AUC above")]  # fmt: skip
    if sd:  # rows without an sd cell get an empty one, so the columns line up
        for row in rows:
            if "auc_std" not in row[1]:
                row[1] += "<td>—</td>"
    return _table(header, rows)


def _verdict(trained: TrainedModel) -> list[str]:
    results = checks(trained.result)
    failed = sum(not c.passed for c in results)
    n_limits = len(trained.dataset.limitations)
    if failed:
        verdict = Text(
            f"结论：{failed} 项检查未通过，另有数据集本身的 {n_limits} 项局限；使用前请阅读文末“局限”。",
            f"Verdict: {failed} check(s) failed, besides the data set's own {n_limits} "
            "limitation(s); read “Limitations” at the end before using the model.",
        )
    else:
        verdict = Text(
            f"结论：各项检查均通过；数据集本身有 {n_limits} 项局限，见文末“局限”。",
            f"Verdict: every check passed; the data set has {n_limits} limitation(s) of its own, "
            "see “Limitations” at the end.",
        )
    cells = [
        f"<li class='{'pass' if c.passed else 'fail'}'>{'✓' if c.passed else '✗'} "
        f"{_inline(c.what)}</li>"
        for c in results
    ]
    return [
        _h("检查与结论", "Checks and verdict", 3),
        f"<ul class='checks'>{''.join(cells)}</ul>",
        f"<p class='verdict'><strong>{_inline(verdict)}</strong></p>",
    ]


# --- body sections -----------------------------------------------------------------------------


def _data(trained: TrainedModel) -> list[str]:
    ds = trained.dataset
    parts = [("训练", "training", trained.train)]
    if trained.valid is not None:
        parts.append(("验证", "validation", trained.valid))
    rows = [
        [_td(Text(zh, en)), _td(len(p)), _td(int(p[ds.target].sum())), _td(float(p[ds.target].mean()))]
        for zh, en, p in parts
    ]  # fmt: skip
    return [
        _h("数据与坏客户定义", "Data and bad definition"),
        _table(
            [("部分", "part"), ("行数", "rows"), ("坏客户", "bads"), ("坏账率", "bad rate")], rows
        ),
        _both(bad_text(trained)),
        *_population(trained),
    ]


def _population(trained: TrainedModel) -> list[str]:
    """The rows dropped before the split as outside the population served (`Dataset.population`)."""
    excluded = trained.result.get("population", {}).get("excluded", [])
    if not excluded:
        return []
    rows = [
        [_td(e["name"]), _td(e["rows"]), _td(e["bads"]), _td(Text(e["zh"], e["en"]))]
        for e in excluded
    ]
    return [
        _h("服务人群之外的行（切分前剔除）", "Rows outside the population served (dropped before "
           "the split)", 3),
        _table([("名称", "name"), ("剔除行数", "rows dropped"), ("其中坏客户", "bads dropped"),
                ("原因", "reason")], rows),
    ]  # fmt: skip


def _known(trained: TrainedModel) -> list[str]:
    ds = trained.dataset
    rows = [
        [_td(f), _td(Text(ds.labels.get(f, {}).get("zh", f), ds.labels.get(f, {}).get("en", f))),
         f"<td>{_inline(ds.declared[f][1] if f in ds.declared else why)}</td>"]
        for f, why in trained.result["known_at_application"].items()
    ]  # fmt: skip
    if not rows:
        return [
            _h("申请时已知的字段", "Fields known at application"),
            _both(Text(
                "数据集没有逐字段声明：每一列都按申请时已知处理，只有闸门的统计规则把关。",
                "The data set declares no fields: every column is treated as known at "
                "application, and only the gate's statistical rules guard it.",
            )),
        ]  # fmt: skip
    return [
        _h("申请时已知的字段", "Fields known at application"),
        _table(
            [("字段", "field"), ("名称", "label"), ("为何申请时已知", "why known at application")],
            rows,
        ),  # fmt: skip
    ]


def _exclusions(trained: TrainedModel) -> list[str]:
    r = trained.result
    leak, excl = r["leakage"], r.get("exclusions", {})
    t = leak.get("thresholds", {})
    rules = Text(
        f"泄露闸门{'开启' if leak['gate'] else '关闭'}：IV > {t.get('iv')}、单变量 AUC 超出 "
        f"[{1 - t.get('auc', 1):.2f}, {t.get('auc')}]、取值形态差距 > {t.get('shape_gap')}、由已排除字段派生"
        f"（决策树 R² ≥ {t.get('derived_r2')}），以及数据适配器的声明（结果、结果后、日历等）。",
        f"Leakage gate {'on' if leak['gate'] else 'OFF'}: IV > {t.get('iv')}, single-feature AUC "
        f"outside [{1 - t.get('auc', 1):.2f}, {t.get('auc')}], value-shape gap > "
        f"{t.get('shape_gap')}, derived (tree R² ≥ {t.get('derived_r2')}) from an excluded field, "
        "and the adapter's declarations (outcome, post-outcome, calendar …).",
    )
    gate_rows = [
        [_td(f), f"<td lang='zh-CN'>{html.escape(e['zh'])}</td>", f"<td lang='en'>{html.escape(e['en'])}</td>"]
        for f, e in excl.items() if e["stage"] == "gate"
    ]  # fmt: skip
    out = [
        _h("排除的字段及原因", "Exclusions and reasons"),
        _both(rules),
        _table([("字段", "field"), ("原因", "reason (zh)"), ("原因（英文）", "reason")], gate_rows),
    ]
    if leak["whitelisted"]:
        out += [
            _h("分析师白名单", "Analyst whitelist", 3),
            _table(
                [
                    ("字段", "fields"),
                    ("书面理由", "written justification"),
                    ("闸门数字", "gate figures"),
                ],
                _whitelist_rows(trained),
            ),  # fmt: skip
        ]
    selected = set(trained.spec.features)
    rows = [
        [_td(f), _num(r["iv"].get(f), f"iv.{f}"),
         "<td class='pass'>入模 / selected</td>" if f in selected
         else f"<td>{_inline(Text(excl[f]['zh'], excl[f]['en']))}</td>" if f in excl else "<td>—</td>"]
        for f in r["candidate_features"]
    ]  # fmt: skip
    return [
        *out,
        _h("入模筛选记录", "Selection log", 3),
        _table([("候选特征", "candidate"), ("IV", "IV"), ("结果", "outcome")], rows),
    ]


def _whitelist_rows(trained: TrainedModel) -> list[list[str]]:
    """One row per written justification (the fields it covers together), each field's gate
    figures beside it."""
    leak, ds = trained.result["leakage"], trained.dataset
    groups: dict[str, list[str]] = {}
    for f, why in leak["whitelisted"].items():
        groups.setdefault(why, []).append(f)
    rows = []
    for why, fields in groups.items():
        figures = "<br>".join(
            html.escape(f"{f}: " + ", ".join(
                f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                for k, v in leak["checks"].get(f, {}).items() if v is not None))
            for f in fields
        )  # fmt: skip
        rows.append([
            _td(", ".join(fields)), f"<td>{_inline(ds.whitelist.get(fields[0], why))}</td>",
            f"<td>{figures}</td>",
        ])  # fmt: skip
    return rows


def _points(trained: TrainedModel) -> list[str]:
    spec = trained.spec
    cal = spec.calibration
    logistic = f"1 / (1 + exp(−({cal.intercept:.4f} {_signed(cal.slope)}·{{x}})))"
    if (cal.floor, cal.ceiling) != (0.0, 1.0):  # graded: between the rates outside / inside D
        logistic = f"{cal.floor:.4f} + {cal.ceiling - cal.floor:.4f} · {logistic}"
    out = [
        _h("系数与分值", "Coefficients and points"),
        _both(Text(
            f"基础分 {spec.base_points:g}；好坏比 50:1 时为 600 分，PDO（翻倍分）{spec.scaling.pdo:g}；"
            f"校准 PD = {logistic.format(x='分数')}。",
            f"Base points {spec.base_points:g}; 600 points at good:bad 50:1, PDO "
            f"{spec.scaling.pdo:g}; calibration PD = {logistic.format(x='score')}.",
        )),
    ]  # fmt: skip
    for ch in spec.characteristics:
        act = (Text("借款人可以改变", "actionable") if spec.is_actionable(ch.feature)
               else Text("借款人不可改变", "not actionable"))  # fmt: skip
        out.append(
            f"<h3>{html.escape(spec.label(ch.feature, 'zh'))} / "
            f"{html.escape(spec.label(ch.feature, 'en'))} <code>{html.escape(ch.feature)}</code>"
            f" — 系数 / coefficient {ch.coefficient:.4f} — {act.zh} / {act.en}</h3>"
        )
        out.append(_table(
            [("分箱", "bin"), ("户数", "count"), ("坏账率", "bad rate"), ("WOE", "WOE"), ("分值", "points")],
            [[_td(BIN_LABELS.get(b.label, b.label)), _td(b.count), _td(b.event_rate), _td(b.woe),
              _td(f"{b.points:g}")]
             for b in ch.bins],
        ))  # fmt: skip
    if not spec.characteristics and not spec.linear_terms:
        out.append(_both(Text(
            "树模型：没有分箱分值表；各特征的作用见信息值排序，单调约束见模型方法。",
            "Tree model: no table of points per bin; see the IV ranking for each feature's "
            "strength and the method for its monotone constraints.",
        )))  # fmt: skip
    if spec.linear_terms:
        out.append(_table(
            [("项", "term"), ("系数", "coefficient"), ("训练范围", "training range")],
            [[_td("const"), _td(spec.intercept), _td(None)]]
            + [[_td(t.feature), _td(t.coefficient), _td(f"{t.lower:g} … {t.upper:g}")]
               for t in spec.linear_terms],
        ))  # fmt: skip
    return out


def _performance(trained: TrainedModel) -> list[str]:
    r, ds = trained.result, trained.dataset
    v, oot = r["validation"], r.get("out_of_time")
    rows = [[_td(Text("训练（样本内）", "train (in sample)")), _num(r["train"]["auc"], "train.auc"),
             "<td>—</td>", _num(r["train"]["ks"], "train.ks"), "<td>—</td>"],
            [_td(Text("验证", "validation")), _num(v["auc"], "validation.auc"),
             _num(v.get("auc_ci"), "validation.auc_ci"), _num(v["ks"], "validation.ks"),
             _num(v["brier"], "validation.brier")]]  # fmt: skip
    if oot is not None:
        rows.append([
            _td(Text(f"跨期（{oot_parts(oot)[1].zh}）", f"out of time ({oot_parts(oot)[1].en})")),
            _num(oot["auc"], "out_of_time.auc"), _num(oot.get("auc_ci"), "out_of_time.auc_ci"),
            "<td>—</td>", _num(oot["brier"], "out_of_time.brier"),
        ])  # fmt: skip
    out = [
        _h("训练 / 验证 / 跨期表现", "Train / validation / out-of-time"),
        _table(
            [
                ("样本", "sample"),
                ("AUC", "AUC"),
                ("95% 区间", "95 % CI"),
                ("KS", "KS"),
                ("Brier", "Brier"),
            ],
            rows,
        ),  # fmt: skip
        _both(split_text(r)),
    ]
    if oot is not None:
        early, late = oot_parts(oot)
        chosen = ", ".join(oot.get("characteristics", [])) or "—"
        out.append(_both(Text(
            f"跨期：整条流程（泄露闸门、分箱、特征选择、校准）只在 {early.zh} 上重新运行，在 {late.zh} 上"
            f"检验；该期选出的特征：{chosen}。",
            f"Out of time: the whole pipeline (leakage gate, binning, selection, calibration) rerun "
            f"on {early.en} alone; tested on {late.en}; characteristics that period chose: "
            f"{chosen}.",
        )))  # fmt: skip
    part = trained.valid if trained.valid is not None else trained.train
    y = part[ds.target].to_numpy()
    if trained.holdout_pd is not None:
        held = Text("验证样本", "validation") if trained.valid is not None else Text(
            "第一次重复的样本外", "out of fold, first repeat")  # fmt: skip
        roc, ks = charts.roc_ks(y, trained.holdout_pd, held.en)
        out += [
            _figure(roc, Text(f"ROC 曲线（{held.zh}）", f"ROC curve ({held.en})")),
            _figure(ks, Text(f"KS 曲线（{held.zh}）", f"KS curve ({held.en})")),
        ]
    scores = [s["score"] for s in score_frame(trained.spec, part)]
    where = (Text("验证样本，最终模型", "validation rows, final model") if trained.valid is not None
             else Text("全部有评级样本，最终模型（样本内）", "all rated rows, final model (in sample)"))  # fmt: skip
    out.append(_figure(
        charts.score_by_outcome(scores, y, f"Score by outcome ({where.en})"),
        Text(f"按结果分的分数分布：好客户与坏客户（{where.zh}）",
             f"Score distribution by outcome, goods vs bads ({where.en})"),
    ))  # fmt: skip
    return out


def oot_parts(oot: dict[str, Any]) -> tuple[Text, Text]:
    """The out-of-time training and test periods in words (rows and bads of each)."""
    s = oot["split"]
    col, last = s["column"], s["last"]
    return (
        Text(f"{col} ≤ {last:g}（{s['train_rows']} 行，坏客户 {s['train_bads']}）",
             f"{col} ≤ {last:g} ({s['train_rows']} rows, {s['train_bads']} bads)"),
        Text(f"{col} > {last:g}（{s['test_rows']} 行，坏客户 {s['test_bads']}）",
             f"{col} > {last:g} ({s['test_rows']} rows, {s['test_bads']} bads)"),
    )  # fmt: skip


def calibration_reasons(cal: dict[str, Any], sample: Text, key: str) -> list[Reason]:
    """The calibration commentary on `sample` (`key`: validation / out_of_time): the figures,
    then what they mean (slope, level, Hosmer–Lemeshow)."""
    hl = cal["hosmer_lemeshow"]
    out = [Reason("calibration", {
        "brier": cal["brier"], "slope": cal["slope"], "intercept": cal["intercept"],
        "chi2": hl["chi2"], "dof": hl["dof"], "p_value": hl["p_value"],
        "mean_pd": cal["mean_pd"], "bad_rate": cal["bad_rate"],
    })]  # fmt: skip
    failed = [c.reason for c in calibration_checks(key, sample, cal) if not c.passed and c.reason]
    if not any(r.code.startswith("slope") for r in failed):
        out.append(Reason("slope_fine", {"sample": sample}))
    return out + failed


def _calibration(r: dict[str, Any]) -> list[str]:
    out = [_h("校准（样本外）", "Calibration (out of sample)")]
    parts = [("validation", Text("验证样本：", "validation"), r["validation"]["calibration"])]
    oot = r.get("out_of_time")
    if oot is not None and "calibration" in oot:
        parts.append(("out_of_time", Text("跨期样本：", "out of time"), oot["calibration"]))
    for key, sample, cal in parts:
        name = Text(sample.zh.rstrip("："), sample.en)
        items = "".join(
            f"<li>{_inline(reason)}</li>" for reason in calibration_reasons(cal, sample, key)
        )
        table = _table(
            [("PD 分组", "PD group"), ("户数", "n"), ("平均预测 PD", "mean predicted PD"),
             ("实际坏账率", "observed bad rate")],
            [[_td(i + 1), _td(row["n"]),
              _num(row["pd_mean"], f"{key}.calibration.reliability.{i}.pd_mean"),
              _num(row["observed"], f"{key}.calibration.reliability.{i}.observed")]
             for i, row in enumerate(cal["reliability"])],
        )  # fmt: skip
        chart = _figure(
            charts.reliability(cal["reliability"], f"Reliability ({name.en})"),
            Text(f"可靠性图（{name.zh}）：各 PD 分组的平均预测 PD 与实际坏账率，虚线为完全校准",
                 f"Reliability chart ({name.en}): mean predicted PD vs observed bad rate per PD "
                 "group; dashed = perfect calibration"),
        )  # fmt: skip
        out += [
            _h(f"{name.zh}校准", f"Calibration, {name.en}", 3),
            f"<ul>{items}</ul>",
            f"<div class='side'>{table}{chart}</div>",
        ]
    return out


def _stability(trained: TrainedModel) -> list[str]:
    ds = trained.dataset
    current = ds.unrated if ds.unrated is not None else trained.valid
    if current is None:
        return []
    ref = [s["score"] for s in score_frame(trained.spec, trained.train)]
    cur = [s["score"] for s in score_frame(trained.spec, current)]
    psi = psi_report_by_splits(ref, cur, quantile_splits(ref))
    name = (Text("无评级企业对训练样本", "unrated firms vs training") if ds.unrated is not None
            else Text("验证样本对训练样本", "validation vs training"))  # fmt: skip
    return [
        _h("稳定性（PSI）", "Stability (PSI)"),
        _both(Text(
            f"分数 PSI {psi.value:.4f}（{PSI_STATUS.get(str(psi.status), psi.status)}）：{name.zh}；"
            "< 0.1 稳定，> 0.25 须采取行动。",
            f"Score PSI {psi.value:.4f} ({psi.status}): {name.en}; < 0.1 stable, > 0.25 act.",
        )),
        _figure(charts.psi_bars(psi, name.en), Text(
            f"各分数区间的样本占比：{name.zh}", f"Share of rows per score bin: {name.en}")),
    ]  # fmt: skip


def _benchmark(r: dict[str, Any]) -> list[str]:
    v = r["validation"]
    rows = [[_td(Text("所选模型", "chosen model")), _num(v["auc"], "validation.auc"),
             _num(v["brier"], "validation.brier"), "<td>—</td>"]]  # fmt: skip
    for i, m in enumerate(r["benchmark"]["models"]):
        zh = m.get("zh", {})
        rows.append([
            _td(Text(zh.get("name", m["name"]), m["name"])),
            _num(m["auc"], f"benchmark.models.{i}.auc"),
            _num(m.get("brier"), f"benchmark.models.{i}.brier"),
            _td(Text(zh.get("note", m["note"]), m["note"])),
        ])  # fmt: skip
    return [
        _h("基准模型对比", "Benchmark"),
        _table([("模型", "model"), ("AUC", "AUC"), ("Brier", "Brier"), ("说明", "note")], rows),
        *_paired(r),
    ]


def _paired(r: dict[str, Any]) -> list[str]:
    """Fold-by-fold comparison with each benchmark on the same folds, when the result has one
    (cross-validated data): mean ± sd of the differences (model − benchmark) and folds won."""
    rows = []
    for i, m in enumerate(r["benchmark"]["models"]):
        if "paired" not in m:
            continue
        at = f"benchmark.models.{i}.paired"
        rows.append([
            _td(Text(m.get("zh", {}).get("name", m["name"]), m["name"])),
            _num(m["paired"]["auc_difference"]["mean"], f"{at}.auc_difference.mean"),
            _num(m["paired"]["auc_difference"]["std"], f"{at}.auc_difference.std"),
            _num(m["paired"]["brier_difference"]["mean"], f"{at}.brier_difference.mean"),
            _num(m["paired"]["won"], f"{at}.won"), _num(m["paired"]["tied"], f"{at}.tied"),
            _num(m["paired"]["lost"], f"{at}.lost"), _num(m["paired"]["folds"], f"{at}.folds"),
        ])  # fmt: skip
    if not rows:
        return []
    return [
        _h("同折配对比较", "Paired comparison on the same folds", 3),
        _both(Text(
            "每一折上所选模型减基准模型的差：AUC 差为正、Brier 差为负表示所选模型更好；胜、平、负为折数占比。",
            "Per fold, the chosen model minus the benchmark: a positive AUC difference and a "
            "negative Brier difference favour the chosen model; won, tied and lost are shares "
            "of the folds.",
        )),
        _table([("基准", "benchmark"), ("AUC 差均值", "AUC difference, mean"),
                ("AUC 差标准差", "AUC difference, sd"), ("Brier 差均值", "Brier difference, mean"),
                ("胜", "won"), ("平", "tied"), ("负", "lost"), ("折数", "folds")], rows),
    ]  # fmt: skip


def limitations(trained: TrainedModel) -> list[Wording | Reason]:
    """The data set's own limitations, then those the figures raise (`checks`), then the PD
    horizon's when it is life of loan."""
    items: list[Wording | Reason] = list(trained.dataset.limitations)
    items += [c.reason for c in checks(trained.result) if not c.passed and c.reason is not None]
    horizon = trained.result["pd_horizon"]
    if horizon["basis"] == "life_of_loan":
        months = horizon["reference_months"] or horizon["months"]
        items.append(Reason("life_of_loan", {"months": months}))
    return items


def _limitations(trained: TrainedModel) -> list[str]:
    items = "".join(f"<li>{_inline(t)}</li>" for t in limitations(trained))
    return [_h("局限", "Limitations"), f"<ul class='limitations'>{items}</ul>"]
