"""Reason codes and advice in words a borrower reads (zh-CN and English), never column names.

A score reason names the characteristic by its spec label and says, in words, where the
applicant's value stands against the characteristic's best attainment: the value is low (the
better bins lie above it), high (they lie below), not provided (the missing bin), or in a
higher-risk group (a category or special value). "Low" and "high" are said only where the
characteristic's points are monotone in its value (a linear term, or bins whose points only rise
or only fall); elsewhere the value "falls in a band that scores poorly" (``band``): with bins
that go up and down, "is low" would suggest that any higher value scores better, which the
model does not say. The raw value, the bin interval and the points
lost stay in the technical detail (`ReasonCode.feature` / `value` / `points_lost` / `bin_label`),
which the decision record keeps for audit.

A characteristic without a label is called "一项评分因素 / a scoring factor": a column name is
never shown. Whether the borrower can change a characteristic is the spec's `is_actionable`.

Advice targets (`target_text`) show the value in the characteristic's unit, which the spec's
labels carry as ``unit`` (`UNITS`): ``money`` in the training data's currency (spec
``training.currency``; ``US$150,000`` / ``150,000美元``), ``share`` as a percentage (0.85 → 85%),
``count`` as a whole number; a category by its meaning (Y → yes / 是). Without a unit, a number
with at most four significant digits — never a raw float.

Shapes: `Direction` is one of "low", "high", "band", "missing", "group", "unknown"; texts are str.
"""

from __future__ import annotations

import math
from typing import Final, Literal

from creditfactory.scoring.features import PLAIN_WORDS
from creditfactory.scoring.sba_labels import ASKED_FOR
from creditfactory.scoring.spec import Bin, Characteristic, ScorecardSpec

__all__ = [
    "UNITS",
    "Direction",
    "advice_text",
    "direction",
    "label",
    "money_text",
    "reason_text",
    "target_text",
    "unit",
]

Direction = Literal["low", "high", "band", "missing", "group", "unknown"]

UNITS: Final = ("money", "share", "count")
"""Units a spec label may carry (``labels[feature]["unit"]``)."""

_UNLABELLED: Final = {"zh": "一项评分因素", "en": "a scoring factor"}

_REASON: Final[dict[str, tuple[str, str]]] = {
    "low": ("{zh}偏低，影响了评分", "{en} is low, which lowered the score"),
    "high": ("{zh}偏高，影响了评分", "{en} is high, which lowered the score"),
    "band": ("{zh}落在评分较低的区间", "{en} falls in a band that scores poorly"),
    "missing": ("未提供{zh}，影响了评分", "{en} was not provided, which lowered the score"),
    "group": ("{zh}属于风险较高的情形", "{en} falls in a higher-risk group"),
    "unknown": ("{zh}影响了评分", "{en} lowered the score"),
}

_ADVICE: Final[dict[str, tuple[str, str]]] = {
    "low": (
        "{zh}提高后，评分和可贷额度会提高",
        "a higher {en} would raise the score and the limit",
    ),
    "high": (
        "{zh}降低后，评分和可贷额度会提高",
        "a lower {en} would raise the score and the limit",
    ),
    "band": (
        "{zh}处于评分更高的区间时，评分和可贷额度会提高",
        "a {en} in a better-scoring band would raise the score and the limit",
    ),
    "missing": (
        "提供{zh}后可按实际情况评分",
        "providing {en} would let it be scored on the actual value",
    ),
    "group": ("{zh}的情况改善后，评分会提高", "an improvement in {en} would raise the score"),
    "unknown": ("{zh}改善后，评分会提高", "an improvement in {en} would raise the score"),
}


def label(spec: ScorecardSpec, feature: str, language: str) -> str:
    """The borrower's words for `feature` in ``zh`` or ``en``: `features.PLAIN_WORDS` for a
    transformed invoice feature (no "logarithm" or "coefficient of variation" in a reason), else
    the spec's label; a generic phrase when it has none."""
    if feature in PLAIN_WORDS:
        return PLAIN_WORDS[feature][0 if language == "zh" else 1]
    given = spec.labels.get(feature, {}).get(language)
    return str(given) if given and given != feature else _UNLABELLED[language]


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _bin_direction(ch: Characteristic, found: Bin | None) -> Direction:
    if found is None or found.kind == "special" or ch.dtype == "categorical":
        return "group"
    if found.kind == "missing":
        return "missing"
    normal = [b for b in ch.bins if b.kind == "normal"]
    best = max(normal, key=lambda b: b.points, default=None)
    if best is None or best is found:
        return "unknown"
    if not _monotone(normal):
        return "band"
    below = best.upper is not None and found.lower is not None and best.upper <= found.lower
    return "high" if below else "low"


def _monotone(bins: list[Bin]) -> bool:
    """Whether the points of numeric bins, in the order of their edges, only rise or only fall."""
    points = [
        b.points for b in sorted(bins, key=lambda b: -math.inf if b.lower is None else b.lower)
    ]
    steps = [b - a for a, b in zip(points, points[1:], strict=False)]
    return all(d >= 0 for d in steps) or all(d <= 0 for d in steps)


def direction(spec: ScorecardSpec, feature: str, value: object, found: Bin | None) -> Direction:
    """Where `value` stands against the best attainment of `feature` (module docstring).

    found: the scorecard bin `value` fell in (None for other model types or an unseen category).
    """
    if _is_missing(value):
        return "missing"
    ch = next((c for c in spec.characteristics if c.feature == feature), None)
    if ch is not None:
        return _bin_direction(ch, found)
    term = next((t for t in spec.linear_terms if t.feature == feature), None)
    if term is not None and term.coefficient:
        # best = the end of the training range with the lowest log-odds of bad
        return "low" if term.coefficient < 0 else "high"
    return "unknown"


