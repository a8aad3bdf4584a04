"""row evidence for channel API keys, officer sessions and consents; revocation is final
(attack13 finding 3)

- `api_keys`, `officer_sessions` and `consents` join the covered tables
  (`adapters/storage/state_digesters.COVERED`): a hand-inserted API key, a session brought back
  or a withdrawn consent brought back is named by `audit verify` (table, row, field). Rows stored
  before this revision have no evidence: `state.rows_baselined` leaves record them as they are
  now (like 0012, this attests the state found).
- A revoked session stays revoked: the database refuses an UPDATE that sets
  `officer_sessions.revoked_at` back to NULL (or to another time), as it refuses edits of the
  journal and decisions — so a signed-out bearer token cannot be revived by an edit; an owner
  who drops the trigger first is still named by `audit verify`.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import op

from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.state_digesters import baseline_entries

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_TABLES = ["api_keys", "officer_sessions", "consents"]
_MESSAGE = "officer_sessions: a revoked session stays revoked"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER officer_sessions_revocation_final BEFORE UPDATE OF revoked_at "
            "ON officer_sessions WHEN OLD.revoked_at IS NOT NULL AND "
            "(NEW.revoked_at IS NULL OR NEW.revoked_at <> OLD.revoked_at) "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )
    elif conn.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION officer_sessions_revocation_final() RETURNS trigger AS $$ BEGIN "
            "IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at "
            f"THEN RAISE EXCEPTION '{_MESSAGE}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER officer_sessions_revocation_final BEFORE UPDATE ON officer_sessions "
            "FOR EACH ROW EXECUTE FUNCTION officer_sessions_revocation_final()"
        )
    entries = baseline_entries(conn, "system:migration-0014", datetime.now(UTC), tables=_TABLES)
    if entries:
        append_entries(conn, entries)


def downgrade() -> None:
    """The baseline leaves stay: the audit log is append-only."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS officer_sessions_revocation_final")
    else:
        op.execute("DROP TRIGGER IF EXISTS officer_sessions_revocation_final ON officer_sessions")
        op.execute("DROP FUNCTION IF EXISTS officer_sessions_revocation_final()")
