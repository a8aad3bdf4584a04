"""branches (总行 / 分行 / 支行) and the branch every officer, API key, application and loan
belongs to (issue 14, "Organisation")

- `branches`: the hierarchy as data (`access.branches`), with the head office `HQ` (总行) it
  starts from; row evidence covers it (a hand-edited parent would widen an officer's scope), so
  the head office row gets a `state.rows_baselined` leaf here.
- `branch_id` on `officers`, `api_keys`, `applications` and `loans`: every existing row belongs
  to the head office (the column's server default), so nothing anyone could see before is hidden
  from a head-office officer now.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import creditfactory.adapters.storage.types
from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.adapters.storage.audit_store import append_entries
from creditfactory.adapters.storage.migrations import triggers_kept
from creditfactory.adapters.storage.state_digesters import baseline_entries

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCOPED = ("officers", "api_keys", "applications", "loans")


def upgrade() -> None:
    at = datetime.now(UTC)
    op.create_table(
        "branches",
        sa.Column("branch_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at",
            creditfactory.adapters.storage.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["branches.branch_id"], name=op.f("fk_branches_parent_id_branches")
        ),
        sa.PrimaryKeyConstraint("branch_id", name=op.f("pk_branches")),
    )
    op.create_index(op.f("ix_branches_parent_id"), "branches", ["parent_id"], unique=False)
    branches = sa.table(
        "branches",
        sa.column("branch_id"),
        sa.column("name"),
        sa.column("name_en"),
        sa.column("level"),
        sa.column("parent_id"),
        sa.column("created_at", creditfactory.adapters.storage.types.UTCDateTime()),
    )
    op.bulk_insert(
        branches,
        [
            {
                "branch_id": HEAD_OFFICE,
                "name": "总行",
                "name_en": "Head office",
                "level": "head",
                "parent_id": None,
                "created_at": at,
            }
        ],  # fmt: skip
    )
    conn = op.get_bind()
    for table in SCOPED:
        with triggers_kept(conn, table), op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "branch_id", sa.String(length=32), nullable=False, server_default=HEAD_OFFICE
                )
            )
            batch.create_index(f"ix_{table}_branch_id", ["branch_id"], unique=False)
            batch.create_foreign_key(
                f"fk_{table}_branch_id_branches", "branches", ["branch_id"], ["branch_id"]
            )
    # the scoped rows' evidence gains branch_id: recorded as set here, so a later hand edit
    # of an old row's branch (moving it into another officer's scope) is named by audit verify;
    # branches last: the leaf appended last also carries this transaction's written rows (HQ)
    append_entries(
        conn, baseline_entries(conn, "system:migration-0015", at, tables=[*SCOPED, "branches"])
    )


def downgrade() -> None:
    """The baseline leaf stays: the audit log is append-only."""
    conn = op.get_bind()
    for table in SCOPED:
        with triggers_kept(conn, table), op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_branch_id_branches", type_="foreignkey")
            batch.drop_index(f"ix_{table}_branch_id")
            batch.drop_column("branch_id")
    op.drop_index(op.f("ix_branches_parent_id"), table_name="branches")
    op.drop_table("branches")
