"""Bilingual wording of the training record (训练记录的中英文表述): structured reasons, one text.

A `Reason` is a code and its figures (``Reason("iv", {"iv": 2.68, "limit": 0.5})``); its zh-CN
and English sentences are both rendered from `TEMPLATES`, so the Chinese a risk committee reads
and the English a validator reads say the same thing with the same numbers — no sentence is
translated by hand. The leakage gate (`leakage`), feature selection (`selection`,
`scorecard`) and the report's calibration commentary and limitations (`report`) speak through
it. Prose that an analyst or a dataset adapter writes (why a field is known at application, a
whitelist justification, a dataset's limitations) is a `Text`: both languages written by its
author, side by side; a plain ``str`` (an analyst's ``--whitelist`` note) is shown as written in
both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """One piece of prose in zh-CN and English, written by its author (an adapter, an analyst)."""

    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        """``{"zh": …, "en": …}``."""
        return {"zh": self.zh, "en": self.en}


Wording = str | Text
"""Prose: a `Text`, or a plain string shown as written in both languages."""


def in_language(value: Wording, lang: str) -> str:
    """`value` in ``zh`` or ``en`` (a plain string is the same in both)."""
    if isinstance(value, Text):
        return value.zh if lang == "zh" else value.en
    return value


KINDS: dict[str, Text] = {
    "identifier": Text("标识符", "identifier"),
    "outcome": Text("结果变量", "outcome"),
    "post_outcome": Text("结果发生后才记录", "post-outcome"),
    "post_application": Text("申请后才产生", "post-application"),
    "calendar": Text("日历或批次字段", "calendar"),
    "recoded": Text("已重新编码", "recoded"),
    "population": Text("界定服务人群", "population-defining"),
}
"""The dataset adapters' declaration kinds (`datasets.Dataset.declared`) other than
``application``, named in both languages."""

TEMPLATES: dict[str, tuple[str, str]] = {
    # leakage gate (`leakage.run_gate`)
    "declared": ("{kind}：{why}", "{kind}: {why}"),
    "iv": ("信息值 IV {iv:.2f} > {limit}（强得可疑）", "IV {iv:.2f} > {limit}"),
    "auc": (
        "单变量 AUC {auc:.3f} 超出 [{low:.2f}, {high}]",
        "single-feature AUC {auc:.3f} outside [{low:.2f}, {high}]",
    ),
    "shape": (
        "取值形态随结果而不同：{grid:g} 的整数倍取值在好客户与坏客户中的占比相差 {gap:.2f}"
        "（> {limit}）",
        "value shape differs by outcome: share on the multiples-of-{grid:g} grid differs by "
        "{gap:.2f} between goods and bads (> {limit})",
    ),
    "derived_declared": (
        "由已排除的 {sources} 派生（{how}）",
        "derived from excluded {sources} ({how})",
    ),
    "derived_detected": (
        "由已排除的 {sources} 派生：以已排除字段训练的决策树对其样本外预测 R² 为 {r2:.3f} ≥ {limit}",
        "derived from excluded {sources}: a tree on the excluded fields predicts it out of fold "
        "with R² {r2:.3f} ≥ {limit}",
    ),
    "proxy": (
        "是已排除字段的代理变量：仅凭它对已排除的 {flag} 做样本外分类，AUC {auc:.3f} ≥ {limit}",
        "a proxy for excluded {flag}: on its own it classifies that flag out of fold with AUC "
        "{auc:.3f} ≥ {limit}",
    ),
    "pure_value": (
        "纯值：取值 {value} 占 {share:.1%} 的行（≥ {limit:.0%}），其中没有{which}（{rows} 行）",
        "pure value: {value} holds {share:.1%} of rows (≥ {limit:.0%}) with no {which} "
        "({rows} rows)",
    ),
    # feature selection (`selection.select_features`, `scorecard.WOEScorecard`)
    "low_iv": ("信息值 IV {iv:.4f} < {limit}（区分力太弱）", "iv {iv:.4f} < {limit}"),
    "single_bin": ("只有一个分箱", "a single bin"),
    "correlated": (
        "与 {partner} 的 WOE 相关系数绝对值 {corr:.2f} > {limit}",
        "|corr| {corr:.2f} with {partner} > {limit}",
    ),
    "max_features": ("超出入模特征数上限 {limit}", "beyond max_features {limit}"),
    "vif": ("方差膨胀因子 VIF {vif:.2f} > {limit}", "vif {vif:.2f} > {limit}"),
    "wrong_sign": (
        "系数 {coefficient:.3f} 符号错误（WOE 越高应越安全）",
        "coefficient {coefficient:.3f} has the wrong sign",
    ),
    # forward selection inside the training rows (`ordinal.OrdinalLogistic`)
    "forward_selection": (
        "前向选择：加入后训练样本内部交叉验证的样本外 AUC 提升不足 {gain}（已选模型为 {auc:.3f}），"
        "或已达入模特征数上限 {limit}",
        "forward selection: it raised the inner out-of-fold AUC by less than {gain} (the chosen "
        "set reached {auc:.3f}), or max_features {limit} was reached",
    ),
    # calibration commentary and limitations (`report`)
    "calibration": (
        "Brier 分数 {brier:.4f}；校准斜率 {slope:.3f}（1 为离散度恰当，< 1 为 PD 过于极端）；"
        "整体校准截距 {intercept:+.3f}（0 为水平恰当）；Hosmer–Lemeshow χ² {chi2:.2f}，"
        "自由度 {dof}，p = {p_value:.4f}；平均 PD {mean_pd:.4f}，实际坏账率 {bad_rate:.4f}。",
        "Brier {brier:.4f}; calibration slope {slope:.3f} (1 = right spread, < 1 = PDs too "
        "extreme); calibration-in-the-large {intercept:+.3f} (0 = right level); Hosmer–Lemeshow "
        "χ² {chi2:.2f} on {dof} df, p = {p_value:.4f}; mean PD {mean_pd:.4f} vs bad rate "
        "{bad_rate:.4f}.",
    ),
    "slope_fine": (
        "{sample}校准斜率在 [0.8, 1.25] 内：PD 的离散度可接受。",
        "The calibration slope is within [0.8, 1.25] ({sample}): the spread of the PDs is "
        "acceptable.",
    ),
    "slope_low": (
        "{sample}校准斜率 {slope:.2f} < 0.8：样本外 PD 过于极端（高 PD 偏高、低 PD 偏低），据以定价前须"
        "重新校准。",
        "Calibration slope {slope:.2f} < 0.8 ({sample}): the PDs are too extreme out of sample "
        "(high PDs too high, low ones too low); recalibrate before pricing on them.",
    ),
    "slope_high": (
        "{sample}校准斜率 {slope:.2f} > 1.25：样本外 PD 过于平缓，区分不足，据以定价前须重新校准。",
        "Calibration slope {slope:.2f} > 1.25 ({sample}): the PDs are too flat out of sample; "
        "recalibrate before pricing on them.",
    ),
    "pd_too_low": (
        "{sample}平均 PD {mean_pd:.4f} 比实际坏账率 {bad_rate:.4f} 低两成以上：PD 整体偏低。",
        "Mean PD {mean_pd:.4f} is more than a fifth below the bad rate {bad_rate:.4f} "
        "({sample}): the PDs are too low overall.",
    ),
    "pd_too_high": (
        "{sample}平均 PD {mean_pd:.4f} 比实际坏账率 {bad_rate:.4f} 高两成以上：PD 整体偏高。",
        "Mean PD {mean_pd:.4f} is more than a fifth above the bad rate {bad_rate:.4f} "
        "({sample}): the PDs are too high overall.",
    ),
    "hl_rejects": (
        "{sample}Hosmer–Lemeshow 检验在 5% 水平上拒绝校准良好（p = {p_value:.4f}）。",
        "Hosmer–Lemeshow rejects good calibration at the 5 % level ({sample}, p = {p_value:.4f}).",
    ),
    "oot_gap": (
        "跨期 AUC {oot_auc:.3f} 明显低于验证 AUC {auc:.3f}：随机切分高估了模型，新批次应按跨期数字预期。",
        "Out-of-time AUC {oot_auc:.3f} is well below the validation AUC {auc:.3f}: the random "
        "split flatters the model; expect the out-of-time figure on new vintages.",
    ),
    "below_benchmark": (
        "模型 AUC {auc:.3f} 未超过基准 {benchmark}（{benchmark_auc:.3f}）：在超过之前，基准是更好的模型。",
        "The model's AUC {auc:.3f} does not beat the benchmark {benchmark} "
        "({benchmark_auc:.3f}): until it does, the benchmark is the better model.",
    ),
    "whitelisted": (
        "尽管触发闸门的统计规则，以下字段经分析师书面说明后保留：{fields}（说明见上）。",
        "Whitelisted despite the gate's statistical rules: {fields} (justifications above).",
    ),
    "life_of_loan": (
        "PD 为贷款存续期违约概率；12 个月 PD 假设 {months:g} 个月参考存续期内风险率恒定：早期违约较集中"
        "时会低估第一年的 PD，对期限远短于 {months:g} 个月的贷款也不区分。",
        "The PD is life-of-loan; the 12-month PD assumes a constant hazard over the "
        "{months:g}-month reference life: it understates the first year when defaults come "
        "early, and does not distinguish loans much shorter than {months:g} months.",
    ),
}
"""Reason code → (zh-CN template, English template), `str.format` over the reason's params."""


