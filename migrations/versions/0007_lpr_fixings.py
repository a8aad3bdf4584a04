"""lpr_fixings: LPR fixings imported and published through maker-checker (issue 12)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import creditfactory.adapters.storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    types = creditfactory.adapters.storage.types
    op.create_table(
        "lpr_fixings",
        sa.Column("import_id", sa.String(length=64), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("one_year", types.DecimalText(), nullable=False),
        sa.Column("over_five_year", types.DecimalText(), nullable=False),
        sa.Column("confidence", sa.String(length=1), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "effective_date", name=op.f("pk_lpr_fixings")),
    )
    op.create_index(
        "ix_lpr_fixings_status_date", "lpr_fixings", ["status", "effective_date"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_lpr_fixings_status_date", table_name="lpr_fixings")
    op.drop_table("lpr_fixings")
