"""`creditfactory serve --workers 2` as an operator runs it: migrations once, two worker
processes answering on one port and sharing one SQLite database — concurrent duplicates still
make one loan, concurrent applications leave an audit log that verifies (each worker catches
its cached frontier up with the other's leaves), a policy published while serving decides on
both workers — and a supervisor's SIGTERM stopping every worker (a stopped parent once left its
workers serving on the port)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from creditfactory.adapters.cli.demo import sign_off
from creditfactory.adapters.cli.serve import serve
from creditfactory.adapters.storage.access_store import ModelStore
from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.origination_tables import applications
from creditfactory.adapters.storage.pii import (
    PIICipher,
    PIIKeyError,
    active_pii_cipher,
    generate_pii_key,
    install_pii_cipher,
)
from creditfactory.audit import verify_log
from creditfactory.decisioning import load_policy
from creditfactory.kernel.errors import ValidationError
from creditfactory.origination.application import demo_uscc
from tests.lpr_fixture import LPR_CURRENT_ON
from tests.sba_applicants import GOOD

SPEC = Path(__file__).parents[1] / "e2e" / "sba_spec.json"

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")


@dataclass
class Served:
    url: str
    database: str
    key: str
    parent: subprocess.Popen[bytes]
    pii_key: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start(tmp: Path) -> Served:
    """`creditfactory serve --workers 2` on a free port and a new SQLite file, once it answers."""
    port, key, pii_key = (
        _free_port(),
        f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}",
        generate_pii_key(),
    )
    database = f"sqlite:///{tmp / 'cf.sqlite3'}"
    sign_off(database, SPEC)  # the spec records no checks: served once signed off
    env = {**os.environ, "CREDITFACTORY_DATABASE_URL": database,
           "CREDITFACTORY_VAR_DIR": str(tmp), "CREDITFACTORY_ENVIRONMENT": "test",
           "CREDITFACTORY_PII_ENCRYPTION_KEY": pii_key, "CREDITFACTORY_MODEL_SPEC": str(SPEC),
           "CREDITFACTORY_BOOTSTRAP_API_KEY": key,
           "CREDITFACTORY_FOLLOW_PUBLICATIONS_S": "0.3",
           "CREDITFACTORY_AS_OF": LPR_CURRENT_ON.isoformat()}  # fmt: skip
    command = [sys.executable, "-c", "from creditfactory.adapters.cli.main import main; main()",
               "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    parent = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                return Served(url, database, key, parent, pii_key)
        except httpx.TransportError:
            pass
        if parent.poll() is not None or time.monotonic() > deadline:
            parent.kill()
            pytest.fail("creditfactory serve did not start")
        time.sleep(0.2)


def _workers(served: Served) -> list[int]:
    return [p for p in _children(served.parent.pid) if "spawn_main" in _cmdline(p)]


def _gone(pids: list[int], within_s: float = 30.0) -> bool:
    deadline = time.monotonic() + within_s
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    started = _start(tmp_path_factory.mktemp("serve"))
    yield started
    if started.parent.poll() is None:
        started.parent.kill()


def _apply(served: Served, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    with httpx.Client(base_url=served.url, timeout=60) as client:  # a connection of its own
        response = client.post(
            "/api/v1/applications",
            json=body,
            headers={"X-API-Key": served.key, "Idempotency-Key": idempotency_key},
        )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _body(number: int) -> dict[str, Any]:
    return {
        "applicant": {"applicant_type": "enterprise", "name": f"测试 {number}",
                      "uscc": demo_uscc(number)},
        "amount": "300000",
        "term_months": 12,
        "declared": GOOD,
    }  # fmt: skip


def test_two_workers_serve_one_database(served: Served) -> None:
    assert len(_workers(served)) == 2
    duplicate = secrets.token_hex(8)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: _apply(served, _body(1), duplicate), range(40)))
        distinct = list(pool.map(lambda n: _apply(served, _body(n), f"d{n}"), range(100, 160)))
    assert len({a["application_id"] for a in answers}) == 1
    assert len({a["loan_id"] for a in answers}) == 1 and answers[0]["status"] == "disbursed"
    assert len({a["application_id"] for a in distinct}) == 60
    try:
        before: PIICipher | None = active_pii_cipher()
    except PIIKeyError:
        before = None
    install_pii_cipher(PIICipher(served.pii_key))  # the digesters decrypt what the server wrote
    engine = make_engine(served.database)
    try:
        with engine.connect() as db:
            count = select(func.count()).where(applications.c.idempotency_key == duplicate)
            assert db.execute(count).scalar_one() == 1
            report = verify_log(SqlAuditStore(db), digesters=row_digesters(db))
    finally:
        engine.dispose()
        if before is not None:
            install_pii_cipher(before)
    assert report.ok, report.findings[:3]


def test_every_worker_follows_a_published_policy(served: Served) -> None:
    """Published while serving (straight in the store: maker-checker is tested elsewhere),
    the policy decides the applications of both workers after a few polls (0.3 s apart)."""
    version = f"credit-policy-serve-{secrets.token_hex(4)}"
    shipped = (
        resources.files("creditfactory.decisioning") / "policies" / "credit-policy-2024.1.json"
    )
    document = {**json.loads(shipped.read_text(encoding="utf-8")), "version": version}
    policy = load_policy(json.dumps(document))
    engine = make_engine(served.database)
    try:
        with engine.begin() as db:
            store, now = ModelStore(db), datetime.now(UTC)
            store.put_policy(version, policy.digest, json.dumps(document), "officer_maker", now)
            store.publish_policy(version, "officer_checker", now)
    finally:
        engine.dispose()
    deadline, number, seen = time.monotonic() + 60, 200, set()
    with ThreadPoolExecutor(8) as pool:
        while seen != {version}:  # a batch of 16 connections all on the new policy
            assert time.monotonic() < deadline, f"still deciding with {seen}"
            batch = range(number, number + 16)
            answers = list(pool.map(lambda n: _apply(served, _body(n), f"p{n}"), batch))
            seen, number = {a["decision"]["policy_version"] for a in answers}, number + 16


def test_sigterm_stops_every_worker(served: Served) -> None:
    workers = _workers(served)
    served.parent.send_signal(signal.SIGTERM)
    assert served.parent.wait(timeout=30) == 0
    assert workers and _gone(workers)


def test_a_worker_that_dies_stops_the_service_with_exit_1(tmp_path: Path) -> None:
    """So that a supervisor's restart-on-failure brings the whole service back."""
    started = _start(tmp_path)
    first, second = _workers(started)
    os.kill(first, signal.SIGKILL)
    assert started.parent.wait(timeout=30) == 1
    assert _gone([second])


def test_workers_stop_when_the_parent_is_killed(tmp_path: Path) -> None:
    """Killed outright, the parent cannot stop them: each notices within a second."""
    started = _start(tmp_path)
    workers = _workers(started)
    started.parent.kill()
    started.parent.wait(timeout=30)
    assert len(workers) == 2 and _gone(workers)


def test_a_port_in_use_is_refused() -> None:
    """Without the check the workers' SO_REUSEPORT sockets would join the other listener."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ValidationError, match="port: .* is not free"):
            serve("127.0.0.1", taken.getsockname()[1], 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((8000, 0), "workers: 1 to "),
        ((8000, 10_000), "workers: 1 to "),
        ((0, 1), "port: 1 to 65535"),
        ((70_000, 2), "port: 1 to 65535"),
    ],
)
def test_options_are_checked_before_anything_starts(args: tuple[int, int], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        serve("127.0.0.1", *args)


def test_an_unknown_host_is_named() -> None:
    with pytest.raises(ValidationError, match="host: cannot resolve 'no-such-host.invalid'"):
        serve("no-such-host.invalid", 9, 2)
