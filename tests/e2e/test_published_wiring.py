"""A policy published while the API serves decides the next applications (service_layer.serving,
`refresh_serving`, the poller every worker runs); before that, and for publications older than
the start, the configured wiring stays."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import anyio

from creditfactory.adapters.api.main import refresh_serving
from creditfactory.service_layer.checked_actions import upload_policy
from tests.e2e.conftest import application


def _policy_text(version: str) -> str:
    shipped = (
        resources.files("creditfactory.decisioning") / "policies" / "credit-policy-2024.1.json"
    )
    document = json.loads(shipped.read_text(encoding="utf-8"))
    document["version"] = version
    return json.dumps(document, ensure_ascii=False)


def test_a_policy_published_while_serving_takes_over(sqlite_engine: Any, make_api: Any) -> None:
    api = make_api(sqlite_engine)
    app = api.client.app
    deps = app.state.deps
    started = datetime.now(UTC)
    assert anyio.run(refresh_serving, app, started) is False
    version = f"credit-policy-test-{secrets.token_hex(4)}"
    upload_policy(deps, _policy_text(version), "officer_maker")
    assert anyio.run(refresh_serving, app, started) is False  # stored, not yet published
    with deps.uow() as uow:  # what execute_policy_publication does after its approval
        uow.models.publish_policy(version, "officer_checker", deps.clock.now())
        uow.commit()
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert anyio.run(refresh_serving, app, later) is False  # published before that start
    assert anyio.run(refresh_serving, app, started) is True
    assert app.state.deps.policy.version == version
    assert app.state.deps.spec_digest == deps.spec_digest  # the spec was not republished
    answer = api.post("/api/v1/applications", application(), key=secrets.token_hex(8)).json()
    assert answer["decision"]["policy_version"] == version
    assert anyio.run(refresh_serving, app, started) is False  # nothing newer


def test_a_spec_published_past_maker_checker_that_fails_its_checks_is_not_served(
    sqlite_engine: Any, make_api: Any
) -> None:
    """A spec row marked published in the database, with no approval, whose report's checks
    fail (here: it records none) is refused by the follower, which keeps serving what it has;
    published through the flow, it is served and its decisions name the approval."""
    from dataclasses import replace

    from creditfactory.access import DEFAULT_ACCESS
    from creditfactory.scoring.spec import dump_spec
    from creditfactory.service_layer.approval_flow import decide_approval, request_approval
    from creditfactory.service_layer.checked_actions import execute_model_publication, upload_model

    api = make_api(sqlite_engine)
    app = api.client.app
    deps = app.state.deps
    started = datetime.now(UTC)
    other = replace(deps.spec, model_id="sba-case-scorecard-unreported", training={})
    digest = upload_model(deps, dump_spec(other), "officer_maker")["spec_digest"]
    with deps.uow() as uow:  # written past the flow
        uow.models.publish_spec(digest, "someone", deps.clock.now())
        uow.commit()
    assert anyio.run(refresh_serving, app, started) is False
    assert app.state.deps.spec_digest == deps.spec_digest  # still the configured spec
    item = request_approval(deps, DEFAULT_ACCESS, "model_publication", f"model:{digest}", {},
                            "risk_a", "risk_manager", "the unreported spec, for the pilot run")  # fmt: skip
    decide_approval(deps, DEFAULT_ACCESS, item["approval_id"], "risk_b", "risk_manager", True)
    execute_model_publication(deps, DEFAULT_ACCESS, digest, item["approval_id"], "risk_b",
                              "risk_manager")  # fmt: skip
    assert anyio.run(refresh_serving, app, started) is True
    assert app.state.deps.spec_digest == digest
    assert app.state.deps.model_approval == item["approval_id"]
    answer = api.post("/api/v1/applications", application(), key=secrets.token_hex(8)).json()
    with deps.uow() as uow:
        record = uow.applications.decisions_of(answer["application_id"])[-1]
    assert record["model_approval"] == item["approval_id"]
