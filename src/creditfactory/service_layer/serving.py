"""Which scorecard spec, credit policy and LPR series a running server decides with.

A server starts with the spec and policy it is configured with (CREDITFACTORY_MODEL_SPEC, the
default policy). A spec or policy published afterwards — after its maker-checker approval
(`checked_actions.execute_model_publication` / `execute_policy_publication`) — takes over:
each server process polls `published_update` and swaps its wiring, so every worker follows
within the polling interval without a restart. LPR fixings published through maker-checker
(`rates_flow`) are followed the same way: the series in force is compared by version. Each request
reads the wiring once, so one application is decided with one spec, one policy and one LPR
series, all named in its decision record. A published spec is served under its publication's
approval, named in the record (`model_approval.cleared_to_serve`); one without an approval whose
checks fail (a row written past the flow) is refused and the current spec kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from creditfactory.decisioning import load_policy
from creditfactory.scoring import load_spec
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.model_approval import cleared_to_serve
from creditfactory.service_layer.rates_flow import series_of

__all__ = ["published_update"]


def published_update(deps: FactoryDeps, started_at: datetime) -> FactoryDeps | None:
    """`deps` with the newest spec and policy published after `started_at` (tz-aware UTC) and the
    published LPR series (once any fixing is published), where they differ from what `deps`
    serves; None when nothing changed.

    raises ScoringError / PolicyInvalid when a published document no longer loads,
    ValidationError("spec_digest") when a published spec fails its checks and nobody approved
    serving it (the caller keeps serving what it has).
    """
    changes: dict[str, Any] = {}
    with (deps.read or deps.uow)() as uow:
        spec_row, policy_row = uow.models.published_since(started_at)
        published = uow.rates.published()
        if spec_row is not None and spec_row["spec_digest"] != deps.spec_digest:
            spec = load_spec(spec_row["spec"], digest_required=True)
            approval = cleared_to_serve(uow, spec, "spec_digest", f"published spec {spec.model_id}")
            changes.update(spec=spec, spec_digest=spec_row["spec_digest"], model_approval=approval)
    series = series_of(published)
    if published and (deps.lpr_series is None or series.version != deps.lpr_series.version):
        changes["lpr_series"] = series
    if policy_row is not None and policy_row["policy_digest"] != deps.policy.digest:
        changes["policy"] = load_policy(policy_row["document"])
    return replace(deps, **changes) if changes else None
