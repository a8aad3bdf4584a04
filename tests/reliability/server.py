"""`creditfactory serve` as a subprocess the reliability tests can kill -9 and start again on
the same database, keys and business date (CREDITFACTORY_AS_OF)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from creditfactory.adapters.cli.demo import sign_off
from creditfactory.adapters.storage.pii import generate_pii_key
from tests.integration.test_serve import SPEC, _children, _free_port, _gone


@dataclass
class Server:
    """One service on `database`; `start` (again) after `kill9` keeps keys and data."""

    tmp: Path
    database: str
    workers: int = 2
    key: str = field(
        default_factory=lambda: f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"
    )
    pii_key: str = field(default_factory=generate_pii_key)
    port: int = field(default_factory=_free_port)
    parent: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, as_of: date) -> None:
        """Serve with business date `as_of` once it answers (180 s at most: a loaded 2-core machine took over 90)."""
        env = {**os.environ, "CREDITFACTORY_DATABASE_URL": self.database,
               "CREDITFACTORY_VAR_DIR": str(self.tmp), "CREDITFACTORY_ENVIRONMENT": "test",
               "CREDITFACTORY_PII_ENCRYPTION_KEY": self.pii_key,
               "CREDITFACTORY_MODEL_SPEC": str(SPEC), "CREDITFACTORY_BOOTSTRAP_API_KEY": self.key,
               "CREDITFACTORY_AS_OF": as_of.isoformat()}  # fmt: skip
        command = [sys.executable, "-c", "from creditfactory.adapters.cli.main import main; main()",
                   "serve", "--port", str(self.port), "--workers", str(self.workers),
                   "--log-level", "critical"]  # fmt: skip
        sign_off(self.database, SPEC)  # the spec records no checks: served once signed off
        self.parent = subprocess.Popen(command, env=env)
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.parent.poll() is not None or time.monotonic() > deadline:
                self.parent.kill()
                raise RuntimeError("creditfactory serve did not start")
            time.sleep(0.1)

    def kill9(self) -> None:
        """SIGKILL the parent and every worker at once, mid-request (no shutdown runs)."""
        assert self.parent is not None
        pids = [*_children(self.parent.pid), self.parent.pid]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.parent.wait(timeout=30)
        assert _gone(pids)
        self.parent = None

    def stop(self) -> None:
        """Stop gracefully (end of test)."""
        if self.parent is not None and self.parent.poll() is None:
            self.parent.send_signal(signal.SIGTERM)
            self.parent.wait(timeout=60)
        self.parent = None
