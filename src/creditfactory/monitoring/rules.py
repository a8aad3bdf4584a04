"""Signal rules as versioned data: what each signal weighs, how severe it is and how fast it fades.

A signal is one observation about a borrower (or one of its loans) — an external record, a fund
flow, an internal behaviour. Its rule gives:

- `severity`: the least warning level the borrower is at while the signal is live (LOW sets none);
- `weight`: points added to the warning score on the day it happens;
- `half_life_days`: the points halve every half-life (exponential decay); the signal is *live*
  for one half-life after its latest hit;
- `mode`: EVENT signals accumulate and decay; STATE signals (DPD) count in full while the condition
  holds and vanish when it clears;
- `grade_floor`: an optional five-category floor while live (e.g. funds to real estate → 关注,
  DOMAIN.md §1 "loan used for an unapproved purpose");
- `ends`: the kinds this signal *ends* (version `ews-2025.2`): a removal from a list (移出经营异常名录,
  失信 removal, 限高 lifted) cancels the listing hits of that borrower observed on or before the
  removal — they stop scoring and stop being live at once instead of fading with their half-life.
  An END rule has weight 0 and LOW severity; it is not listed among the contributors.

Warning levels come from the score thresholds and the severity floors (`RuleBook.level`).
Sources for which records matter: DOMAIN.md §5.1–5.3; weights and half-lives are this bank's
calibration (version `ews-2025.1`), not regulation — change them by issuing a new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Final

from creditfactory.monitoring.errors import UnknownSignalKind
from creditfactory.servicing.classification import LoanGrade

__all__ = [
    "RULEBOOK_2025",
    "RULEBOOK_2025_2",
    "RULEBOOK_CURRENT",
    "RuleBook",
    "Severity",
    "SignalFamily",
    "SignalMode",
    "SignalRule",
    "WarningLevel",
]


class SignalFamily(str, Enum):
    """Families used for reporting (hit rates, precision / recall)."""

    REGISTRATION = "registration"  # 工商变更
    PUBLIC_LISTS = "public_lists"  # 经营异常名录, 严重违法失信, 行政处罚
    COURT = "court"  # 被执行人, 失信被执行人, 限高, 股权冻结, 被诉
    TAX = "tax"  # 纳税信用等级, 欠税
    INVOICE = "invoice"  # fall in invoiced revenue
    FUND_FLOW = "fund_flow"  # use of funds, round trips, rapid in-and-out, 受托支付
    INTERNAL = "internal"  # DPD, bucket roll, repeated late payment, utilisation


class Severity(str, Enum):
    """How bad one signal is on its own."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class SignalMode(str, Enum):
    """EVENT: decayed accumulation of hits; STATE: full weight while the condition holds."""

    EVENT = "event"
    STATE = "state"


