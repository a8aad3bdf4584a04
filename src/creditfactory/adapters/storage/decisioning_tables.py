"""Decision records and what a replay needs.

- `decisions`: one row per decision (automatic or an officer's), the full record as JSON text
  beside the indexed facts (outcome, versions, digests) a reviewer filters on.
- `decision_inputs`: the replay inputs of an automatic decision — the inputs snapshot (its
  digest is the record's `inputs_digest`; encrypted, it carries identifiers) and the non-score
  facts and limit request (`replay`, JSON).
- `model_specs`: frozen scorecard specs by sha256 (the digest decisions record), with the time
  each was published (NULL while a draft).
- `policy_documents`: credit-policy JSON documents by version and sha256, published or draft.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, Text

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.pii import EncryptedString
from creditfactory.adapters.storage.types import UTCDateTime

__all__ = ["decision_inputs", "decisions", "model_specs", "policy_documents"]

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(64), primary_key=True),
    Column(
        "application_id",
        String(64),
        ForeignKey("applications.application_id"),
        nullable=False,
        index=True,
    ),
    Column("outcome", String(16), nullable=False, index=True),
    Column("decided_by", String(64), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("spec_digest", String(64), nullable=False),
    Column("inputs_digest", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("limit_minor", BigInteger, nullable=False),
    Column("record", Text, nullable=False),
    Column("decided_at", UTCDateTime, nullable=False, index=True),
)

decision_inputs = Table(
    "decision_inputs",
    metadata,
    Column("decision_id", String(64), ForeignKey("decisions.decision_id"), primary_key=True),
    Column("snapshot_enc", EncryptedString("decision_inputs.snapshot"), nullable=False),
    Column("replay", Text, nullable=False),
)

model_specs = Table(
    "model_specs",
    metadata,
    Column("spec_digest", String(64), primary_key=True),
    Column("spec", Text, nullable=False),  # the frozen spec JSON as served
    Column("stored_at", UTCDateTime, nullable=False),
    Column("stored_by", String(64), nullable=False),
    Column("published_at", UTCDateTime),
    Column("published_by", String(64)),
)

policy_documents = Table(
    "policy_documents",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("policy_digest", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
    Column("stored_by", String(64), nullable=False),
    Column("published_at", UTCDateTime),
    Column("published_by", String(64)),
)
