"""Alert state machine (invalid transitions refused), SLA timers, the contagion rule, feeds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from creditfactory import monitoring
from creditfactory.monitoring import (
    Alert,
    AlertStatus,
    Claim,
    DispositionAction,
    DispositionIncomplete,
    InvalidAlertTransition,
    WarningLevel,
    contagion_floors,
    non_performing_share,
    target_floors,
)
from creditfactory.monitoring.feeds import decode_json_line, ingest_records
from creditfactory.servicing.classification import LoanGrade

T0 = datetime(2025, 7, 1, 1, 0, tzinfo=UTC)


def _alert(level: WarningLevel = WarningLevel.RED) -> Alert:
    return Alert.raise_for("alert_1", "b1", level, ("court_dishonest_debtor",), T0, "2025-06-30")


def test_happy_path_and_sla() -> None:
    a = _alert()
    assert (a.status, a.due_at) == (AlertStatus.OPEN, T0 + timedelta(hours=24))
    assert not a.breached(T0 + timedelta(hours=24)) and a.breached(T0 + timedelta(hours=25))
    a.assign("officer_1", "lead_1", T0 + timedelta(hours=2))
    assert a.due_at == T0 + timedelta(hours=2 + 120)
    a.assign("officer_2", "lead_1", T0 + timedelta(hours=3))  # re-assign
    a.investigate("officer_2", T0 + timedelta(hours=4))
    a.dispose((DispositionAction.FREEZE_UNDRAWN_LIMIT,), "officer_2", T0 + timedelta(days=3))
    assert a.status is AlertStatus.DISPOSED and a.due_at is None
    assert a.age_days(T0 + timedelta(days=30)) == 3
    assert [s.action for s in a.steps] == [
        "monitoring.alert_opened",
        "monitoring.alert_assigned",
        "monitoring.alert_assigned",
        "monitoring.alert_investigating",
        "monitoring.alert_disposed",
    ]


@pytest.mark.parametrize(
    "steps",
    [
        ["investigate"],  # open → investigating
        ["dispose"],  # open → disposed
        ["assign", "dismiss"],  # assigned → dismissed
        ["assign", "investigate", "assign"],  # investigating → assigned
        ["assign", "investigate", "dismiss", "assign"],  # closed stays closed
        ["assign", "investigate", "dispose", "dismiss"],
    ],
)
def test_invalid_transitions_refused(steps: list[str]) -> None:
    a = _alert()
    do = {
        "assign": lambda: a.assign("o", "l", T0),
        "investigate": lambda: a.investigate("o", T0),
        "dispose": lambda: a.dispose((DispositionAction.DOWNGRADE,), "o", T0),
        "dismiss": lambda: a.dismiss("false positive: court record of a namesake", "o", T0),
    }
    for step in steps[:-1]:
        do[step]()
    before = a.status
    with pytest.raises(InvalidAlertTransition):
        do[steps[-1]]()
    assert a.status is before


def test_disposal_needs_an_action_and_dismissal_a_reason() -> None:
    a = _alert()
    a.assign("o", "l", T0)
    a.investigate("o", T0)
    with pytest.raises(DispositionIncomplete):
        a.dispose((), "o", T0)
    with pytest.raises(DispositionIncomplete):
        a.dismiss("   ", "o", T0)
    assert a.status is AlertStatus.INVESTIGATING


def test_escalation_tightens_the_due_time() -> None:
    a = _alert(WarningLevel.ORANGE)  # assign within 72 h
    assert a.escalate(WarningLevel.RED, ("x",), T0 + timedelta(hours=10))
    assert (a.level, a.due_at) == (WarningLevel.RED, T0 + timedelta(hours=34))
    assert not a.escalate(WarningLevel.ORANGE, ("x",), T0 + timedelta(hours=11))


def test_contagion_rule() -> None:
    # 3 claims: 1,000,000 正常, 850,000 关注, 150,000 次级 → 150k / 2,000k = 7.5 % → no contagion
    claims = [
        Claim("l1", LoanGrade.PASS, Decimal("1000000")),
        Claim("l2", LoanGrade.SPECIAL_MENTION, Decimal("850000")),
        Claim("l3", LoanGrade.SUBSTANDARD, Decimal("150000")),
    ]
    assert non_performing_share(claims) == Decimal("0.075")
    assert set(contagion_floors(claims).values()) == {LoanGrade.PASS}
    # exactly 10 % is not "more than 10 %"
    at_ten = [
        Claim("l1", LoanGrade.PASS, Decimal("900")),
        Claim("l2", LoanGrade.DOUBTFUL, Decimal("100")),
    ]
    assert set(contagion_floors(at_ten).values()) == {LoanGrade.PASS}
    # 10.1 % → every claim at least 次级
    over = [
        Claim("l1", LoanGrade.PASS, Decimal("899")),
        Claim("l2", LoanGrade.LOSS, Decimal("101")),
    ]
    assert contagion_floors(over) == {"l1": LoanGrade.SUBSTANDARD, "l2": LoanGrade.SUBSTANDARD}
    # warning floors combine with the contagion floor (worst wins)
    assert target_floors(claims, {"l1": LoanGrade.SPECIAL_MENTION}) == {
        "l1": LoanGrade.SPECIAL_MENTION,
        "l2": LoanGrade.PASS,
        "l3": LoanGrade.PASS,
    }


USCC = "91310115MA1K3BTP2B"
LINE = (
    '{{"event_id": "{id}", "source": "court", "uscc": "{uscc}", "event_type": "court_equity_freeze",'
    ' "occurred_on": "{on}", "attrs": {{}}}}'
)


def test_feed_nothing_lost() -> None:
    lines = [
        LINE.format(id="e1", uscc=USCC, on="2025-06-10"),
        "{not json",
        LINE.format(id="e2", uscc="91152201078377449P", on="2025-06-10"),  # not in the book
        LINE.format(id="e1", uscc=USCC, on="2025-06-10"),  # exact duplicate: ignored
        LINE.format(id="e1", uscc=USCC, on="2025-06-11"),  # same id, other content
        LINE.format(id="e3", uscc=USCC, on="2025-06-01"),  # before e1 in the same feed
        LINE.format(id="e4", uscc=USCC, on="2025-05-31"),  # before the last scanned date
        '{"event_id": "e5", "source": "court", "uscc": "' + USCC + '", "event_type": "x"}',
        "[1, 2]",
    ]
    records = []
    for n, raw in enumerate(lines, start=1):
        try:
            records.append((n, raw, decode_json_line(raw)))
        except monitoring.MalformedEvent as exc:
            records.append((n, raw, exc))
    batch = ingest_records(records, {USCC: "b1"}, {}, scanned_through=date(2025, 5, 31))
    assert batch.lines == len(lines)
    assert [a.event.event_id for a in batch.accepted] == ["e1", "e3", "e4"]
    assert batch.duplicates == [4]
    assert [(r.line_no, r.reason) for r in batch.rejects] == [
        (2, "malformed"),
        (3, "unknown_borrower"),
        (5, "conflicting_duplicate"),
        (8, "malformed"),
        (9, "malformed"),
    ]
    assert "event_type" in batch.rejects[3].detail
    assert [a.line_no for a in batch.out_of_order] == [6, 7]


def test_public_surface_pinned() -> None:
    assert monitoring.__all__ == sorted(monitoring.__all__, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(monitoring, name) for name in monitoring.__all__)
