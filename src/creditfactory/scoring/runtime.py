"""Runtime scorer: score one applicant from a `ScorecardSpec`, in plain Python.

This is what the decision flow calls; it imports no numpy, scikit-learn, optbinning or LightGBM,
and reproduces training-time scores exactly (tests compare both on German credit and CUMCM specs).

Feature values are ``float | int | str | None``. ``None``, NaN and the empty string are missing;
numeric features accept numeric text. Categories are compared by `category_key` (case and runs of
whitespace ignored: "BBCN BANK " is "bbcn bank" is "BBCN BANK"). Keys the spec does not use are
ignored.

Reason codes name the characteristics that lost the most points against their best attainment
(best bin for scorecards, best end of the training range for raw logistic terms, zero contribution
for trees). Their texts are words (`reason_text`: the label and where the value stands, never a
column name or a bin interval); the value, the bin and the points lost are the technical detail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from creditfactory.scoring.errors import FeatureValueInvalid
from creditfactory.scoring.reason_text import Direction, direction, reason_text
from creditfactory.scoring.spec import Bin, Characteristic, LinearTerm, ScorecardSpec

FeatureValue = float | int | str | None
DEFAULT_MAX_REASONS = 4


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """A characteristic that cost points: `points_lost` ≥ 0 against its best attainment.

    text_zh / text_en: the borrower's words. direction: where the value stands ("low", "high",
    "missing", "group", "unknown"). bin_label: the scorecard bin (technical detail), else None.
    """

    feature: str
    value: FeatureValue
    points_lost: float
    text_zh: str
    text_en: str
    direction: Direction = "unknown"
    bin_label: str | None = None

    def detail(self) -> dict[str, Any]:
        """The technical detail kept in the decision record (not borrower text)."""
        return {"feature": self.feature, "value": self.value, "bin": self.bin_label,
                "points_lost": round(self.points_lost, 4)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Score (points), PDs (fractions), master-scale grade and reasons.

    `pd_horizon` is the calibrated PD over the model's horizon (违约概率期限, `horizon_months`
    months — the spec's `PDHorizon`; the development sample's loan life for a life-of-loan model); `pd_12m` is always
    a 12-month PD (constant-hazard conversion of `pd_horizon`), what the grade, limit, price and
    expected loss use.
    """

    model_id: str
    score: float
    pd_12m: float
    grade: str
    reasons: tuple[ReasonCode, ...]
    pd_horizon: float
    horizon_months: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``pd`` repeats ``pd_12m`` for the CLI contract)."""
        return {
            "model_id": self.model_id,
            "score": self.score,
            "pd": self.pd_12m,
            "pd_12m": self.pd_12m,
            "pd_horizon": self.pd_horizon,
            "horizon_months": self.horizon_months,
            "grade": self.grade,
            "reasons": [
                {
                    "feature": r.feature,
                    "value": r.value,
                    "points_lost": r.points_lost,
                    "zh": r.text_zh,
                    "en": r.text_en,
                }
                for r in self.reasons
            ],
        }


def score(
    spec: ScorecardSpec,
    features: Mapping[str, FeatureValue],
    max_reasons: int = DEFAULT_MAX_REASONS,
) -> ScoreResult:
    """Score one applicant.

    Args:
        spec: a loaded spec (`creditfactory.scoring.spec.load_spec`).
        features: feature name → value; every feature of the spec must be a key.
        max_reasons: how many reason codes to return at most.

    Raises:
        FeatureValueInvalid: a feature is absent, or not numeric where numeric is required.
    """
    for name in spec.features:
        if name not in features:
            raise FeatureValueInvalid(name, "missing from the input")
    if spec.model_type == "scorecard":
        points, losses = _scorecard(spec, features)
    elif spec.model_type == "logistic":
        points, losses = _logistic(spec, features)
    else:
        points, losses = _trees(spec, features)
    pd_horizon = spec.calibration.pd(points)
    pd_12m = spec.pd_horizon.to_12m(pd_horizon)
    ranked = sorted((x for x in losses if x[1] > 0), key=lambda x: (-x[1], x[0]))[:max_reasons]
    reasons = tuple(_reason(spec, name, features[name], lost) for name, lost in ranked)
    grade = spec.master_scale.grade_for(pd_12m).code
    horizon = spec.pd_horizon.window_months
    return ScoreResult(spec.model_id, points, pd_12m, grade, reasons, pd_horizon, horizon)


def _reason(spec: ScorecardSpec, name: str, value: FeatureValue, lost: float) -> ReasonCode:
    ch = next((c for c in spec.characteristics if c.feature == name), None)
    found = None if ch is None else find_bin(ch, value)
    where = direction(spec, name, value, found)
    zh, en = reason_text(spec, name, where, value)
    label = None if found is None else found.label
    return ReasonCode(name, value, lost, zh, en, where, label)


def _scorecard(
    spec: ScorecardSpec, features: Mapping[str, FeatureValue]
) -> tuple[float, list[tuple[str, float]]]:
    total = spec.base_points
    losses: list[tuple[str, float]] = []
    for ch in spec.characteristics:
        pts = _characteristic_points(ch, features[ch.feature])
        total += pts
        losses.append((ch.feature, ch.best_points - pts))
    return total, losses


def _characteristic_points(ch: Characteristic, value: FeatureValue) -> float:
    found = find_bin(ch, value)
    return ch.unknown_points if found is None else found.points


def category_key(value: object) -> str:
    """The form a category is compared in, in scoring and in intake validation alike: its text
    with runs of whitespace collapsed to one space, trimmed, casefolded."""
    return " ".join(str(value).split()).casefold()


def known_categories(ch: Characteristic) -> frozenset[str]:
    """The `category_key`s of every category and special value a categorical `ch` has a bin for
    (empty for a numerical one)."""
    if ch.dtype != "categorical":
        return frozenset()
    return frozenset(category_key(v) for b in ch.bins for v in (*b.categories, *b.special_values))


def real_answer_bins(ch: Characteristic) -> list[Bin]:
    """The normal bins of `ch` that hold a real answer: every numeric bin, and each categorical
    bin with a category outside `Characteristic.no_answer` ("no answer" in the training data)."""
    return [
        b for b in ch.bins
        if b.kind == "normal" and (not b.categories or set(b.categories) - set(ch.no_answer))
    ]  # fmt: skip


def gaining_no_answers(ch: Characteristic) -> frozenset[str | None]:
    """The "no answers" of `ch` that would score more points than its worst real answer
    (`real_answer_bins`) — what an applicant could gain by not answering: None (declared unknown,
    scored on the Missing bin; also when `ch` has no Missing bin) and the `category_key` of each
    `Characteristic.no_answer` category whose bin scores more. Intake refuses these
    (`origination.declared`); the rest are accepted, as they can gain nothing."""
    worst = min((b.points for b in real_answer_bins(ch)), default=0.0)
    missing = next((b for b in ch.bins if b.kind == "missing"), None)
    gains: set[str | None] = set() if missing is not None and missing.points <= worst else {None}
    for category in ch.no_answer:
        found = find_bin(ch, category)
        if (ch.unknown_points if found is None else found.points) > worst:
            gains.add(category_key(category))
    return frozenset(gains)


def worst_value(spec: ScorecardSpec, feature: str) -> FeatureValue:
    """A value of `feature` that scores the fewest points it can: a scorecard's worst normal bin
    (its first category, its lower edge, or one below its upper edge when open below); a raw
    logistic term's bad end of the training range; None (missing) for a tree model. Used where a
    declaration may not stand in for data the applicant withheld."""
    for ch in spec.characteristics:
        if ch.feature == feature:
            worst = min(real_answer_bins(ch), key=lambda b: b.points)
            real = [c for c in worst.categories if c not in ch.no_answer]
            if real:
                return real[0]
            if worst.lower is not None:
                return worst.lower
            return 0.0 if worst.upper is None else worst.upper - 1
    for term in spec.linear_terms:
        if term.feature == feature:
            return term.worst
    return None


def find_bin(ch: Characteristic, value: FeatureValue) -> Bin | None:
    """The bin `value` falls in: missing, special, then normal bins; None for unseen categories."""
    if _is_missing(value):
        return next((b for b in ch.bins if b.kind == "missing"), None)
    if ch.dtype == "categorical":
        key = category_key(value)
        for b in ch.bins:
            if b.kind == "special" and key in {category_key(v) for v in b.special_values}:
                return b
        return next(
            (b for b in ch.bins
             if b.kind == "normal" and key in {category_key(c) for c in b.categories}),
            None,
        )  # fmt: skip
    x = _numeric(ch.feature, value)
    for b in ch.bins:
        if b.kind == "special" and any(_same_number(x, v) for v in b.special_values):
            return b
    for b in ch.bins:
        if b.kind == "normal" and (b.lower is None or x >= b.lower):
            if b.upper is None or x < b.upper:
                return b
    return None


def _same_number(x: float, v: float | str) -> bool:
    try:
        return x == float(v)
    except ValueError:
        return False


def _logistic(
    spec: ScorecardSpec, features: Mapping[str, FeatureValue]
) -> tuple[float, list[tuple[str, float]]]:
    factor = spec.scaling.factor
    log_odds = spec.intercept
    losses: list[tuple[str, float]] = []
    for term in spec.linear_terms:
        x = term_value(term, features[term.feature])
        log_odds += term.coefficient * x
        best = min(term.coefficient * term.lower, term.coefficient * term.upper)
        losses.append((term.feature, factor * (term.coefficient * x - best)))
    return spec.scaling.score_from_log_odds_bad(log_odds), losses


def term_value(term: LinearTerm, value: FeatureValue) -> float:
    """The value a raw logistic term is evaluated at: as given, or for a bounded term capped and
    floored at the training range, a missing value at the worse end (`LinearTerm`)."""
    if _is_missing(value):
        if not term.bounded:
            raise FeatureValueInvalid(term.feature, "required by a raw logistic model")
        return term.worst
    x = _numeric(term.feature, value)
    return min(max(x, term.lower), term.upper) if term.bounded else x


def _trees(
    spec: ScorecardSpec, features: Mapping[str, FeatureValue]
) -> tuple[float, list[tuple[str, float]]]:
    if spec.trees is None:
        raise FeatureValueInvalid("trees", "a lightgbm spec needs trees")
    names = spec.trees.feature_names
    row = [math.nan if _is_missing(features[n]) else _numeric(n, features[n]) for n in names]
    contributions = [0.0] * len(names)
    raw = 0.0
    for tree in spec.trees.trees:
        raw += _walk(tree, row, contributions)
    factor = spec.scaling.factor
    losses = [(n, factor * c) for n, c in zip(names, contributions, strict=True)]
    return spec.scaling.score_from_log_odds_bad(raw), losses


def _walk(node: Mapping[str, Any], row: list[float], contributions: list[float]) -> float:
    """LightGBM's numerical decision, plus Saabas path contributions (child − parent value)."""
    while "leaf" not in node:
        feature = int(node["f"])
        x = row[feature]
        missing_type = node["mt"]
        if math.isnan(x) and missing_type != "NaN":
            x = 0.0
        if (missing_type == "Zero" and abs(x) <= 1e-35) or (
            missing_type == "NaN" and math.isnan(x)
        ):
            child = node["l"] if node["dl"] else node["r"]
        else:
            child = node["l"] if x <= float(node["t"]) else node["r"]
        child_value = float(child["leaf"]) if "leaf" in child else float(child["v"])
        contributions[feature] += child_value - float(node["v"])
        node = child
    return float(node["leaf"])


def _is_missing(value: FeatureValue) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip() == ""


def _numeric(feature: str, value: FeatureValue) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError as exc:
        raise FeatureValueInvalid(feature, f"not numeric ({value!r})") from exc