class WarningLevel(str, Enum):
    """green < yellow < orange < red."""

    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 for green … 3 for red."""
        return list(WarningLevel).index(self)

    def worst(self, other: WarningLevel) -> WarningLevel:
        """The worse of two levels."""
        return self if self.rank >= other.rank else other


SEVERITY_FLOOR: Final = {
    Severity.LOW: WarningLevel.GREEN,
    Severity.MEDIUM: WarningLevel.YELLOW,
    Severity.HIGH: WarningLevel.ORANGE,
    Severity.CRITICAL: WarningLevel.RED,
}


@dataclass(frozen=True)
class SignalRule:
    """One signal kind: trigger (in words, the code lives in events / fundflow / internal),
    family, severity, weight (points), half-life (days), mode and optional grade floor."""

    kind: str
    family: SignalFamily
    trigger: str
    severity: Severity
    weight: int
    half_life_days: int
    mode: SignalMode = SignalMode.EVENT
    grade_floor: LoanGrade | None = None
    ends: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleBook:
    """A versioned set of rules plus the score thresholds and level → grade floors."""

    version: str
    effective_date: date
    rules: tuple[SignalRule, ...]
    thresholds: tuple[tuple[int, WarningLevel], ...] = (
        (20, WarningLevel.YELLOW),
        (45, WarningLevel.ORANGE),
        (80, WarningLevel.RED),
    )
    level_grade_floors: tuple[tuple[WarningLevel, LoanGrade], ...] = (
        (WarningLevel.RED, LoanGrade.SPECIAL_MENTION),
    )
    _by_kind: dict[str, SignalRule] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_kind.update({r.kind: r for r in self.rules})

    def rule(self, kind: str) -> SignalRule:
        """The rule for `kind`; raises UnknownSignalKind."""
        try:
            return self._by_kind[kind]
        except KeyError:
            raise UnknownSignalKind(
                f"signal kind {kind!r} is not in rule book {self.version}"
            ) from None

    def enders(self) -> dict[str, tuple[str, ...]]:
        """Ended kind → the END kinds that cancel it (empty for books without END rules)."""
        out: dict[str, list[str]] = {}
        for r in self.rules:
            for ended in r.ends:
                out.setdefault(ended, []).append(r.kind)
        return {k: tuple(v) for k, v in out.items()}

    def score_level(self, score: float) -> WarningLevel:
        """The level a warning score alone reaches."""
        level = WarningLevel.GREEN
        for minimum, candidate in self.thresholds:
            if score >= minimum:
                level = candidate
        return level

    def level(self, score: float, live_severities: list[Severity]) -> WarningLevel:
        """The warning level: the worst of the score level and each live signal's floor."""
        level = self.score_level(score)
        for severity in live_severities:
            level = level.worst(SEVERITY_FLOOR[severity])
        return level

    def grade_floor(self, level: WarningLevel) -> LoanGrade:
        """The five-category floor a warning level imposes (PASS when none)."""
        for at_least, grade in self.level_grade_floors:
            if level.rank >= at_least.rank:
                return grade
        return LoanGrade.PASS


def _r(
    kind: str,
    family: SignalFamily,
    trigger: str,
    severity: Severity,
    weight: int,
    half_life_days: int,
    mode: SignalMode = SignalMode.EVENT,
    grade_floor: LoanGrade | None = None,
) -> SignalRule:
    return SignalRule(kind, family, trigger, severity, weight, half_life_days, mode, grade_floor)


_F = SignalFamily
_S = Severity
_SM = LoanGrade.SPECIAL_MENTION

