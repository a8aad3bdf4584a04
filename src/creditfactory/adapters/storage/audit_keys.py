"""The tree-head signing key on disk: an Ed25519 private key, PKCS#8 PEM, unencrypted, mode 0600.

`Settings.audit_signing_key_path` (default var/audit_ed25519.pem) names it. Development and test
generate one when it is missing; production refuses (SigningKeyUnavailable) — provision the key
(e.g. from a secret store) and publish its public half (`creditfactory audit export-public-key`).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from creditfactory.audit.errors import SigningKeyUnavailable
from creditfactory.config import Settings
from creditfactory.kernel.errors import ValidationError

__all__ = ["load_public_key", "load_signing_key", "public_key_pem"]


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The signing key at `settings.audit_signing_key_path`, generated there outside production.

    Raises:
        SigningKeyUnavailable: missing in production, or the file holds no Ed25519 private key.
    """
    path = settings.audit_signing_key_path
    if path is None:  # Settings fills a default; only a hand-built Settings lacks one
        raise SigningKeyUnavailable("audit_signing_key_path is not set")
    if not path.exists():
        if settings.environment == "production":
            raise SigningKeyUnavailable(f"audit signing key {path} is missing (production)")
        return _generate(path)
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise SigningKeyUnavailable(f"{path}: not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyUnavailable(f"{path}: not an Ed25519 key")
    return key


def _generate(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes racing to create it must not overwrite each other's key
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SubjectPublicKeyInfo PEM of the (public half of the) key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (public, or private whose public half is used).

    Raises ValidationError("public_key", …) when the file is unreadable or holds another kind.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("public_key", f"cannot read {path}") from exc
    try:
        key: object = load_pem_public_key(data)
    except ValueError:
        try:
            key = load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise ValidationError("public_key", f"{path} is not a PEM Ed25519 key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationError("public_key", f"{path} is not an Ed25519 key")
    return key
