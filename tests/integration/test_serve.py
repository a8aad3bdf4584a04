"""`creditfactory serve --workers 2` as an operator runs it: migrations once, two worker
processes answering on one port, and a supervisor's SIGTERM stopping every worker (a stopped
parent once left its workers serving on the port)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer

from creditfactory.adapters.cli.serve import serve
from creditfactory.adapters.storage.pii import generate_pii_key

SPEC = Path(__file__).parents[1] / "e2e" / "sba_spec.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_two_workers_serve_and_stop_together(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "CREDITFACTORY_DATABASE_URL": f"sqlite:///{tmp_path / 'cf.sqlite3'}",
           "CREDITFACTORY_VAR_DIR": str(tmp_path), "CREDITFACTORY_ENVIRONMENT": "test",
           "CREDITFACTORY_PII_ENCRYPTION_KEY": generate_pii_key(),
           "CREDITFACTORY_MODEL_SPEC": str(SPEC)}  # fmt: skip
    command = [sys.executable, "-c", "from creditfactory.adapters.cli.main import main; main()",
               "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    parent = subprocess.Popen(command, env=env)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert parent.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        workers = [p for p in _children(parent.pid) if "spawn_main" in _cmdline(p)]
        assert len(workers) == 2
    finally:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
    assert not any(_alive(p) for p in workers)


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_a_port_in_use_is_refused() -> None:
    """Without the check the workers' SO_REUSEPORT sockets would join the other listener."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(typer.BadParameter, match="in use"):
            serve("127.0.0.1", taken.getsockname()[1], 2)


def test_workers_must_be_positive() -> None:
    with pytest.raises(typer.BadParameter, match="workers"):
        serve("127.0.0.1", 0, 0)
