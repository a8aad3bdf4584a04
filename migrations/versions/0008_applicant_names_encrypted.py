"""applicant names encrypted at rest, a masked form for display (issue 13, defect 11)

`applications.applicant_name` (clear text) becomes `applicant_name_enc` (AES-256-GCM token,
context "applications.applicant_name", like the other identifiers) and `applicant_name_masked`
(what pages and stored responses show: a natural person's name — 个体工商户, unregistered
operator — masked as "张*", an enterprise's name whole). Existing rows are encrypted in place
with the installed PII cipher (or the one the settings give), and the stored responses' applicant
name is replaced by the masked form. Downgrade decrypts back.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import json

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
from creditfactory.origination.masking import mask_name

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CONTEXT = "applications.applicant_name"


def _cipher() -> PIICipher:
    try:
        return active_pii_cipher()
    except PIIKeyError:  # `alembic upgrade` from the command line: no bootstrap ran
        cipher = pii_cipher_from_settings(Settings())
        install_pii_cipher(cipher)
        return cipher


def _masked_response(text: str, shown: str) -> str:
    try:
        document = json.loads(text)
    except ValueError:
        return text
    applicant = document.get("applicant") if isinstance(document, dict) else None
    if isinstance(applicant, dict) and "name" in applicant:
        applicant["name"] = shown
        return json.dumps(document, ensure_ascii=False)
    return text


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.alter_column(
            "applicant_name", new_column_name="applicant_name_enc", type_=sa.Text(),
            existing_type=sa.String(length=200), existing_nullable=False,
        )  # fmt: skip
        batch.add_column(sa.Column("applicant_name_masked", sa.String(length=200), nullable=True))
    db = op.get_bind()
    rows = db.execute(
        sa.text("SELECT application_id, applicant_type, applicant_name_enc, response "
                "FROM applications")
    ).all()  # fmt: skip
    cipher = _cipher() if rows else None
    for application_id, applicant_type, name, response in rows:
        assert cipher is not None
        shown = name if applicant_type == "enterprise" else mask_name(name)
        db.execute(
            sa.text("UPDATE applications SET applicant_name_enc = :e, applicant_name_masked = :m, "
                    "response = :r WHERE application_id = :i"),
            {"e": cipher.encrypt(name, CONTEXT), "m": shown,
             "r": _masked_response(response, shown), "i": application_id},
        )  # fmt: skip
    with op.batch_alter_table("applications") as batch:
        batch.alter_column(
            "applicant_name_masked", existing_type=sa.String(length=200), nullable=False
        )


def downgrade() -> None:
    db = op.get_bind()
    rows = db.execute(sa.text("SELECT application_id, applicant_name_enc FROM applications")).all()
    cipher = _cipher() if rows else None
    for application_id, token in rows:
        assert cipher is not None
        db.execute(
            sa.text("UPDATE applications SET applicant_name_enc = :n WHERE application_id = :i"),
            {"n": cipher.decrypt(token, CONTEXT), "i": application_id},
        )
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("applicant_name_masked")
        batch.alter_column(
            "applicant_name_enc", new_column_name="applicant_name", type_=sa.String(length=200),
            existing_type=sa.Text(), existing_nullable=False,
        )  # fmt: skip
