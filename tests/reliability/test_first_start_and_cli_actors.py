"""A usable first start and officers who prove who they are on the command line (issue 13
defects 4 and 12): `users bootstrap-admin` makes the first TWO administrators, so the first role
change has its maker and its checker; deactivate, reset and revoke take effect at once; the
monitoring and LPR commands no longer believe a bare `--actor` / `--officer` name."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from creditfactory.adapters.storage.engine import make_engine
from tests.cli import run_cli_process
from tests.e2e.conftest import SyncClient, _cipher, make_api

__all__ = ["_cipher", "make_api"]  # fixtures used here

PASSWORD = "a long password 1"


def _cli(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli_process(tmp / "first.sqlite3", *args, stdin=stdin)


def _engine(tmp: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp / 'first.sqlite3'}")


def _bearer(client: SyncClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/officers/login", json={"username": username,
                                                         "password": password})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_defect_04_a_fresh_install_can_grant_a_role(tmp_path: Path, make_api: Any) -> None:
    """Before: bootstrap-admin refused a second administrator and a role change needs a
    different administrator to approve — no role could ever be granted."""
    made = _cli(tmp_path, "users", "bootstrap-admin", "alice", "bob", "--password-stdin",
                stdin=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    third = _cli(tmp_path, "users", "bootstrap-admin", "eve", "--password-stdin",
                 stdin=f"{PASSWORD}\n")  # fmt: skip
    assert third.returncode == 2 and "use an approved role change" in third.stderr
    assert _cli(tmp_path, "users", "add", "carol", "--password-stdin",
                stdin=f"{PASSWORD}\n").returncode == 0  # fmt: skip
    engine = _engine(tmp_path)
    client = make_api(engine).client
    alice, bob = _bearer(client, "alice"), _bearer(client, "bob")
    body = {"kind": "role_change", "subject": "officer:off_carol",
            "params": {"role": "loan_officer"}}  # fmt: skip
    item = client.post("/api/v1/approvals", json=body, headers=alice)
    assert item.status_code == 200, item.text
    approval_id = item.json()["approval_id"]
    assert client.post(f"/api/v1/approvals/{approval_id}/approve", json={},
                       headers=bob).status_code == 200  # fmt: skip
    done = client.request("PUT", "/api/v1/officers/off_carol/role",
                          json={"approval_id": approval_id}, headers=alice)  # fmt: skip
    assert done.status_code == 200, done.text
    carol = _bearer(client, "carol")
    assert client.get("/api/v1/referrals", headers=carol).status_code == 200  # loan officer now

    # containment: revoke ends carol's sessions, reset changes her password, deactivate stops her
    revoked = _cli(tmp_path, "users", "revoke", "carol", "--reason", "token pasted in a ticket")
    assert revoked.returncode == 0, revoked.stderr
    assert client.get("/api/v1/referrals", headers=carol).status_code == 401
    new_password = "another long password"
    reset = _cli(tmp_path, "users", "reset-password", "carol", "--reason", "forgot it",
                 "--password-stdin", stdin=f"{new_password}\n")  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    old = client.post("/api/v1/officers/login", json={"username": "carol", "password": PASSWORD})
    assert old.status_code == 401
    carol = _bearer(client, "carol", new_password)
    off = _cli(tmp_path, "users", "deactivate", "carol", "--reason", "left the bank")
    assert off.returncode == 0, off.stderr
    assert client.get("/api/v1/referrals", headers=carol).status_code == 401
    assert _cli(tmp_path, "users", "deactivate", "carol").returncode == 2  # no reason → exit 2
    verify = _cli(tmp_path, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    engine.dispose()


def test_a_revoked_channel_key_stops_working(tmp_path: Path, make_api: Any) -> None:
    assert _cli(tmp_path, "users", "bootstrap-admin", "root", "--password-stdin",
                stdin=f"{PASSWORD}\n").returncode == 0  # fmt: skip
    key = _cli(tmp_path, "users", "channel-key", "ch_x").stdout.strip()
    engine = _engine(tmp_path)
    client = make_api(engine).client
    assert client.get("/api/v1/loans/nope", headers={"X-API-Key": key}).status_code == 404
    key_id = key.split("_")[1]
    out = _cli(tmp_path, "users", "revoke-key", key_id, "--reason", "partner contract ended")
    assert out.returncode == 0, out.stderr
    fresh = make_api(engine).client  # another worker: no cached key
    assert fresh.get("/api/v1/loans/nope", headers={"X-API-Key": key}).status_code == 401
    engine.dispose()


def test_defect_12_monitoring_actions_authenticate_the_actor(tmp_path: Path) -> None:
    """Before: `--actor anyone` was written into the alert's history unchecked."""
    assert _cli(tmp_path, "users", "bootstrap-admin", "root", "--password-stdin",
                stdin=f"{PASSWORD}\n").returncode == 0  # fmt: skip
    dismiss = ["monitor", "dismiss", "alert_x", "--reason", "namesake", "--actor", "root"]
    bare = _cli(tmp_path, *dismiss)
    assert bare.returncode == 2 and "error: password:" in bare.stderr
    wrong = _cli(tmp_path, *dismiss, "--password-stdin", stdin="not the password\n")
    assert wrong.returncode == 2 and "error: credentials:" in wrong.stderr
    nobody = ["monitor", "dismiss", "alert_x", "--reason", "namesake", "--actor", "nobody"]
    assert "error: credentials:" in _cli(tmp_path, *nobody, "--password-stdin",
                                         stdin=f"{PASSWORD}\n").stderr  # fmt: skip
    admin = _cli(tmp_path, *dismiss, "--password-stdin", stdin=f"{PASSWORD}\n")
    assert admin.returncode == 2 and "lacks permission monitoring.act" in admin.stderr
    release = ["monitor", "release-floor", "loan_x", "--actor", "root", "--reason", "settled"]
    refused = _cli(tmp_path, *release, "--password-stdin", stdin=f"{PASSWORD}\n")
    assert refused.returncode == 2 and "monitoring.release_floor" in refused.stderr


def test_defect_12_rates_officer_must_prove_it(tmp_path: Path) -> None:
    assert _cli(tmp_path, "users", "bootstrap-admin", "root", "--password-stdin",
                stdin=f"{PASSWORD}\n").returncode == 0  # fmt: skip
    bare = _cli(tmp_path, "rates", "approve", "imp_x", "--officer", "root")
    assert bare.returncode == 2 and "error: password:" in bare.stderr
    wrong = _cli(tmp_path, "rates", "approve", "imp_x", "--officer", "root", "--password-stdin",
                 stdin="nope\n")  # fmt: skip
    assert wrong.returncode == 2 and "error: credentials:" in wrong.stderr
