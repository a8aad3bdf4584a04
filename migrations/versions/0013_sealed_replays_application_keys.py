"""sealed idempotent responses; applications' keys under the one mechanism (issue 13)

- `idempotency_keys.response_mac`: the seal of the stored response (HMAC-SHA256 under the
  server key's seal subkey, bound to scope, key and request digest — `IdempotencyRepository`).
  A replay whose response no longer matches its seal is refused (409) and alerted, never served.
- Applications claim their key through `kernel.idempotency.run_once` (scope "application", key
  "<channel>:<Idempotency-Key>") instead of their own claim on the application row: the keys of
  applications stored before are copied from `applications` (request digest as the flow now
  derives it, the stored first response, submitted time), so a retry of one still gets its first
  response and never a second application.
- Every stored response is sealed as it is NOW, with the key installed at upgrade: like 0012's
  baseline this attests the state found (an edit made before the upgrade is not undone — `audit
  verify` still names it against the earlier leaves), and `state.rows_baselined` leaves record
  the rows with their seals.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.pii import migration_pii_cipher
from creditfactory.adapters.storage.repositories import seal_context
from creditfactory.adapters.storage.state_digesters import baseline_entries
from creditfactory.kernel.idempotency import request_digest, stored_key

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APPLICATION_SCOPE = "application"  # origination_flow.APPLICATION_SCOPE as of this revision

_keys = sa.table(
    "idempotency_keys",
    sa.column("scope"),
    sa.column("key"),
    sa.column("request_digest"),
    sa.column("response"),
    sa.column("created_at"),
    sa.column("response_mac"),
)
_applications = sa.table(
    "applications",
    sa.column("channel_id"),
    sa.column("idempotency_key"),
    sa.column("request_digest"),
    sa.column("response"),
    sa.column("submitted_at"),
)


def _copy_application_keys(db: sa.Connection) -> None:
    for row in db.execute(sa.select(_applications)).mappings():
        db.execute(
            sa.insert(_keys).values(
                scope=APPLICATION_SCOPE,
                key=stored_key(f"{row['channel_id']}:{row['idempotency_key']}"),
                request_digest=request_digest({"request_digest": row["request_digest"]}),
                response=row["response"],
                created_at=row["submitted_at"],  # the stored form, copied as it is
            )
        )


def _seal_all(db: sa.Connection) -> None:
    rows = db.execute(sa.select(_keys.c.scope, _keys.c.key, _keys.c.request_digest,
                                _keys.c.response)).all()  # fmt: skip
    if not rows:
        return
    cipher = migration_pii_cipher()
    for scope, key, digest, response in rows:
        seal = cipher.seal(response, seal_context(scope, key, digest))
        db.execute(
            sa.update(_keys)
            .where(_keys.c.scope == scope, _keys.c.key == key)
            .values(response_mac=seal)
        )


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("response_mac", sa.String(length=80)))
    db = op.get_bind()
    _copy_application_keys(db)
    _seal_all(db)
    at = datetime.now(UTC)
    entries = baseline_entries(db, "system:migration-0013", at, tables=["idempotency_keys"])
    if entries:
        append_entries(db, entries)


def downgrade() -> None:
    """The seals and copied keys stay readable by the earlier code (it ignores the column and
    the "application" scope); the audit log is append-only."""
