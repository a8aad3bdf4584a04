"""Issue 13, defect 13: on PostgreSQL `serve --workers 2` with a bootstrap API key crashed a
worker in 1 of 7 starts (`UniqueViolation pk_api_keys`: both workers looked the key up, found
none, and inserted it) and the service exited 1.

Registration is now one insert, the primary key deciding: the loser of the race finds the
winner's row and goes on. Tested with workers racing in threads (deterministic: a barrier
releases them together; it failed before on SQLite and PostgreSQL alike) and with real
`creditfactory serve --workers 2` starts on PostgreSQL, each with a new key (`STARTS`; more with
RELIABILITY_FULL=1).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, update

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.api.errors import Unauthorized
from creditfactory.adapters.api.security import Security, new_api_key
from creditfactory.adapters.cli.demo import sign_off
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.identity_tables import api_keys
from creditfactory.adapters.storage.pii import generate_pii_key
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.errors import ValidationError
from tests.e2e.conftest import _cipher, any_engine  # noqa: F401 - fixtures used by name
from tests.integration.test_serve import _children, _cmdline, _free_port
from tests.lpr_fixture import LPR_CURRENT_ON
from tests.pg import postgres_url

WORKERS = 8
STARTS = 10 if os.environ.get("RELIABILITY_FULL") == "1" else 2
SPEC = Path(__file__).parents[1] / "e2e" / "sba_spec.json"


def _register_together(engine: Engine, key: str, channel: str) -> list[BaseException]:
    """`WORKERS` processes' worth of `register_api_key`, released at once; their errors."""
    barrier, errors = threading.Barrier(WORKERS), []
    now = datetime.now(UTC)

    def worker() -> None:
        security = Security(engine, "secret", SystemClock(), DEFAULT_ACCESS)
        barrier.wait()
        try:
            security.register_api_key(key, channel, now)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_defect_13_racing_workers_register_the_bootstrap_key_once(any_engine: Engine) -> None:  # noqa: F811
    key = new_api_key()
    key_id = key.split("_")[1]
    assert _register_together(any_engine, key, "ch-boot") == []
    with any_engine.connect() as db:
        rows = db.execute(select(func.count()).where(api_keys.c.key_id == key_id)).scalar_one()
        leaves = db.execute(
            select(audit_entries.c.action).where(audit_entries.c.subject == key_id)
        ).scalars()
        assert list(leaves) == ["api_key.registered"]  # one audit leaf: the winner's
    assert rows == 1
    security = Security(any_engine, "secret", SystemClock(), DEFAULT_ACCESS)
    assert security.channel(key).channel_id == "ch-boot"


def test_the_same_key_id_with_another_secret_or_channel_is_refused(any_engine: Engine) -> None:  # noqa: F811
    key = new_api_key()
    security = Security(any_engine, "secret", SystemClock(), DEFAULT_ACCESS)
    security.register_api_key(key, "ch-a", datetime.now(UTC))
    security.register_api_key(key, "ch-a", datetime.now(UTC))  # a restart: nothing to do
    forged = key[: key.rindex("_") + 1] + secrets.token_urlsafe(32)
    with pytest.raises(ValidationError, match="CREDITFACTORY_BOOTSTRAP_API_KEY: key id"):
        security.register_api_key(forged, "ch-a", datetime.now(UTC))
    with pytest.raises(ValidationError, match="another secret or channel"):
        security.register_api_key(key, "ch-b", datetime.now(UTC))


def test_a_revoked_bootstrap_key_stays_revoked_across_restarts(any_engine: Engine) -> None:  # noqa: F811
    key = new_api_key()
    security = Security(any_engine, "secret", SystemClock(), DEFAULT_ACCESS)
    security.register_api_key(key, "ch-r", datetime.now(UTC))
    with any_engine.begin() as db:  # revoked (as `users revoke-key` does)
        db.execute(update(api_keys).where(api_keys.c.key_id == key.split("_")[1])
                   .values(active=False))  # fmt: skip
    restarted = Security(any_engine, "secret", SystemClock(), DEFAULT_ACCESS)
    restarted.register_api_key(key, "ch-r", datetime.now(UTC))  # the environment still has it
    with pytest.raises(Unauthorized):
        restarted.channel(key)


def _serve_once(url: str, tmp: Path) -> tuple[int, str]:
    """Start `serve --workers 2` on PostgreSQL with a new bootstrap key; once both workers answer
    an authenticated request, SIGTERM. Returns the exit code and stderr."""
    port, key = _free_port(), new_api_key()
    env = {**os.environ, "CREDITFACTORY_DATABASE_URL": url, "CREDITFACTORY_VAR_DIR": str(tmp),
           "CREDITFACTORY_ENVIRONMENT": "test", "CREDITFACTORY_PII_ENCRYPTION_KEY":
           generate_pii_key(), "CREDITFACTORY_MODEL_SPEC": str(SPEC),
           "CREDITFACTORY_BOOTSTRAP_API_KEY": key, "CREDITFACTORY_FOLLOW_PUBLICATIONS_S": "0",
           "CREDITFACTORY_AS_OF": LPR_CURRENT_ON.isoformat()}  # fmt: skip
    command = [sys.executable, "-c", "from creditfactory.adapters.cli.main import main; main()",
               "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    sign_off(url, SPEC)  # the spec records no checks: served once signed off
    log = tmp / f"serve-{port}.err"
    with log.open("wb") as err:
        parent = subprocess.Popen(command, env=env, stderr=err)
    deadline, answered = time.monotonic() + 90, 0
    try:
        while answered < 8 and parent.poll() is None and time.monotonic() < deadline:
            try:  # a new connection each time: SO_REUSEPORT spreads them over both workers
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/loans/loan_none",
                                     headers={"X-API-Key": key}, timeout=5)  # fmt: skip
                answered += response.status_code == 404  # authenticated, then not found
            except httpx.TransportError:
                time.sleep(0.2)
        workers = [p for p in _children(parent.pid) if "spawn_main" in _cmdline(p)]
        assert parent.poll() is None and len(workers) == 2, "a worker or the service died"
        parent.send_signal(signal.SIGTERM)
        code = parent.wait(timeout=60)
    finally:
        if parent.poll() is None:
            parent.kill()
    return code, log.read_text(errors="replace")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_defect_13_postgresql_serve_two_workers_with_a_bootstrap_key(tmp_path: Path) -> None:
    url = postgres_url()
    outcomes: list[Any] = [_serve_once(url, tmp_path) for _ in range(STARTS)]
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert not any("UniqueViolation" in err for _, err in outcomes), outcomes
