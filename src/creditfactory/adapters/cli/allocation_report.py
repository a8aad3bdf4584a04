"""The allocation report: one self-contained HTML file (the frontier as an embedded matplotlib PNG)
and a CSV of every firm's amount and why (zh-CN + English). Written by the demo's invoice flow."""

from __future__ import annotations

import base64
import csv
import html
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from creditfactory.kernel.money import Money  # noqa: E402
from creditfactory.pricing.allocation import ShadowPrices, book_totals  # noqa: E402

if TYPE_CHECKING:
    from creditfactory.adapters.cli.demo_invoices import InvoiceRun

__all__ = ["PROVENANCE", "appetite_text", "shadow_text", "write_report"]

PROVENANCE = (
    "发票为真实数据（CUMCM 2020 C 附件2，已脱敏）；工商登记、司法、纳税记录为合成样例"
    "（data/fixtures/cn_records，见其 SOURCE.md），并非这些企业的真实记录",
    "the VAT invoices are real (CUMCM 2020 C 附件2, desensitised); the registry, court and tax "
    "records are synthetic fixtures (data/fixtures/cn_records, see its SOURCE.md), not real "
    "records of these firms",
)
"""(zh, en): which data of the invoice flow are real and which synthetic (findings V7)."""


def write_report(out: Path, run: InvoiceRun, as_of: date, dataset: str) -> Path:
    """Write `cumcm_allocation.html` and `.csv` under `out`; returns the HTML path."""
    out.mkdir(parents=True, exist_ok=True)
    rows = _rows(run)
    with (out / "cumcm_allocation.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    path = out / "cumcm_allocation.html"
    path.write_text(_html(run, rows, as_of, dataset), encoding="utf-8")
    return path


def shadow_text(prices: ShadowPrices) -> str:
    """The shadow prices in words: the limits that bind and what one more CNY of each would add;
    a zero is explained (more of that limit alone would add nothing)."""
    parts = [f"budget {prices.budget:.4f}", f"EL budget {prices.el_budget:.4f}"]
    parts += [f"{g} cap {p:.4f}" for g, p in sorted(prices.grades.items()) if p]
    zero = [n for n, p in (("budget", prices.budget), ("EL budget", prices.el_budget)) if not p]
    if zero:
        parts.append(
            f"0 for the {' and the '.join(zero)}: one more CNY of it alone would add no economic "
            "profit: the offers are priced at their RAROC minimum (each earns 0), "
            "or the other limits (EL budget, grade caps, per-firm band, RAROC hurdle, the approved "
            "offers) would not let it fund anything more"
        )
    return "; ".join(parts)


def appetite_text(run: InvoiceRun) -> str:
    """The risk appetite's key numbers in one line (version, budget, EL budget, band, hurdle,
    grade caps), CNY."""
    a = run.appetite
    caps = ", ".join(f"{g} {s:.0%}" for g, s in sorted(a.grade_caps.items()))
    return (
        f"{a.version} (effective {a.effective_date}): budget {a.budget.amount:,.0f} CNY, "
        f"EL budget {a.el_budget.amount:,.0f} CNY a year, per borrower 0 or "
        f"{a.min_amount.amount:,.0f}–{a.max_amount.amount:,.0f} CNY, RAROC hurdle "
        f"{a.hurdle:.0%} per loan, grade caps (share of budget) {caps}; other grades 0"
    )


def _rows(run: InvoiceRun) -> list[dict[str, str]]:
    by_id = {c.firm_id: c for c in run.candidates}
    lines = {line.firm_id: line for line in run.lines}
    rows = []
    for firm, app in run.applications:
        firm_id, decision = firm["企业代号"], app["decision"]
        c, line = by_id.get(firm_id), lines[firm_id]
        rows.append({
            "firm_id": firm_id, "name": firm["企业名称"], "status": app["status"],
            "grade": decision["grade"], "pd_12m": f"{float(decision['pd_12m']):.4f}",
            "limit_cny": decision["limit"], "annual_rate": decision["annual_rate"] or "",
            "raroc": f"{c.raroc:.4f}" if c else "",
            "economic_profit_per_yuan": f"{c.return_rate:.4f}" if c else "",
            "allocated_cny": f"{line.amount.amount:.0f}",
            "disbursed_cny": f"{run.booked.get(firm_id, Money.zero()).amount:.0f}",
            "why": "|".join(w.value for w in line.why), "why_zh": line.zh, "why_en": line.en,
        })  # fmt: skip
    return rows


def _frontier_png(run: InvoiceRun) -> str:
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    els = [float(p.expected_loss.amount) / 1e4 for p in run.frontier]
    lents = [float(p.lent.amount) / 1e4 for p in run.frontier]
    ax.plot(els, lents, marker="o", color="#1f5fa8", label="efficient frontier (amount lent)")
    lent, el, _ = book_totals(run.candidates, run.amounts)
    ax.scatter([float(el.amount) / 1e4], [float(lent.amount) / 1e4], color="#c0392b", zorder=3,
               s=70, label=f"chosen: EL budget {run.appetite.el_budget.amount:,.0f} CNY")  # fmt: skip
    ax.axvline(float(run.appetite.el_budget.amount) / 1e4, color="#c0392b", ls=":", lw=1)
    ax.set_xlabel("expected loss a year (10,000 CNY; PD 12-month × LGD)")
    # offers priced at their RAROC minimum all earn economic profit 0, so the frontier's
    # trade-off is volume against expected loss; the profit stays in the table
    ax.set_ylabel("amount lent (10,000 CNY)")
    ax.set_title("Amount lent vs expected loss as the EL budget varies (other limits held)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(run: InvoiceRun, rows: list[dict[str, str]], as_of: date, dataset: str) -> str:
    a = run.appetite
    appetite = [
        ["版本 version", f"{a.version} (effective {a.effective_date})"],
        ["总预算 budget", f"{a.budget.amount:,.0f} CNY"],
        ["预期损失预算 EL budget (a year)", f"{a.el_budget.amount:,.0f} CNY"],
        ["单户额度 per borrower", f"0 or {a.min_amount.amount:,.0f}–{a.max_amount.amount:,.0f} CNY"],
        ["RAROC 门槛 hurdle (per loan)", f"{a.hurdle:.0%}"],
        ["等级限额 grade caps (share of budget)",
         ", ".join(f"{g} {s:.0%}" for g, s in sorted(a.grade_caps.items())) + "; other grades 0"],
    ]  # fmt: skip
    grades = []
    for grade in sorted({c.grade for c in run.candidates}):
        members = [c for c in run.candidates if c.grade == grade]
        amount, el, _ = book_totals(members, run.amounts)
        grades.append([
            grade, str(len(members)), str(sum(1 for c in members if run.amounts.get(c.firm_id))),
            f"{amount.amount:,.0f}", f"{a.grade_cap(grade).amount:,.0f}", f"{el.amount:,.0f}",
            f"{sum(c.pd_12m for c in members) / len(members):.2%}",
        ])  # fmt: skip
    frontier = [
        [f"{p.el_budget.amount:,.0f}", f"{p.lent.amount:,.0f}", f"{p.expected_loss.amount:,.0f}",
         f"{p.expected_return.amount:,.0f}"]
        for p in run.frontier
    ]  # fmt: skip
    firms = [
        [r["firm_id"], r["status"], r["grade"], r["pd_12m"], r["annual_rate"], r["raroc"],
         r["economic_profit_per_yuan"], f"{int(r['allocated_cny']):,}", r["why_zh"],
         r["why_en"]]
        for r in sorted(rows, key=lambda r: (-int(r["allocated_cny"]), r["grade"], r["firm_id"]))
    ]  # fmt: skip
    lent, el, ret = book_totals(run.candidates, run.amounts)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>1 亿额度分配 · 1 亿 allocation — CUMCM 2020 C</title><style>
body{{font-family:sans-serif;max-width:1180px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0;font-size:13px}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}} th{{background:#f0f3f7}}
</style></head><body>
<h1>1 亿额度分配 · The 1 亿 allocation</h1>
<p>数据 Data: {html.escape(dataset)}; as of {as_of}. 金额单位 amounts in CNY (元).</p>
<p><strong>数据来源 Provenance:</strong> {html.escape(PROVENANCE[0])}。
{html.escape(PROVENANCE[1][0].upper() + PROVENANCE[1][1:])}.</p>
<p>PD: 12-month
(违约概率期限 12 个月, one-year loans). LGD {run.candidates[0].lgd if run.candidates else "—"}
(the credit policy's pricing LGD).</p>
<p>目标 Objective: 最大化经济利润 maximise Σ amount × economic profit a year, where economic
profit = (rate − FTP − operating cost − PD × LGD + return on capital) × (1 − tax) − hurdle ×
capital (what a loan earns above the cost of its risk, capital included; whole basis points);
then, at equal profit, the most lent (普惠 volume); then the smaller expected loss (safer firms
first). Not rate − FTP − cost − PD × LGD: under risk-based pricing that margin carries the
capital charge and rises with PD, so ranking by it funds the riskiest firms first. Every offer
priced at its RAROC minimum earns economic profit 0. Solved as mixed-integer programmes
(scipy.optimize.milp / HiGHS), amounts in whole 万.</p>
<p>结果 Result: {sum(1 for x in run.amounts.values() if x)} firms funded, {lent.amount:,.0f} CNY;
expected loss {el.amount:,.0f} CNY; economic profit {ret.amount:,.0f} CNY a year.</p>
<h2>风险偏好 Risk appetite</h2>{_table(["参数 parameter", "值 value"], appetite)}
<h2>影子价格 Shadow prices</h2>
<p>One more CNY of a limit would add this much economic profit a year (LP relaxation's duals;
0: more of that limit alone would add nothing, e.g. a budget fully lent while the EL
budget binds, or every offer priced at its RAROC minimum). A firm held back by a limit has an
economic profit per yuan (EP) below its shadow
cost = λ<sub>budget</sub> + λ<sub>EL</sub> × EL rate + λ<sub>grade</sub>, or, at equal EP, more
expected loss than the firms funded.
{html.escape(shadow_text(run.prices))}</p>
<h2>有效前沿 Efficient frontier</h2>
<img alt="frontier" src="data:image/png;base64,{_frontier_png(run)}">
{_table(["EL budget", "lent", "expected loss", "economic profit"], frontier)}
<h2>按等级 By grade</h2>
{_table(["grade", "approved offers", "funded", "CNY", "cap CNY", "EL CNY", "mean PD 12m"], grades)}
<h2>每户分配及原因 Each firm: amount and why</h2>
{
        _table(
            [
                "firm",
                "status",
                "grade",
                "PD 12m",
                "rate",
                "RAROC",
                "EP / 元",
                "allocated CNY",
                "原因",
                "why",
            ],
            firms,
        )
    }
</body></html>
"""
