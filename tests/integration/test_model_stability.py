"""Live model stability on SQLite and PostgreSQL: decisions made through the real flow, read back
by `SqlDecisionHistory`, compared with the spec's development sample; the model-level alert is
raised once per (business date, spec) with its audit leaf. Feature names and bins come from the
current tests/e2e/sba_spec.json (tests/stability_samples.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy
import pytest
from sqlalchemy import Engine, select

from creditfactory.adapters.api.main import keep_serving_spec
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.monitoring_store import MonitoringSqlUnitOfWork
from creditfactory.adapters.storage.monitoring_tables import monitoring_alerts
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.adapters.storage.stability_store import SqlDecisionHistory
from creditfactory.kernel.clock import FixedClock
from creditfactory.monitoring.alerts import model_subject
from creditfactory.origination.loan_terms import request_categories
from creditfactory.scoring.spec import dump_spec, load_spec
from creditfactory.scoring.stability import MIN_DECISIONS, StabilityStatus
from creditfactory.service_layer.model_stability import (
    check_model_stability,
    raise_stability_alerts,
)
from tests.sba_applicants import with_revolving_line
from tests.stability_samples import (
    current_spec,
    deps_at,
    drifted,
    submit,
    undrifted,
    with_reference,
)


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def _at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_drifted_decisions_act_and_alert_once(engine: Engine) -> None:
    """Every applicant in each characteristic's rarest development bin: every CSI acts; one red
    alert for the (date, spec), not repeated by a second run of the date or by the next day."""
    day = date(2025, 4, 17)
    # the served spec plus the 2026-12-07 RevLineCr: a request-set field with one served value
    spec = with_reference(with_revolving_line(current_spec()), numpy.random.default_rng(7))
    deps = deps_at(engine, spec, _at(day))
    keep_serving_spec(deps)
    submit(deps, drifted(spec, MIN_DECISIONS))
    history = SqlDecisionHistory(engine)
    check = check_model_stability(history, day)
    assert check.status is StabilityStatus.ACT and check.acts
    (served,) = check.windows
    assert served.spec_digest == deps.spec_digest and served.stability.decisions == MIN_DECISIONS
    assert [c.name for c in served.stability.characteristics] == [
        c.feature for c in spec.characteristics
    ]
    # RevLineCr is N on every served request (term loans only): one value, nothing to drift
    one = {f for f, values in request_categories(spec.features).items() if len(values) == 1}
    statuses = {c.name: c.status for c in served.stability.characteristics}
    assert {statuses[f] for f in one} == {StabilityStatus.STABLE}
    assert {s for f, s in statuses.items() if f not in one} == {StabilityStatus.ACT}
    clock = FixedClock(_at(day, 20))
    make = lambda: MonitoringSqlUnitOfWork(engine, clock)  # noqa: E731
    first = raise_stability_alerts(make, clock, check)
    assert [(a.outcome, a.level.value) for a in first.alerts] == [("opened", "red")]
    again = raise_stability_alerts(make, clock, check_model_stability(history, day))
    assert [a.outcome for a in again.alerts] == ["unchanged"]
    later = check_model_stability(history, day + timedelta(days=1))
    assert [a.outcome for a in raise_stability_alerts(make, clock, later).alerts] == ["unchanged"]
    subject = model_subject(deps.spec_digest)
    with engine.connect() as db:
        rows = db.execute(
            select(monitoring_alerts).where(monitoring_alerts.c.borrower_id == subject)
        ).all()
        leaf = db.execute(
            select(audit_entries.c.action, audit_entries.c.payload).where(
                audit_entries.c.subject == first.alerts[0].alert_id
            )
        ).all()
    assert len(rows) == 1 and rows[0].level == "red"
    assert [r.action for r in leaf] == ["monitoring.alert_opened"]
    payload = json.loads(leaf[0].payload)
    assert payload["spec_digest"] == deps.spec_digest and payload["decisions"] == MIN_DECISIONS
    assert set(payload["csi"]) == set(spec.features) and payload["status"] == "act"


def test_undrifted_decisions_are_stable_and_raise_nothing(engine: Engine) -> None:
    day = date(2025, 5, 9)
    rng = numpy.random.default_rng(11)
    spec = with_reference(current_spec(), rng)
    deps = deps_at(engine, spec, _at(day))
    keep_serving_spec(deps)
    submit(deps, undrifted(spec, MIN_DECISIONS + 50, rng))
    check = check_model_stability(SqlDecisionHistory(engine), day, window_days=1)
    (served,) = check.windows
    assert served.stability.score.status is StabilityStatus.STABLE, served.as_dict()["score_psi"]
    assert check.status is StabilityStatus.STABLE, served.as_dict()
    clock = FixedClock(_at(day, 20))
    raised = raise_stability_alerts(lambda: MonitoringSqlUnitOfWork(engine, clock), clock, check)
    assert raised.alerts == ()


def test_specs_are_compared_with_their_own_sample_and_the_served_one_comes_first(
    engine: Engine,
) -> None:
    """A spec replaced inside the window is reported beside the served one; the served spec's
    few decisions read "insufficient", never a noisy PSI; a window before them sees none."""
    day = date(2025, 6, 12)
    rng = numpy.random.default_rng(5)
    new = with_reference(current_spec(), rng)
    kept = {k: v for k, v in new.training.items() if k != "score_distribution"}
    old = load_spec(dump_spec(replace(new, training=kept)))  # trained before the record
    early = deps_at(engine, old, _at(day - timedelta(days=3)))
    keep_serving_spec(early)
    submit(early, undrifted(old, MIN_DECISIONS, rng))
    late = deps_at(engine, new, _at(day))
    keep_serving_spec(late)
    submit(late, undrifted(new, 20, rng))
    check = check_model_stability(SqlDecisionHistory(engine), day, window_days=7)
    assert [w.spec_digest for w in check.windows] == [late.spec_digest, early.spec_digest]
    served, earlier = check.windows
    assert served.status is StabilityStatus.INSUFFICIENT and served.stability.score.value is None
    assert earlier.stability.decisions == MIN_DECISIONS
    assert {c.status for c in earlier.stability.characteristics} == {StabilityStatus.STABLE}
    assert earlier.stability.score.status is StabilityStatus.NO_REFERENCE
    assert earlier.status is StabilityStatus.NO_REFERENCE
    out = check.as_dict()
    assert out["spec_digest"] == late.spec_digest and out["score_psi"] is None
    assert out["other_specs"][0]["spec_digest"] == early.spec_digest
    none = check_model_stability(SqlDecisionHistory(engine), day - timedelta(days=4), 1)
    assert none.windows == () and none.status is StabilityStatus.INSUFFICIENT
    assert none.as_dict()["characteristics"] == [] and not none.acts
