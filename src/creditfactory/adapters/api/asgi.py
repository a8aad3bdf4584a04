"""ASGI entry point: `uvicorn --factory creditfactory.adapters.api.asgi:create_from_env`.

Reads `config.Settings` (CREDITFACTORY_*) through bootstrap, plus the serving inputs:
- CREDITFACTORY_MODEL_SPEC: the frozen scorecard spec (default `<var_dir>/model/spec.json`); the
  credit policy the server starts with follows its data set (`decisioning.policy_for`); a spec
  whose report's checks fail (or that records none) is refused (ValidationError naming the
  setting) unless serving it was approved through maker-checker (`creditfactory model approve`,
  service_layer.model_approval), and that approval is named in every decision record;
- CREDITFACTORY_AS_OF: optional YYYY-MM-DD — the clock starts there (demos on past data);
- the data sources (`adapters.gateways.wiring.data_sources`): CREDITFACTORY_DATA_SOURCES,
  _INVOICES_DIR, _INVOICE_SUBJECTS, _REGISTRY_RECORDS, _COURT_RECORDS, _TAX_RECORDS (config.py;
  in development, unless set, the bundled sources of the served spec's data set);
- CREDITFACTORY_BOOTSTRAP_API_KEY / _CHANNEL: optional key registered at start (its hash; every
  worker registers it, the first insert wins and the others find it: `register_api_key`);
- CREDITFACTORY_FOLLOW_PUBLICATIONS_S: how often each worker looks for a spec or policy
  published since it started and switches to it (default 10 seconds; 0 never).
The CLI starts the server by this import string, so the CLI never imports the API package.

With `--workers N` (N > 1) uvicorn binds the socket itself with protocol 0, and asyncio then
leaves Nagle's algorithm on for accepted connections: a response written as headers + body
waits for the client's delayed ACK, ~40 ms per request on loopback. Serve with
`--http creditfactory.adapters.api.asgi:NoDelayHTTPProtocol` to set TCP_NODELAY on every
connection (measured: 44 ms → 0.5 ms per request with 2 workers).
"""

from __future__ import annotations

import asyncio
import gc
import socket
from datetime import UTC, date, datetime

from fastapi import FastAPI
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from creditfactory.adapters.api.main import create_app
from creditfactory.adapters.gateways import StdnumRegionRegistry
from creditfactory.adapters.gateways.wiring import data_sources
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork, reader_for
from creditfactory.adapters.storage.sqlite_writer import checkpoint_in_background
from creditfactory.bootstrap import bootstrap
from creditfactory.config import Settings
from creditfactory.decisioning import policy_for
from creditfactory.kernel.clock import Clock
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.ids import RandomIds
from creditfactory.scoring import load_spec
from creditfactory.scoring.errors import ModelSpecMismatch
from creditfactory.scoring.spec import spec_digest
from creditfactory.service_layer.factory_ports import FactoryDeps
from creditfactory.service_layer.model_approval import cleared_to_serve
from creditfactory.service_layer.rates_flow import published_series

__all__ = ["NoDelayHTTPProtocol", "ShiftedClock", "create_from_env"]


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP protocol with TCP_NODELAY set on each TCP connection (module docstring)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


class ShiftedClock:
    """The system clock moved so that it reads `start` 01:00 UTC when created."""

    def __init__(self, start: date) -> None:
        begin = datetime(start.year, start.month, start.day, 1, tzinfo=UTC)
        self._offset = begin - datetime.now(UTC)

    def now(self) -> datetime:
        """Shifted current time, tz-aware UTC."""
        return datetime.now(UTC) + self._offset


def create_from_env() -> FastAPI:
    """The API app wired from the environment (module docstring)."""
    settings = Settings()
    clock: Clock | None = ShiftedClock(settings.as_of) if settings.as_of else None
    wired = bootstrap(settings, clock=clock)
    checkpoint_in_background(wired.engine)
    try:  # a spec without its sha256 (or with another) is not trusted: `serve` says so first
        spec = load_spec(settings.spec_path.read_text(encoding="utf-8"), digest_required=True)
    except ModelSpecMismatch as exc:
        raise ValidationError("CREDITFACTORY_MODEL_SPEC", f"{settings.spec_path}: {exc}") from None
    with FactoryUnitOfWork(wired.engine, wired.clock) as uow:  # refused unless signed off
        approval = cleared_to_serve(uow, spec, "CREDITFACTORY_MODEL_SPEC",
                                    str(settings.spec_path), str(settings.spec_path))  # fmt: skip
    deps = FactoryDeps(
        uow=lambda: FactoryUnitOfWork(wired.engine, wired.clock),
        read=reader_for(wired.engine, wired.clock),
        spec=spec,
        spec_digest=spec_digest(spec),
        model_approval=approval,
        clock=wired.clock,
        ids=RandomIds(),
        sources=data_sources(settings, spec.training.get("dataset")),
        # the policy whose cut-offs were set for the served model's data set, else the default
        policy=policy_for(spec.training.get("dataset")),
        regions=StdnumRegionRegistry(),
    )
    deps.lpr_series = published_series(deps)  # the shipped series + published LPR fixings
    follow = settings.follow_publications_s
    app = create_app(
        deps,
        wired.engine,
        settings.secret_key,
        follow_publications_every_s=follow or None,
        production=settings.environment == "production",
    )
    if settings.bootstrap_api_key:
        app.state.security.register_api_key(
            settings.bootstrap_api_key, settings.bootstrap_channel, wired.clock.now()
        )
    # The ~150,000 objects of a started server (modules, spec, policy, compiled statements)
    # never die; a full garbage collection scanned them all, 60–70 ms that landed on whichever
    # request triggered it. Frozen, collections scan only what requests allocate since.
    gc.collect()
    gc.freeze()
    return app
