"""PII at rest: AES-256-GCM encryption of ID and phone numbers, and a keyed blind index.

Why: ID and phone numbers are C2-class personal financial information (JR/T 0171-2020): stored
encrypted, displayed masked (DOMAIN.md §8.3; PIPL Art 51 encryption / 去标识化).

- Key: `Settings.pii_encryption_key`, urlsafe base64 of 32 random bytes (`generate_pii_key()`).
  Empty in development → a dev key generated once and kept in `<var_dir>/pii_dev.key` (0600);
  empty in test → a random key per process; empty or malformed in production → `PIIKeyError`.
- Three subkeys are derived with HKDF-SHA256 (info "creditfactory pii enc v1" / "… bidx v1" /
  "creditfactory seal v1"), so no key doubles as another: encryption, the blind index, and the
  seal of stored values the server answers with (`seal`: the idempotent replay responses).
- Token: "pii1.<key id>.<urlsafe b64(nonce ‖ ciphertext ‖ tag)>", 12-byte random nonce per write
  (so one value encrypts differently each time), the column `context` bound as associated data
  (a ciphertext moved to another column fails to decrypt). Older keys may be kept in the keyring
  for decryption during rotation; the key id picks the key.
- Blind index: HMAC-SHA256(index key, kind ‖ 0x00 ‖ normalised value) as 64 hex characters —
  equal inputs give equal indexes under one key, so a USCC / ID can be looked up without
  decrypting. Normalisation: whitespace and hyphens removed, upper case ("…002x" = "…002X").
- Seal: "mac1.<key id>.<HMAC-SHA256 hex>" of a text bound to a context (exact bytes, no
  normalisation); checked under the key its id names, so an older key still verifies during
  rotation. Without the key a database owner cannot make a seal for an edited value.
- `EncryptedString`: a SQLAlchemy TypeDecorator over Text that encrypts on bind and decrypts on
  load with the cipher installed by `install_pii_cipher` (bootstrap does it once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from creditfactory.config import Settings
from creditfactory.kernel.errors import CreditFactoryError

__all__ = [
    "EncryptedString",
    "PIICipher",
    "PIIDecryptionFailed",
    "PIIKeyError",
    "active_pii_cipher",
    "generate_pii_key",
    "install_pii_cipher",
    "migration_pii_cipher",
    "pii_cipher_from_settings",
]

TOKEN_PREFIX: Final = "pii1"
SEAL_PREFIX: Final = "mac1"
NONCE_BYTES: Final = 12
KEY_BYTES: Final = 32
DEV_KEY_FILE: Final = "pii_dev.key"


class PIIKeyError(CreditFactoryError):
    """The PII key is missing (outside development) or not 32 bytes of urlsafe base64."""


class PIIDecryptionFailed(CreditFactoryError):
    """A token did not decrypt: wrong key, wrong column context, or tampered."""


def generate_pii_key() -> str:
    """A fresh key for CREDITFACTORY_PII_ENCRYPTION_KEY: urlsafe base64 of 32 random bytes."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _decode_key(key: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise PIIKeyError("PII key is not urlsafe base64") from exc
    if len(raw) != KEY_BYTES:
        raise PIIKeyError(f"PII key must decode to {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(master)


def _normalise(value: str) -> str:
    return "".join(value.split()).replace("-", "").upper()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Key:
    def __init__(self, master: bytes) -> None:
        self.aead = AESGCM(_derive(master, b"creditfactory pii enc v1"))
        self.index_key = _derive(master, b"creditfactory pii bidx v1")
        self.seal_key = _derive(master, b"creditfactory seal v1")
        self.key_id = hashlib.sha256(self.index_key).hexdigest()[:8]


class PIICipher:
    """Encrypts / decrypts PII strings and computes blind indexes.

    key: the current key (urlsafe base64, 32 bytes); old_keys: keys still accepted for
    decryption. raises PIIKeyError for a malformed key.
    """

    def __init__(self, key: str, old_keys: Sequence[str] = ()) -> None:
        self._current = _Key(_decode_key(key))
        self._by_id = {k.key_id: k for k in (_Key(_decode_key(o)) for o in old_keys)}
        self._by_id[self._current.key_id] = self._current

    def encrypt(self, plaintext: str, context: str = "") -> str:
        """A token "pii1.<kid>.<b64>"; a new random nonce each call."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._current.aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode())
        return f"{TOKEN_PREFIX}.{self._current.key_id}.{_b64(nonce + sealed)}"

    def decrypt(self, token: str, context: str = "") -> str:
        """The plaintext. raises PIIDecryptionFailed (wrong key, context, or tampered)."""
        prefix, key_id, body = (token.split(".", 2) + ["", ""])[:3]
        key = self._by_id.get(key_id)
        if prefix != TOKEN_PREFIX or key is None:
            raise PIIDecryptionFailed("unknown token format or key id")
        try:
            blob = _unb64(body)
            plain = key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError) as exc:
            raise PIIDecryptionFailed("token does not decrypt under this key") from exc
        return plain.decode("utf-8")

    def blind_index(self, value: str, kind: str) -> str:
        """HMAC-SHA256 hex of the normalised value, keyed and separated by `kind` ("uscc",
        "resident_id", "phone"), for equality lookups without decrypting."""
        message = kind.encode() + b"\x00" + _normalise(value).encode("utf-8")
        return hmac.new(self._current.index_key, message, hashlib.sha256).hexdigest()

    def seal(self, text: str, context: str) -> str:
        """ "mac1.<kid>.<64 hex>": HMAC-SHA256 of `text` (exact UTF-8 bytes) bound to `context`
        under the current key's seal subkey."""
        key = self._current
        return f"{SEAL_PREFIX}.{key.key_id}.{_mac(key.seal_key, text, context)}"

    def sealed(self, text: str, context: str, seal: str | None) -> bool:
        """True when `seal` is the seal of `text` in `context` under a key of the keyring
        (False for a missing, malformed or foreign seal, or an edited text)."""
        prefix, key_id, mac = ((seal or "").split(".", 2) + ["", ""])[:3]
        key = self._by_id.get(key_id)
        if prefix != SEAL_PREFIX or key is None:
            return False
        return hmac.compare_digest(mac, _mac(key.seal_key, text, context))


def _mac(key: bytes, text: str, context: str) -> str:
    message = context.encode() + b"\x00" + text.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _dev_key(var_dir: Path) -> str:
    path = var_dir / DEV_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = generate_pii_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def pii_cipher_from_settings(settings: Settings) -> PIICipher:
    """The cipher for this deployment (see the module docstring for the key rules).

    raises PIIKeyError in production when the key is empty or malformed.
    """
    key = settings.pii_encryption_key
    if not key:
        if settings.environment == "production":
            raise PIIKeyError("production needs CREDITFACTORY_PII_ENCRYPTION_KEY")
        dev = settings.environment == "development"
        key = _dev_key(settings.var_dir) if dev else generate_pii_key()
    return PIICipher(key)


_installed: list[PIICipher] = []


def install_pii_cipher(cipher: PIICipher) -> None:
    """Make `cipher` the one `EncryptedString` columns use (bootstrap calls this once)."""
    _installed[:] = [cipher]


def active_pii_cipher() -> PIICipher:
    """The installed cipher. raises PIIKeyError when none was installed."""
    if not _installed:
        raise PIIKeyError("no PII cipher installed: call install_pii_cipher() in bootstrap")
    return _installed[0]


def migration_pii_cipher() -> PIICipher:
    """The installed cipher, else the settings' one installed now: a migration run by `serve`
    before its workers start, or by `alembic upgrade` from the command line, has no bootstrap.
    raises PIIKeyError as `pii_cipher_from_settings`."""
    if not _installed:
        install_pii_cipher(pii_cipher_from_settings(Settings()))
    return _installed[0]


class EncryptedString(TypeDecorator[str]):
    """A Text column holding `PIICipher` tokens; Python sees plaintext str (or None).

    context: bound into the ciphertext (e.g. "applicants.operator_id"), so tokens cannot be
    swapped between columns. cipher: where to get the cipher (default: the installed one).
    Equality filters do not work on this column (ciphertexts differ); filter on a blind index.
    """

    impl = Text
    cache_ok = True

    def __init__(
        self, context: str, cipher: Callable[[], PIICipher] = active_pii_cipher, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.context = context
        self._cipher = cipher

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        return None if value is None else self._cipher().encrypt(value, self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        return None if value is None else self._cipher().decrypt(value, self.context)
