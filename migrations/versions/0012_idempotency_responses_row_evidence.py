"""row evidence for the stored idempotency responses (issue 13, defect 7)

`idempotency_keys` joins the covered tables (`adapters/storage/state_digesters.COVERED`): a
retry is answered with the stored response, so an edit of it must be named by `audit verify`.
Keys stored before this revision have no evidence: this migration appends
`state.rows_baselined` leaves for them as they are now. No schema change.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import op

from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.state_digesters import baseline_entries

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    at = datetime.now(UTC)
    entries = baseline_entries(conn, "system:migration-0012", at, tables=["idempotency_keys"])
    if entries:
        append_entries(conn, entries)


def downgrade() -> None:
    """The baseline leaves stay: the audit log is append-only."""