def reason_text(
    spec: ScorecardSpec, feature: str, where: Direction, value: object = None
) -> tuple[str, str]:
    """(zh, en) adverse-action text of a characteristic that cost points; a product
    characteristic at `value` is named as the product asked for (`sba_labels.ASKED_FOR`)."""
    asked = ASKED_FOR.get((feature, value)) if isinstance(value, str) else None
    return _fill(spec, feature, *_REASON[where], words=asked)


def advice_text(spec: ScorecardSpec, feature: str, where: Direction) -> tuple[str, str]:
    """(zh, en) what would change if the borrower improved this characteristic."""
    return _fill(spec, feature, *_ADVICE[where])


_TARGET: Final[dict[tuple[str, bool], tuple[str, str]]] = {
    ("at_least", True): ("{zh}达到{v}及以上时，申请可获批准（额度最高{high}）",
                         "if the {en} is at least {v}, the application would be approved "
                         "(up to {high})"),
    ("at_least", False): ("{zh}达到{v}及以上时，可贷额度可提高至{high}",
                          "if the {en} is at least {v}, the limit would rise to {high}"),
    ("below", True): ("{zh}低于{v}时，申请可获批准（额度最高{high}）",
                      "if the {en} is below {v}, the application would be approved (up to {high})"),
    ("below", False): ("{zh}低于{v}时，可贷额度可提高至{high}",
                       "if the {en} is below {v}, the limit would rise to {high}"),
    ("at_most", True): ("{zh}不高于{v}时，申请可获批准（额度最高{high}）",
                        "if the {en} is at most {v}, the application would be approved "
                        "(up to {high})"),
    ("at_most", False): ("{zh}不高于{v}时，可贷额度可提高至{high}",
                         "if the {en} is at most {v}, the limit would rise to {high}"),
    ("is", True): ("{zh}为{v}时，申请可获批准（额度最高{high}）",
                   "if the {en} is {v}, the application would be approved (up to {high})"),
    ("is", False): ("{zh}为{v}时，可贷额度可提高至{high}",
                    "if the {en} is {v}, the limit would rise to {high}"),
}  # fmt: skip

_CURRENCY: Final[dict[str, tuple[str, str]]] = {
    "USD": ("{v}美元", "US${v}"),
    "CNY": ("{v}元", "CNY {v}"),
}
_CATEGORY: Final[dict[str, tuple[str, str]]] = {"Y": ("“是”", "“yes”"), "N": ("“否”", "“no”")}


def unit(spec: ScorecardSpec, feature: str) -> str | None:
    """The unit the spec's labels give `feature` (one of `UNITS`), or None."""
    given = spec.labels.get(feature, {}).get("unit")
    return str(given) if given in UNITS else None


def _number(x: float) -> str:
    """Whole numbers with thousands separators; others to four significant digits (at least one
    decimal), trailing zeros dropped: 0.8500000000000001 → 0.85, 490687.5 → 490,687.5."""
    if float(x).is_integer():
        return f"{int(x):,}"
    decimals = max(1, 3 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")


def money_text(amount: float, currency: str | None) -> tuple[str, str]:
    """(zh, en) an amount with its currency (ISO 4217; plain when None or unknown)."""
    zh, en = _CURRENCY.get(currency or "", ("{v}", "{v}"))
    v = _number(round(amount))
    return zh.replace("{v}", v), en.replace("{v}", v)


def _value_text(spec: ScorecardSpec, feature: str, value: float | str) -> tuple[str, str]:
    if isinstance(value, str):
        words = _CATEGORY.get(value)
        return words if words is not None else (f"“{value}”", f"“{value}”")
    kind = unit(spec, feature)
    if kind == "money":
        return money_text(value, spec.training.get("currency"))
    if kind == "share":
        text = f"{round(value * 100, 1):g}%"
        return text, text
    text = _number(round(value) if kind == "count" else value)
    return text, text


def target_text(
    spec: ScorecardSpec,
    feature: str,
    op: str,
    edge: float | str,
    approvable: bool,
    high: tuple[str, str],
) -> tuple[str, str]:
    """(zh, en) advice naming the value that changes the outcome: `op` "at_least" / "below" /
    "at_most" a number `edge`, or "is" a category `edge`, in the feature's unit (module
    docstring); `approvable`: the estimate has no range now and would have one, else the limit
    would rise; `high`: the limit it would reach as (zh, en) text (`money_text`)."""
    zh, en = _TARGET[(op, approvable)]
    v_zh, v_en = _value_text(spec, feature, edge)
    return _fill(spec, feature, zh.replace("{v}", v_zh).replace("{high}", high[0]),
                 en.replace("{v}", v_en).replace("{high}", high[1]))  # fmt: skip


def _fill(
    spec: ScorecardSpec, feature: str, zh: str, en: str, words: dict[str, str] | None = None
) -> tuple[str, str]:
    """The template with the feature's `label` (or `words`, when given) put in, capitalised."""
    name = words or {"zh": label(spec, feature, "zh"), "en": label(spec, feature, "en")}
    text = en.format(en=name["en"])
    return zh.format(zh=name["zh"]), text[:1].upper() + text[1:]
