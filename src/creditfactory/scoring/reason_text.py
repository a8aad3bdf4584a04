"""Reason codes and advice in words a borrower reads (zh-CN and English), never column names.

A score reason names the characteristic by its spec label and says, in words, where the
applicant's value stands against the characteristic's best attainment: the value is low (the
better bins lie above it), high (they lie below), not provided (the missing bin), or in a
higher-risk group (a category or special value). The raw value, the bin interval and the points
lost stay in the technical detail (`ReasonCode.feature` / `value` / `points_lost` / `bin_label`),
which the decision record keeps for audit.

A characteristic without a label is called "一项评分因素 / a scoring factor": a column name is
never shown. Whether the borrower can change a characteristic is the spec's `is_actionable`.

Shapes: `Direction` is one of "low", "high", "missing", "group", "unknown"; texts are str.
"""

from __future__ import annotations

import math
from typing import Final, Literal

from creditfactory.scoring.spec import Bin, Characteristic, ScorecardSpec

__all__ = ["Direction", "advice_text", "direction", "label", "reason_text", "target_text"]

Direction = Literal["low", "high", "missing", "group", "unknown"]

_UNLABELLED: Final = {"zh": "一项评分因素", "en": "a scoring factor"}

_REASON: Final[dict[str, tuple[str, str]]] = {
    "low": ("{zh}偏低，影响了评分", "{en} is low, which lowered the score"),
    "high": ("{zh}偏高，影响了评分", "{en} is high, which lowered the score"),
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
    "missing": (
        "提供{zh}后可按实际情况评分",
        "providing {en} would let it be scored on the actual value",
    ),
    "group": ("{zh}的情况改善后，评分会提高", "an improvement in {en} would raise the score"),
    "unknown": ("{zh}改善后，评分会提高", "an improvement in {en} would raise the score"),
}


def label(spec: ScorecardSpec, feature: str, language: str) -> str:
    """The spec's label of `feature` in ``zh`` or ``en``; a generic phrase when it has none."""
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
    best = max((b for b in ch.bins if b.kind == "normal"), key=lambda b: b.points, default=None)
    if best is None or best is found:
        return "unknown"
    below = best.upper is not None and found.lower is not None and best.upper <= found.lower
    return "high" if below else "low"


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


def reason_text(spec: ScorecardSpec, feature: str, where: Direction) -> tuple[str, str]:
    """(zh, en) adverse-action text of a characteristic that cost points."""
    return _fill(spec, feature, *_REASON[where])


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
}  # fmt: skip


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def target_text(
    spec: ScorecardSpec, feature: str, op: str, edge: float, approvable: bool, high: str
) -> tuple[str, str]:
    """(zh, en) advice naming the value that changes the outcome: `op` "at_least" / "below" /
    "at_most" `edge`; `approvable`: the estimate has no range now and would have one, else the limit
    would rise; `high`: the limit it would reach, as text (e.g. "200,000")."""
    zh, en = _TARGET[(op, approvable)]
    v = _number(edge)
    return _fill(spec, feature, zh.replace("{v}", v).replace("{high}", high),
                 en.replace("{v}", v).replace("{high}", high))  # fmt: skip


def _fill(spec: ScorecardSpec, feature: str, zh: str, en: str) -> tuple[str, str]:
    text = en.format(en=label(spec, feature, "en"))
    return zh.format(zh=label(spec, feature, "zh")), text[:1].upper() + text[1:]
