"""Which scorecard spec and credit policy a running server decides with.

A server starts with the spec and policy it is configured with (CREDITFACTORY_MODEL_SPEC, the
default policy). A spec or policy published afterwards — after its maker-checker approval
(`checked_actions.execute_model_publication` / `execute_policy_publication`) — takes over:
each server process polls `published_update` and swaps its wiring, so every worker follows
within the polling interval without a restart. Each request reads the wiring once, so one
application is decided with one spec and one policy, both named in its decision record.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from creditfactory.decisioning import load_policy
from creditfactory.scoring import load_spec
from creditfactory.service_layer.factory_ports import FactoryDeps

__all__ = ["published_update"]


def published_update(deps: FactoryDeps, started_at: datetime) -> FactoryDeps | None:
    """`deps` with the newest spec and policy published after `started_at` (tz-aware UTC) where
    they differ from what `deps` serves; None when nothing changed.

    raises ScoringError / PolicyInvalid when a published document no longer loads (the caller
    keeps serving what it has).
    """
    with (deps.read or deps.uow)() as uow:
        spec_row, policy_row = uow.models.published_since(started_at)
    changes: dict[str, Any] = {}
    if spec_row is not None and spec_row["spec_digest"] != deps.spec_digest:
        changes.update(spec=load_spec(spec_row["spec"]), spec_digest=spec_row["spec_digest"])
    if policy_row is not None and policy_row["policy_digest"] != deps.policy.digest:
        changes["policy"] = load_policy(policy_row["document"])
    return replace(deps, **changes) if changes else None
