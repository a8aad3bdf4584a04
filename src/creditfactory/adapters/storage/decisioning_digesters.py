"""Decision rows under the audit log: every `decision.made` leaf carries the record's indexed
facts and `record_digest` (sha256 of the whole record); this digester rebuilds that payload
from the `decisions` row as it is NOW — the record JSON and the indexed columns, which must
agree with it — so `audit verify` names the leaf of any decision edited or deleted directly in
the database. Leaf keys the row does not hold (maker, checker) are taken from the leaf itself."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from creditfactory.adapters.storage.decisioning_tables import decisions
from creditfactory.audit import AuditRecord, DigesterRegistry
from creditfactory.audit.leaf import canonical_json, sha256_hex
from creditfactory.audit.rows import without_evidence
from creditfactory.kernel.money import Money
from creditfactory.service_layer.origination_flow import decision_payload

__all__ = ["DECISION_MADE", "register_row_digesters"]

DECISION_MADE = "decision.made"
_EDITED = "row columns disagree with the record"


def _columns_agree(row: Any, record: dict[str, Any]) -> bool:
    return bool(
        row.outcome == record["outcome"]
        and row.application_id == record["application_id"]
        and row.policy_version == record["policy_version"]
        and row.spec_digest == record["spec_digest"]
        and row.inputs_digest == record["inputs_digest"]
        and int(row.limit_minor) == Money.of(record["limit"]).to_minor()
    )


def register_row_digesters(registry: DigesterRegistry, connection: Connection) -> None:
    """Compare every `decision.made` leaf with the decision row it recorded."""

    def digest(leaf: AuditRecord) -> str | None:
        row = connection.execute(
            select(decisions).where(decisions.c.decision_id == leaf.subject)
        ).one_or_none()
        if row is None:
            return None
        try:
            record = json.loads(row.record)
            if not _columns_agree(row, record):
                return _EDITED
            payload = {
                **without_evidence(json.loads(leaf.payload_json)),
                **decision_payload(record),
            }
        except (ValueError, KeyError, TypeError):
            return _EDITED
        if "decided_by" in payload:
            payload["decided_by"] = row.decided_by
        return sha256_hex(canonical_json(payload))

    registry.register(DECISION_MADE, digest)
