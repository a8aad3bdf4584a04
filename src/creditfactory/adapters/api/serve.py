"""Wiring and serving: build the API app from settings and a model spec, run uvicorn in a thread.

Used by `creditfactory api serve`, `creditfactory demo` and the benchmark. A `ShiftedClock`
lets a demo run "as of" a past date (the CUMCM invoices end in 2020) while time still moves.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from creditfactory.adapters.api.main import create_app
from creditfactory.adapters.gateways import StdnumRegionRegistry
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import install_pii_cipher, pii_cipher_from_settings
from creditfactory.bootstrap import App, bootstrap
from creditfactory.config import Settings
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination import DataSources
from creditfactory.scoring import load_spec
from creditfactory.service_layer.factory_ports import FactoryDeps

__all__ = ["BackgroundServer", "ShiftedClock", "build_api"]


class ShiftedClock:
    """The system clock moved so that it started at `start` (UTC midnight) when created."""

    def __init__(self, start: date) -> None:
        begin = datetime(start.year, start.month, start.day, 1, tzinfo=UTC)
        self._offset = begin - datetime.now(UTC)

    def now(self) -> datetime:
        """Shifted current time, tz-aware UTC."""
        return datetime.now(UTC) + self._offset


def build_api(
    settings: Settings,
    spec_path: Path,
    sources: DataSources | None = None,
    clock: Clock | None = None,
) -> tuple[FastAPI, App]:
    """Bootstrap (migrations, PII cipher) and the API app over the spec at `spec_path`."""
    wired = bootstrap(settings, clock=clock)
    install_pii_cipher(pii_cipher_from_settings(settings))
    text = spec_path.read_text(encoding="utf-8")
    deps = FactoryDeps(
        uow=lambda: FactoryUnitOfWork(wired.engine, wired.clock),
        spec=load_spec(text),
        spec_digest=json.loads(text)["sha256"],
        clock=wired.clock,
        ids=RandomIds(),
        sources=sources or DataSources(),
        regions=StdnumRegionRegistry(),
    )
    return create_app(deps, wired.engine, settings.secret_key), wired


@dataclass
class BackgroundServer:
    """uvicorn serving `app` on a daemon thread."""

    app: FastAPI
    host: str = "127.0.0.1"
    port: int = 8000

    def start(self, timeout_s: float = 15.0) -> None:
        """Start and wait until the socket listens."""
        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start on {self.host}:{self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        while self.thread.is_alive():
            self.thread.join(timeout=timedelta(seconds=1).total_seconds())
