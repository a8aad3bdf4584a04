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
