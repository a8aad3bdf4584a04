"""`creditfactory serve` refuses a configuration mistake with one line on stderr and exit 2
before any worker starts (issue 13, defect 8: a malformed CREDITFACTORY_BOOTSTRAP_API_KEY
crashed `serve` with "unexpected ValueError" — exit 1 — from inside the app factory)."""

from __future__ import annotations

import secrets
import socket
from pathlib import Path
from typing import Any

import pytest

from creditfactory.adapters.cli.serve import serve
from creditfactory.adapters.storage.pii import generate_pii_key
from creditfactory.kernel.errors import ValidationError
from tests.cli import run_cli

SPEC = Path(__file__).parents[1] / "e2e" / "sba_spec.json"
GOOD_KEY = f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A test deployment that would serve: SQLite under tmp_path, the bundled SBA spec."""
    for name, value in {
        "CREDITFACTORY_ENVIRONMENT": "test",
        "CREDITFACTORY_VAR_DIR": str(tmp_path),
        "CREDITFACTORY_DATABASE_URL": f"sqlite:///{tmp_path / 'cf.sqlite3'}",
        "CREDITFACTORY_PII_ENCRYPTION_KEY": generate_pii_key(),
        "CREDITFACTORY_MODEL_SPEC": str(SPEC),
        "CREDITFACTORY_BOOTSTRAP_API_KEY": GOOD_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("CREDITFACTORY_BOOTSTRAP_API_KEY", "not-a-key", "CREDITFACTORY_BOOTSTRAP_API_KEY"),
        ("CREDITFACTORY_BOOTSTRAP_API_KEY", "cfk_short_x", "CREDITFACTORY_BOOTSTRAP_API_KEY"),
        ("CREDITFACTORY_BOOTSTRAP_API_KEY", GOOD_KEY.replace("cfk_", "cfk_x" * 20, 1),
         "CREDITFACTORY_BOOTSTRAP_API_KEY"),
        ("CREDITFACTORY_BOOTSTRAP_CHANNEL", "a channel with spaces", "CREDITFACTORY_BOOTSTRAP_CHANNEL"),
        ("CREDITFACTORY_AS_OF", "2026-02-31", "CREDITFACTORY_AS_OF"),
        ("CREDITFACTORY_AS_OF", "20260101", "CREDITFACTORY_AS_OF"),
        ("CREDITFACTORY_PII_ENCRYPTION_KEY", "too-short", "PII"),
        ("CREDITFACTORY_FOLLOW_PUBLICATIONS_S", "-1", "CREDITFACTORY_FOLLOW_PUBLICATIONS_S"),
        ("CREDITFACTORY_MODEL_SPEC", "/nonexistent/spec.json", "CREDITFACTORY_MODEL_SPEC"),
        ("CREDITFACTORY_REGISTRY_RECORDS", "/nonexistent/registry.json", "registry"),
    ],
)  # fmt: skip
def test_defect_08_a_configuration_mistake_is_one_line_and_exit_2(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any,
    name: str, value: str, named: str,
) -> None:  # fmt: skip
    monkeypatch.setenv(name, value)
    port = _free_port()
    code, _, err = run_cli(["serve", "--port", str(port), "--workers", "2"], monkeypatch, capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and named in err, err
    with socket.socket() as again:  # the port was released
        again.bind(("127.0.0.1", port))


def test_a_signing_key_that_is_not_a_key_is_named(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Before, the first audit request of each worker answered 500 (SigningKeyUnavailable)."""
    broken = environment / "audit.pem"
    broken.write_text("not a key", encoding="utf-8")
    monkeypatch.setenv("CREDITFACTORY_AUDIT_SIGNING_KEY_PATH", str(broken))
    code, _, err = run_cli(["serve", "--port", str(_free_port())], monkeypatch, capsys)
    assert code == 2 and "audit.pem: not an unencrypted PEM private key" in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_spec_file_that_is_not_a_spec_is_named(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    broken = environment / "spec.json"
    broken.write_text('{"schema": "nothing"', encoding="utf-8")
    monkeypatch.setenv("CREDITFACTORY_MODEL_SPEC", str(broken))
    code, _, err = run_cli(["serve", "--port", str(_free_port())], monkeypatch, capsys)
    assert code == 2 and err.startswith("error: CREDITFACTORY_MODEL_SPEC"), err
    assert len(err.strip().splitlines()) == 1


def test_a_refused_start_releases_its_claim_on_the_address() -> None:
    """The second refusal in one process named the port as "served by another creditfactory
    serve": the first had kept its lock (so did every long-lived caller, e.g. a test run)."""
    for _ in range(2):
        with pytest.raises(ValidationError, match="host: cannot resolve 'no-such-host.invalid'"):
            serve("no-such-host.invalid", 11, 2)
