"""PII at rest: AES-GCM tokens, blind index, key handling, the EncryptedString column type."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select, text

from creditfactory.adapters.storage.pii import (
    EncryptedString,
    PIICipher,
    PIIDecryptionFailed,
    PIIKeyError,
    generate_pii_key,
    pii_cipher_from_settings,
)
from creditfactory.config import Settings

KEY = generate_pii_key()
CIPHER = PIICipher(KEY)
ID = "11010519491231002X"


def test_round_trip_and_fresh_ciphertext_per_write() -> None:
    first = CIPHER.encrypt(ID, "applicants.operator_id")
    second = CIPHER.encrypt(ID, "applicants.operator_id")
    assert first != second
    assert ID not in first
    assert first.startswith("pii1.")
    assert CIPHER.decrypt(first, "applicants.operator_id") == ID
    assert CIPHER.decrypt(second, "applicants.operator_id") == ID


@given(st.text(max_size=64))
def test_round_trip_any_text(value: str) -> None:
    assert CIPHER.decrypt(CIPHER.encrypt(value)) == value


def test_wrong_key_context_or_tamper_fails() -> None:
    token = CIPHER.encrypt(ID, "a")
    with pytest.raises(PIIDecryptionFailed):
        PIICipher(generate_pii_key()).decrypt(token, "a")
    with pytest.raises(PIIDecryptionFailed):
        CIPHER.decrypt(token, "b")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(PIIDecryptionFailed):
        CIPHER.decrypt(flipped, "a")
    with pytest.raises(PIIDecryptionFailed):
        CIPHER.decrypt("not a token")


def test_old_key_still_decrypts_after_rotation() -> None:
    token = CIPHER.encrypt(ID)
    rotated = PIICipher(generate_pii_key(), old_keys=[KEY])
    assert rotated.decrypt(token) == ID
    assert rotated.encrypt(ID).split(".")[1] != token.split(".")[1]


def test_blind_index_is_stable_normalised_and_keyed() -> None:
    index = CIPHER.blind_index(ID, "resident_id")
    assert index == PIICipher(KEY).blind_index(ID, "resident_id")
    assert index == CIPHER.blind_index("11010519491231002x", "resident_id")
    assert len(index) == 64
    assert index != CIPHER.blind_index(ID, "uscc")
    assert index != PIICipher(generate_pii_key()).blind_index(ID, "resident_id")


def test_malformed_key_is_refused() -> None:
    with pytest.raises(PIIKeyError):
        PIICipher("short")


def test_settings_key_rules(tmp_path: Path) -> None:
    dev = Settings(environment="development", var_dir=tmp_path, pii_encryption_key="")
    token = pii_cipher_from_settings(dev).encrypt(ID)
    # the dev key is kept, so a restart still decrypts
    assert pii_cipher_from_settings(dev).decrypt(token) == ID
    assert (tmp_path / "pii_dev.key").stat().st_mode & 0o777 == 0o600
    given = Settings(environment="test", var_dir=tmp_path, pii_encryption_key=KEY)
    assert pii_cipher_from_settings(given).decrypt(CIPHER.encrypt(ID)) == ID
    prod = Settings.model_construct(
        environment="production", var_dir=tmp_path, pii_encryption_key=""
    )
    with pytest.raises(PIIKeyError):
        pii_cipher_from_settings(prod)


def test_encrypted_string_column_round_trip() -> None:
    metadata = MetaData()
    people = Table(
        "people",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("id_number", EncryptedString("people.id_number", cipher=lambda: CIPHER)),
        Column("id_number_bidx", String(64), index=True),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            people.insert(),
            [{"id": 1, "id_number": ID, "id_number_bidx": CIPHER.blind_index(ID, "resident_id")},
             {"id": 2, "id_number": None, "id_number_bidx": None}],
        )  # fmt: skip
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT id_number FROM people WHERE id = 1")).scalar_one()
        assert raw.startswith("pii1.") and ID not in raw
        found = conn.execute(
            select(people.c.id, people.c.id_number).where(
                people.c.id_number_bidx == CIPHER.blind_index("11010519491231002x", "resident_id")
            )
        ).one()
        assert tuple(found) == (1, ID)
        assert conn.execute(select(people.c.id_number).where(people.c.id == 2)).scalar_one() is None
    engine.dispose()
