"""What live model stability reads: automatic decisions with their scores and features, and the
stored specs (`service_layer.model_stability.DecisionHistory`).

An automatic decision is a `decisions` row with its replay inputs (`decision_inputs`; officers'
decisions have none): the score comes from the record, the features from the inputs snapshot
(``snapshot["features"]``, the values the spec scored; decrypted by the installed PII cipher).
Rows stream in decided_at order on one read-only connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine, select

from creditfactory.adapters.storage.decisioning_tables import (
    decision_inputs,
    decisions,
    model_specs,
)
from creditfactory.service_layer.model_stability import ScoredDecision

__all__ = ["SqlDecisionHistory"]


class SqlDecisionHistory:
    """`DecisionHistory` over an engine (each call its own connection)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def scored_between(self, start: datetime, end: datetime) -> Iterator[ScoredDecision]:
        """Automatic decisions with start ≤ decided_at < end (tz-aware), oldest first."""
        query = (
            select(decisions.c.spec_digest, decisions.c.decided_at, decisions.c.record,
                   decision_inputs.c.snapshot_enc)
            .join(decision_inputs, decision_inputs.c.decision_id == decisions.c.decision_id)
            .where(decisions.c.decided_at >= start, decisions.c.decided_at < end)
            .order_by(decisions.c.decided_at, decisions.c.decision_id)
        )  # fmt: skip
        with self._engine.connect() as db:
            for row in db.execute(query):
                score = float(json.loads(row.record)["score"])
                features = json.loads(row.snapshot_enc).get("features", {})
                yield ScoredDecision(row.spec_digest, row.decided_at, score, features)

    def spec_text(self, spec_digest: str) -> str | None:
        """The stored spec JSON of a digest, or None."""
        query = select(model_specs.c.spec).where(model_specs.c.spec_digest == spec_digest)
        with self._engine.connect() as db:
            text: str | None = db.execute(query).scalar_one_or_none()
        return text
