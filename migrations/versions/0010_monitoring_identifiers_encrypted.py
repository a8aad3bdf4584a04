"""monitoring tables: USCCs, borrower names, raw feed lines and reject details encrypted, a blind
index for the borrower's USCC (issue 13, defect 11)

The same AES-256-GCM tokens as the application identifiers (`adapters/storage/pii.py`, a column
context per table and column) and the same HMAC-SHA256 blind index: `monitoring_borrowers.uscc`
is unique through `uscc_bidx` instead of its clear text. Existing rows are encrypted in place
with the installed PII cipher (or the one the settings give). Downgrade decrypts back.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from creditfactory.adapters.storage.pii import (
    PIICipher,
    PIIKeyError,
    active_pii_cipher,
    install_pii_cipher,
    pii_cipher_from_settings,
)
from creditfactory.config import Settings

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# table → (key column, encrypted columns)
ENCRYPTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "monitoring_borrowers": ("borrower_id", ("uscc", "name")),
    "monitoring_events": ("event_id", ("uscc", "raw")),
    "monitoring_transactions": ("txn_id", ("uscc", "raw")),
    "monitoring_invoices": ("invoice_key", ("raw",)),
    "monitoring_rejects": ("reject_id", ("detail", "raw")),
}
WIDENED = {"monitoring_events": ("uscc", 18), "monitoring_transactions": ("uscc", 18)}


def _cipher() -> PIICipher:
    try:
        return active_pii_cipher()
    except PIIKeyError:  # `alembic upgrade` from the command line: no bootstrap ran
        cipher = pii_cipher_from_settings(Settings())
        install_pii_cipher(cipher)
        return cipher


def _rewrite(table: str, change: Callable[[PIICipher, str, str], str], bidx: bool = False) -> None:
    key, columns = ENCRYPTED[table]
    db = op.get_bind()
    rows = db.execute(sa.text(f"SELECT {key}, {', '.join(columns)} FROM {table}")).all()
    cipher = _cipher() if rows else None
    sets = ", ".join(f"{c} = :{c}" for c in columns) + (", uscc_bidx = :uscc_bidx" if bidx else "")
    for row in rows:
        assert cipher is not None
        values = {
            c: change(cipher, v, f"{table}.{c}") for c, v in zip(columns, row[1:], strict=True)
        }
        if bidx:
            values["uscc_bidx"] = cipher.blind_index(row[1], "uscc")
        db.execute(sa.text(f"UPDATE {table} SET {sets} WHERE {key} = :k"), {**values, "k": row[0]})


def upgrade() -> None:
    with op.batch_alter_table("monitoring_borrowers") as batch:
        batch.drop_constraint("uq_monitoring_borrowers_uscc", type_="unique")
        batch.alter_column("uscc", type_=sa.Text(), existing_type=sa.String(18),
                           existing_nullable=False)  # fmt: skip
        batch.alter_column("name", type_=sa.Text(), existing_type=sa.String(200),
                           existing_nullable=False)  # fmt: skip
        batch.add_column(sa.Column("uscc_bidx", sa.String(length=64), nullable=True))
    for table, (column, length) in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text(), existing_type=sa.String(length),
                               existing_nullable=False)  # fmt: skip
    for table in ENCRYPTED:
        _rewrite(table, lambda c, v, ctx: c.encrypt(v, ctx), bidx=table == "monitoring_borrowers")
    with op.batch_alter_table("monitoring_borrowers") as batch:
        batch.alter_column("uscc_bidx", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_monitoring_borrowers_uscc_bidx", ["uscc_bidx"])


def downgrade() -> None:
    for table in ENCRYPTED:
        _rewrite(table, lambda c, v, ctx: c.decrypt(v, ctx))
    with op.batch_alter_table("monitoring_borrowers") as batch:
        batch.drop_constraint("uq_monitoring_borrowers_uscc_bidx", type_="unique")
        batch.drop_column("uscc_bidx")
        batch.alter_column("uscc", type_=sa.String(18), existing_type=sa.Text(),
                           existing_nullable=False)  # fmt: skip
        batch.alter_column("name", type_=sa.String(200), existing_type=sa.Text(),
                           existing_nullable=False)  # fmt: skip
        batch.create_unique_constraint("uq_monitoring_borrowers_uscc", ["uscc"])
    for table, (column, length) in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.String(length), existing_type=sa.Text(),
                               existing_nullable=False)  # fmt: skip
