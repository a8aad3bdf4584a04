"""Decision replay and tamper detection on SQLite and PostgreSQL: a submitted application's
decision replays identically from its stored inputs; editing the decision row directly in the
database is named by `verify_log` with the row digesters (what `audit verify` runs)."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import DBAPIError

from creditfactory.adapters.api.main import keep_serving_spec
from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.decisioning_tables import decisions
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.audit import verify_log
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.kernel.money import Money
from creditfactory.origination.application import demo_uscc
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.scoring import load_spec
from creditfactory.service_layer.decision_replay import replay_decision
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.origination_flow import SubmitApplication, submit_application
from tests.lpr_fixture import current_series
from tests.sba_applicants import GOOD

SPEC_TEXT = (Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def _deps(engine: Engine) -> FactoryDeps:
    clock = SystemClock()
    return FactoryDeps(uow=lambda: FactoryUnitOfWork(engine, clock), spec=load_spec(SPEC_TEXT),
                       spec_digest=json.loads(SPEC_TEXT)["sha256"], clock=clock, ids=RandomIds(),
                       lpr_series=current_series())  # fmt: skip


def _submit(deps: FactoryDeps, uscc: str = "91350100M000100Y43") -> dict[str, Any]:
    cmd = SubmitApplication(channel_id="ch", idempotency_key=RandomIds().new("k"),
                            applicant_type="enterprise", name="测试", amount="300000",
                            term_months=12, uscc=uscc, declared=GOOD)  # fmt: skip
    return submit_application(deps, cmd)


def test_replay_is_identical_and_an_edit_is_named(engine: Engine) -> None:
    deps = _deps(engine)
    keep_serving_spec(deps)
    view = _submit(deps)
    decision_id = view["decision"]["decision_id"]
    with deps.uow() as uow:
        result = replay_decision(uow, decision_id)
    assert result.identical, result.differences
    with pytest.raises(DBAPIError), engine.begin() as db:  # the database refuses the edit
        db.execute(
            update(decisions).where(decisions.c.decision_id == decision_id).values(outcome="x")
        )
    _guard(engine, drop=True)  # an insider with DDL rights drops the guard first
    with engine.begin() as db:  # and edits the stored outcome and record
        row = db.execute(decisions.select().where(decisions.c.decision_id == decision_id)).one()
        record = json.loads(row.record)
        record["limit"] = "2999000"
        db.execute(update(decisions).where(decisions.c.decision_id == decision_id)
                   .values(record=json.dumps(record, sort_keys=True)))  # fmt: skip
    with engine.connect() as db:
        store = SqlAuditStore(db)
        report = verify_log(store, digesters=row_digesters(db))
    named = [f for f in report.findings if decision_id in f.detail]
    assert named and named[0].kind == "row_edited"
    with deps.uow() as uow:
        assert not replay_decision(uow, decision_id).identical
    with engine.begin() as db:  # put it back so later tests on this database stay clean
        db.execute(update(decisions).where(decisions.c.decision_id == decision_id)
                   .values(record=row.record))  # fmt: skip
    _guard(engine, drop=False)


def _guard(engine: Engine, drop: bool) -> None:
    """Drop or recreate the decisions table's append-only trigger (migration 0006)."""
    with engine.begin() as db:
        if engine.dialect.name == "sqlite":
            for verb in ("update", "delete"):
                db.execute(text(f"DROP TRIGGER IF EXISTS decisions_append_only_{verb}"))
                if not drop:
                    db.execute(text(
                        f"CREATE TRIGGER decisions_append_only_{verb} BEFORE {verb.upper()} ON decisions "
                        "BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END"))  # fmt: skip
        else:
            db.execute(text("DROP TRIGGER IF EXISTS decisions_append_only ON decisions"))
            if not drop:
                db.execute(text(
                    "CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions "
                    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"))  # fmt: skip


class _StaleReader(FactoryUnitOfWork):
    """A read-only unit of work that read the borrower before their first loan committed."""

    def __enter__(self) -> FactoryUnitOfWork:
        super().__enter__()
        self.applications.exposure = lambda subject_id, at: Money.zero()  # type: ignore[method-assign]
        return self


def test_a_decision_made_before_the_write_is_made_again_when_the_exposure_moved(
    engine: Engine,
) -> None:
    """`FactoryDeps.read`: the flow decides on the exposure read before its write transaction
    and decides again inside it when the borrower's exposure differs there (another of their
    loans committed in between); the stored decision is the second one and replays."""
    clock = SystemClock()
    deps = replace(_deps(engine), read=lambda: _StaleReader(engine, clock, writer=False))
    keep_serving_spec(deps)
    uscc = demo_uscc(secrets.randbelow(10**7))
    first = _submit(deps, uscc)
    assert first["status"] == "disbursed"
    second = _submit(deps, uscc)
    decision_id = second["decision"]["decision_id"]
    with deps.uow() as uow:
        stored = uow.decision_inputs.get(decision_id)
        assert stored is not None
        assert stored[1]["limit"]["existing_exposure"] == first["offer"]["amount"]
        assert replay_decision(uow, decision_id).identical


def test_a_stale_lpr_refers_and_the_referral_replays(engine: Engine) -> None:
    """Service level (issue 12): priced on a series that ended at 2025-09-22 (current until
    2025-10-23), an application today is referred for R08, never disbursed; the record names the
    fixing, and the replay reads the fixings stored with the inputs, not today's series."""
    shipped = current_series()
    old = LPRSeries("lpr-test-2025-09-22", tuple(f for f in shipped.fixings
                                                 if f.effective_date <= date(2025, 9, 22)))  # fmt: skip
    deps = replace(_deps(engine), lpr_series=old)
    keep_serving_spec(deps)
    view = _submit(deps, demo_uscc(secrets.randbelow(10**7)))
    assert view["status"] == "referred" and view["loan_id"] is None
    assert [r["code"] for r in view["decision"]["reasons"]][0] == "R08"
    with deps.uow() as uow:
        record = uow.applications.decisions_of(view["application_id"])[-1]
        result = replay_decision(uow, view["decision"]["decision_id"])
    assert record["lpr"]["fixing_date"] == "2025-09-22"
    assert record["lpr"]["series_version"] == "lpr-test-2025-09-22"
    assert record["lpr"]["current_until"] == "2025-10-23" and record["lpr"]["stale"] is True
    assert result.identical, result.differences


def test_a_decision_from_before_v4_replays_with_its_requested_term_conversion(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decisions made under credit-policy-2026.1 (and 2024.1) converted a life-of-loan PD to 12
    months over the requested term; since 2026.2 the conversion is over the reference loan life.
    A decision stored before the change still replays identically: the replay converts as it was
    then. Simulated here: the flow scores as the old code did (36-month term, 2026.1)."""
    from creditfactory.decisioning import BUNDLED_POLICIES
    from creditfactory.scoring import score as score_now
    from creditfactory.scoring.spec import constant_hazard_12m
    from creditfactory.service_layer import origination_flow

    def score_then(spec: Any, features: Any, *args: Any) -> Any:
        scored = score_now(spec, features, *args)
        pd_12m = constant_hazard_12m(scored.pd_horizon, 36.0)  # the old code: the asked term
        return replace(scored, pd_12m=pd_12m, grade=spec.master_scale.grade_for(pd_12m).code,
                       horizon_months=36.0)  # fmt: skip

    deps = replace(_deps(engine), policy=BUNDLED_POLICIES["credit-policy-2026.1"])
    keep_serving_spec(deps)
    with monkeypatch.context() as patch:
        patch.setattr(origination_flow, "score", score_then)
        cmd = SubmitApplication(channel_id="ch", idempotency_key=RandomIds().new("k"),
                                applicant_type="enterprise", name="测试", amount="300000",
                                term_months=36, uscc=demo_uscc(secrets.randbelow(10**7)),
                                declared=GOOD)  # fmt: skip
        view = submit_application(deps, cmd)
    decided = view["decision"]
    assert decided["policy_version"] == "credit-policy-2026.1"
    with deps.uow() as uow:
        result = replay_decision(uow, decided["decision_id"])
    assert result.identical, result.differences
    assert result.replayed["pd_12m"] == decided["pd_12m"]
