"""Configuration errors are one line and exit 2 before anything is served (attack13 finding 5):
an invalid CREDITFACTORY_TRUSTED_PROXIES entry, a malformed CREDITFACTORY_DATA_VENDOR_URL and an
unsupported CREDITFACTORY_DATABASE_URL dialect were served (or, for mysql://, exit 1 "unexpected
ModuleNotFoundError … please report it"); a missing CREDITFACTORY_INVOICES_DIR is refused too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from creditfactory.adapters.cli import main as cli_main
from creditfactory.adapters.cli.serve import _settings
from creditfactory.kernel.errors import ValidationError
from tests.stability_samples import SPEC_PATH

BAD = [
    ("CREDITFACTORY_TRUSTED_PROXIES", "999.1.1.1"),
    ("CREDITFACTORY_TRUSTED_PROXIES", "10.0.0.5,proxy.example"),
    ("CREDITFACTORY_DATA_VENDOR_URL", "notaurl"),
    ("CREDITFACTORY_DATA_VENDOR_URL", "ftp://vendor.example/api"),
    ("CREDITFACTORY_DATABASE_URL", "mysql://x"),
    ("CREDITFACTORY_INVOICES_DIR", "/nonexistent"),
]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("CREDITFACTORY_ENVIRONMENT", "test")
    monkeypatch.setenv("CREDITFACTORY_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CREDITFACTORY_MODEL_SPEC", str(SPEC_PATH))
    return tmp_path


@pytest.mark.parametrize(("name", "value"), BAD)
def test_attack13_05_serve_refuses_bad_config_before_serving(
    environment: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        _settings()
    assert refused.value.field == name and "\n" not in str(refused.value)


@pytest.mark.parametrize(("name", "value"), BAD[:5])
def test_attack13_05_every_command_exits_2_on_a_bad_setting(
    environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["creditfactory", "audit", "verify"])
    with pytest.raises(SystemExit) as exc:
        cli_main.main()
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    assert err.startswith(f"error: {name}: ") and err.count("\n") == 1, err
    assert "unexpected" not in err and "Value error" not in err
    assert not (environment / "var").exists()  # nothing created


@pytest.mark.parametrize("value", ["", "127.0.0.1", "10.0.0.5, 10.1.0.0/16", "::1,fd00::/8"])
def test_attack13_05_good_proxy_lists_are_accepted(
    environment: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from creditfactory.config import Settings

    monkeypatch.setenv("CREDITFACTORY_TRUSTED_PROXIES", value)
    assert Settings().trusted_proxies == value


@pytest.mark.parametrize(
    "args", [["audit", "verify"], ["servicing", "reconcile"], ["users", "list"]]
)
def test_attack13_09_read_commands_leave_an_empty_sqlite_file_untouched(
    environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    # exit 2 was right, but a 4 KB header (the engine's WAL pragma) was written into the file
    empty = environment / "empty.sqlite3"
    empty.touch()
    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", f"sqlite:///{empty}")
    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    with pytest.raises(SystemExit) as exc:
        cli_main.main()
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "no creditfactory schema" in err, err
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in environment.iterdir()) == ["empty.sqlite3"]  # no -wal, -shm