@dataclass(frozen=True)
class Reason:
    """A reason by `code` (a key of `TEMPLATES`) and its `params` (numbers, names, `Wording`)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        """The sentence in ``zh`` or ``en``; lists of names are joined, `Text` params localised."""
        zh, en = TEMPLATES[self.code]
        return (zh if lang == "zh" else en).format(
            **{k: _localise(v, lang) for k, v in self.params.items()}
        )

    @property
    def zh(self) -> str:
        """The zh-CN sentence."""
        return self.render("zh")

    @property
    def en(self) -> str:
        """The English sentence."""
        return self.render("en")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"code", "params", "zh", "en"}`` (a `Text` param as its zh/en dict)."""
        params = {k: v.to_dict() if isinstance(v, Text) else v for k, v in self.params.items()}
        return {"code": self.code, "params": params, "zh": self.zh, "en": self.en}


def joined(reasons: Sequence[Reason], lang: str) -> str:
    """Several reasons for one field, in one language ("; " or "；")."""
    return ("；" if lang == "zh" else "; ").join(r.render(lang) for r in reasons)


def _localise(value: Any, lang: str) -> Any:
    if isinstance(value, Text):
        return in_language(value, lang)
    if isinstance(value, list | tuple):
        return ("、" if lang == "zh" else ", ").join(str(_localise(v, lang)) for v in value)
    return value