RULEBOOK_2025: Final = RuleBook(
    version="ews-2025.1",
    effective_date=date(2025, 1, 1),
    rules=(
        _r("reg_legal_rep_change", _F.REGISTRATION, "法定代表人 changed", _S.MEDIUM, 15, 180),
        _r("reg_shareholder_change", _F.REGISTRATION, "股东 / 实际控制人 changed", _S.MEDIUM, 15, 180),
        _r("reg_capital_decrease", _F.REGISTRATION, "注册资本 decreased", _S.HIGH, 30, 180),
        _r("reg_address_change", _F.REGISTRATION, "住所 changed", _S.LOW, 5, 90),
        _r("reg_scope_change", _F.REGISTRATION, "经营范围 changed", _S.LOW, 5, 90),
        _r("reg_status_change", _F.REGISTRATION, "登记状态 吊销 / 注销 / 停业 / 清算", _S.CRITICAL, 80, 365),
        _r("abnormal_operations_listed", _F.PUBLIC_LISTS, "listed in 经营异常名录", _S.HIGH, 35, 365),
        _r("serious_violation_listed", _F.PUBLIC_LISTS, "listed in 严重违法失信名单", _S.CRITICAL, 90, 730),
        _r("administrative_penalty", _F.PUBLIC_LISTS, "行政处罚 published (普通程序)", _S.MEDIUM, 20, 180),
        _r("court_judgment_debtor", _F.COURT, "named 被执行人", _S.HIGH, 40, 365),
        _r("court_dishonest_debtor", _F.COURT, "named 失信被执行人", _S.CRITICAL, 90, 730, grade_floor=_SM),
        _r("court_consumption_ban", _F.COURT, "限制高消费 order", _S.HIGH, 50, 365),
        _r("court_equity_freeze", _F.COURT, "股权冻结 (司法协助)", _S.HIGH, 50, 365),
        _r("court_new_suit_defendant", _F.COURT, "new suit with the borrower as defendant", _S.MEDIUM, 15, 180),
        _r("tax_grade_b", _F.TAX, "纳税信用 A → B", _S.LOW, 5, 365),
        _r("tax_grade_m", _F.TAX, "纳税信用 A/B → M (no operating revenue)", _S.MEDIUM, 20, 365),
        _r("tax_grade_c", _F.TAX, "纳税信用 down to C", _S.HIGH, 35, 365),
        _r("tax_grade_d", _F.TAX, "纳税信用 down to D", _S.CRITICAL, 70, 365),
        _r("tax_arrears", _F.TAX, "欠税公告", _S.HIGH, 35, 365),
        _r("invoice_revenue_fall", _F.INVOICE, "3-month mean sales ≥ 30 % below the prior 12 months", _S.LOW, 10, 90),
        _r("invoice_revenue_collapse", _F.INVOICE, "3-month mean sales ≥ 60 % below the prior 12 months", _S.MEDIUM, 30, 90),
        _r("fund_real_estate", _F.FUND_FLOW, "loan funds to a real-estate developer", _S.HIGH, 50, 365, grade_floor=_SM),
        _r("fund_securities", _F.FUND_FLOW, "loan funds to a securities / futures account", _S.HIGH, 50, 365, grade_floor=_SM),
        _r("fund_other_lender", _F.FUND_FLOW, "loan funds to another lender (借新还旧?)", _S.MEDIUM, 25, 180),
        _r("fund_round_trip", _F.FUND_FLOW, "loan funds back to borrower / controller / related party within N days", _S.CRITICAL, 80, 365, grade_floor=_SM),
        _r("fund_rapid_in_out", _F.FUND_FLOW, "≥ 90 % of a disbursement out within 1 day, not to the contract payee", _S.MEDIUM, 25, 180),
        _r("fund_entrusted_diverted", _F.FUND_FLOW, "受托支付 did not reach the contract counterparty", _S.HIGH, 50, 365, grade_floor=_SM),
        _r("internal_dpd_1_30", _F.INTERNAL, "1–30 days past due", _S.LOW, 20, 1, SignalMode.STATE),
        _r("internal_dpd_31_90", _F.INTERNAL, "31–90 days past due", _S.HIGH, 45, 1, SignalMode.STATE),
        _r("internal_dpd_over_90", _F.INTERNAL, "> 90 days past due", _S.CRITICAL, 90, 1, SignalMode.STATE),
        _r("internal_bucket_roll", _F.INTERNAL, "an overdue loan rolled to a worse DPD bucket", _S.MEDIUM, 20, 90),
        _r("internal_repeated_late", _F.INTERNAL, "≥ 3 late episodes within 12 months", _S.MEDIUM, 25, 180),
        _r("internal_utilisation_spike", _F.INTERNAL, "facility utilisation up ≥ 30 points to ≥ 90 %", _S.LOW, 15, 60),
    ),
)  # fmt: skip
"""The rule book in force (docs/monitoring.md lists it as a table)."""


def _end(kind: str, family: SignalFamily, trigger: str, ends: str) -> SignalRule:
    return SignalRule(kind, family, trigger, Severity.LOW, 0, 730, SignalMode.EVENT, None, (ends,))


RULEBOOK_2025_2: Final = RuleBook(
    version="ews-2025.2",
    effective_date=date(2025, 7, 1),
    rules=(
        *RULEBOOK_2025.rules,
        _end("abnormal_operations_removed", _F.PUBLIC_LISTS, "移出经营异常名录", "abnormal_operations_listed"),
        _end("serious_violation_removed", _F.PUBLIC_LISTS, "移出严重违法失信名单 (信用修复)", "serious_violation_listed"),
        _end("court_dishonest_removed", _F.COURT, "失信被执行人 record removed (屏蔽 / 删除)", "court_dishonest_debtor"),
        _end("court_consumption_ban_lifted", _F.COURT, "限制高消费 lifted (解除限高)", "court_consumption_ban"),
    ),
)  # fmt: skip
"""`ews-2025.1` plus END rules: a removal from a list ends the listing signal."""

RULEBOOK_CURRENT: Final = RULEBOOK_2025_2
"""The rule book in force (docs/monitoring.md lists it as a table)."""
