"""row evidence: record every existing covered row in the audit log (issue 13, defect 7)

From this revision each state change's leaf carries the digests of the rows it wrote
(`adapters/storage/state_digesters.py`). Rows written before it have none, so `audit verify`
would call every one of them unrecorded: this migration appends `state.rows_baselined` leaves
with the digests of every covered row as it is now. It attests the state found at the upgrade,
not its earlier history (which only the journal and decision digesters covered). No schema change.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import op

from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.state_digesters import baseline_entries

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# the tables covered at this revision (later revisions baseline the ones they add: 0012, 0014)
_TABLES = ["loans", "installments", "offers", "applications", "approvals", "officers",
           "journal_entries", "postings"]  # fmt: skip


def upgrade() -> None:
    conn = op.get_bind()
    entries = baseline_entries(conn, "system:migration-0009", datetime.now(UTC), tables=_TABLES)
    if entries:
        append_entries(conn, entries)


def downgrade() -> None:
    """The baseline leaves stay: the audit log is append-only."""
