"""Each signal rule with literal inputs: external triggers, revenue fall, internal signals, and the
warning score / level arithmetic written out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditfactory.monitoring import (
    RULEBOOK_CURRENT,
    ExternalEvent,
    MalformedEvent,
    SignalHit,
    UnknownSignalKind,
    WarningLevel,
    assess,
    parse_event,
    signal_kind,
)
from creditfactory.monitoring.internal import (
    LoanObservation,
    bucket_rolled,
    dpd_kind,
    internal_hits,
    repeated_late,
    utilisation_spike,
)
from creditfactory.monitoring.revenue import revenue_fall_kind
from creditfactory.scoring.features import Invoice
from creditfactory.servicing.classification import DPDBucket, LoanGrade

USCC = "91310115MA1K3BTP2B"  # valid per python-stdnum's list (../shared/cases/china_ids.json)
D = date(2025, 6, 30)


def ev(event_type: str, **attrs: object) -> ExternalEvent:
    return ExternalEvent("e1", "gsxt", USCC, event_type, D, attrs)


@pytest.mark.parametrize(
    ("event_type", "attrs", "kind"),
    [
        ("registration_change", {"field": "legal_representative"}, "reg_legal_rep_change"),
        ("registration_change", {"field": "shareholder"}, "reg_shareholder_change"),
        ("registration_change", {"field": "controller"}, "reg_shareholder_change"),
        ("registration_change", {"field": "registered_capital", "old": "5000000", "new": "1000000"}, "reg_capital_decrease"),
        ("registration_change", {"field": "registered_capital", "old": "1000000", "new": "5000000"}, None),
        ("registration_change", {"field": "address"}, "reg_address_change"),
        ("registration_change", {"field": "business_scope"}, "reg_scope_change"),
        ("registration_change", {"field": "status", "new": "吊销"}, "reg_status_change"),
        ("registration_change", {"field": "status", "new": "存续"}, None),
        ("abnormal_operations", {"action": "listed", "reason": "annual_report"}, "abnormal_operations_listed"),
        ("abnormal_operations", {"action": "removed"}, "abnormal_operations_removed"),
        ("serious_violation", {}, "serious_violation_listed"),
        ("administrative_penalty", {"amount": "20000"}, "administrative_penalty"),
        ("court_enforcement", {"case_no": "(2025)沪0115执1号"}, "court_judgment_debtor"),
        ("court_dishonest", {"action": "listed"}, "court_dishonest_debtor"),
        ("court_consumption_ban", {}, "court_consumption_ban"),
        ("court_equity_freeze", {}, "court_equity_freeze"),
        ("court_lawsuit", {"role": "defendant"}, "court_new_suit_defendant"),
        ("court_lawsuit", {"role": "plaintiff"}, None),
        ("tax_grade", {"grade": "B", "previous": "A"}, "tax_grade_b"),
        ("tax_grade", {"grade": "M", "previous": "B"}, "tax_grade_m"),
        ("tax_grade", {"grade": "C", "previous": "B"}, "tax_grade_c"),
        ("tax_grade", {"grade": "D", "previous": "C"}, "tax_grade_d"),
        ("tax_grade", {"grade": "B", "previous": "C"}, None),
        ("tax_grade", {"grade": "A"}, None),
        ("tax_grade", {"grade": "D"}, "tax_grade_d"),
        ("tax_arrears", {"amount": "35000"}, "tax_arrears"),
    ],
)  # fmt: skip
def test_external_triggers(event_type: str, attrs: dict[str, object], kind: str | None) -> None:
    assert signal_kind(ev(event_type, **attrs)) == kind
    if kind is not None:
        RULEBOOK_CURRENT.rule(kind)  # every trigger names a rule in the book


def test_parse_event_names_the_broken_field() -> None:
    good = {
        "event_id": "x1",
        "source": "court",
        "uscc": USCC,
        "event_type": "court_equity_freeze",
        "occurred_on": "2025-06-01",
        "attrs": {},
    }
    assert parse_event(good).occurred_on == date(2025, 6, 1)
    for field, value, rule in [
        ("uscc", "91310115MA1K3BTP2C", "GB 32100-2015 check_character"),
        ("occurred_on", "2025-13-01", "a date YYYY-MM-DD"),
        ("event_id", "", "required non-empty text"),
    ]:
        with pytest.raises(MalformedEvent) as err:
            parse_event({**good, field: value})
        assert (err.value.field, err.value.rule) == (field, rule)
    with pytest.raises(MalformedEvent, match="attrs.grade"):
        parse_event({**good, "event_type": "tax_grade", "attrs": {"grade": "E"}})


def _monthly(amounts: list[int], start: date) -> list[Invoice]:
    out = []
    for i, amount in enumerate(amounts):
        m = start.month - 1 + i
        out.append(Invoice("sales", date(start.year + m // 12, m % 12 + 1, 10), "c1", amount))
    return out


def test_revenue_fall_thresholds() -> None:
    # 12 months at 100,000 (2024-03 … 2025-02), then 3 months (2025-03 … 05) at x; as of 2025-06-30
    start = date(2024, 3, 1)
    assert revenue_fall_kind(_monthly([100_000] * 12 + [75_000] * 3, start), D) is None  # −25 %
    assert (
        revenue_fall_kind(_monthly([100_000] * 12 + [70_000] * 3, start), D)
        == "invoice_revenue_fall"
    )
    assert (
        revenue_fall_kind(_monthly([100_000] * 12 + [40_000] * 3, start), D)
        == "invoice_revenue_collapse"
    )
    # too little prior revenue to judge (≤ 10,000 a month)
    assert revenue_fall_kind(_monthly([9_000] * 12 + [0] * 3, start), D) is None
    # no history before the prior window
    assert revenue_fall_kind(_monthly([0] * 3, date(2025, 3, 1)), D) is None


def test_internal_rules() -> None:
    assert [dpd_kind(d) for d in (0, 1, 30, 31, 90, 91)] == [
        None,
        "internal_dpd_1_30",
        "internal_dpd_1_30",
        "internal_dpd_31_90",
        "internal_dpd_31_90",
        "internal_dpd_over_90",
    ]
    assert bucket_rolled(DPDBucket.DPD_1_30, DPDBucket.DPD_31_60)
    assert not bucket_rolled(DPDBucket.DPD_31_60, DPDBucket.DPD_31_60)
    assert not bucket_rolled(DPDBucket.DPD_31_60, DPDBucket.CURRENT)
    episodes = (date(2024, 6, 30), date(2024, 9, 1), date(2025, 1, 5), date(2025, 6, 30))
    assert repeated_late(episodes, D)  # 2024-06-30 is exactly 365 days back: outside; 3 remain
    assert not repeated_late(episodes[:3], D)
    assert utilisation_spike(Decimal("0.55"), Decimal("0.92"))
    assert not utilisation_spike(Decimal("0.70"), Decimal("0.95"))  # +25 points only
    assert not utilisation_spike(Decimal("0.10"), Decimal("0.85"))  # below 90 %
    obs = LoanObservation(
        "loan_1", "b1", D, 35, DPDBucket.DPD_1_30, episodes, Decimal("0.95"), Decimal("0.50")
    )
    assert sorted(h.kind for h in internal_hits(obs)) == [
        "internal_bucket_roll",
        "internal_dpd_31_90",
        "internal_repeated_late",
        "internal_utilisation_spike",
    ]


def test_score_decay_and_levels_by_hand() -> None:
    hits = [
        # tax_grade_c: 35 points, half-life 365, 365 days old → 17.5
        SignalHit("b1", "tax_grade_c", date(2024, 6, 30), "e1"),
        # administrative_penalty: 20 points, half-life 180, 90 days old → 20 / √2 = 14.142…
        SignalHit("b1", "administrative_penalty", date(2025, 4, 1), "e2"),
        # reg_address_change: 5 points today
        SignalHit("b1", "reg_address_change", D, "e3"),
        # future hit: ignored
        SignalHit("b1", "court_dishonest_debtor", date(2025, 7, 1), "e4"),
    ]
    a = assess("b1", hits, D, RULEBOOK_CURRENT)
    assert a.score == pytest.approx(17.5 + 20 / 2**0.5 + 5)  # 36.64
    # score ≥ 20 → yellow; administrative_penalty (MEDIUM) live → yellow; tax_grade_c not live
    assert a.level is WarningLevel.YELLOW
    assert [c.kind for c in a.contributors] == [
        "tax_grade_c",
        "administrative_penalty",
        "reg_address_change",
    ]
    assert a.grade_floor is LoanGrade.PASS


def test_severity_floor_and_grade_floor() -> None:
    # one 失信被执行人 hit: CRITICAL → red on its own; red → 关注, and the rule's own floor → 关注
    a = assess("b1", [SignalHit("b1", "court_dishonest_debtor", D, "e1")], D, RULEBOOK_CURRENT)
    assert (a.level, a.grade_floor) == (WarningLevel.RED, LoanGrade.SPECIAL_MENTION)
    # two HIGH hits 35 + 35 = 70 → orange by score; orange imposes no grade floor
    two = [
        SignalHit("b1", "tax_arrears", D, "e1"),
        SignalHit("b1", "abnormal_operations_listed", D, "e2"),
    ]
    a2 = assess("b1", two, D, RULEBOOK_CURRENT)
    assert (a2.score, a2.level, a2.grade_floor) == (70.0, WarningLevel.ORANGE, LoanGrade.PASS)
    # STATE signal counts only on its own day
    dpd = SignalHit("b1", "internal_dpd_31_90", date(2025, 6, 29), "loan_1", "loan_1")
    assert assess("b1", [dpd], D, RULEBOOK_CURRENT).score == 0.0
    with pytest.raises(UnknownSignalKind):
        RULEBOOK_CURRENT.rule("no_such_kind")
