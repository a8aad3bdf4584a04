"""`creditfactory serve`: the HTTP API (uvicorn) in N worker processes.

The app comes from `adapters.api.asgi:create_from_env` by import string (the CLI never imports
the API package), configured by the CREDITFACTORY_* environment (README, asgi.py), served with
TCP_NODELAY on every connection.

Why not `uvicorn --workers N`: its workers share one listening socket and race on `accept`, so
keep-alive connections opened together land on whichever worker wakes first — measured: all 8
connections of a load test on one of two workers, the other idle. Here the parent binds one
SO_REUSEPORT socket per worker and the kernel spreads new connections over them by hash (Linux
≥ 3.9; elsewhere use one worker).

Supervision, as an operator expects it: the configuration (spec file, settings, host, port) is
checked, the migrations run and the spec's sign-off is checked (a spec failing its report's
checks is served only once approved: `creditfactory model approve`) once, in the parent, before
any worker starts, so mistakes are
one line on stderr (exit 2), not a traceback per worker. Ctrl-C or SIGTERM to the parent stops
every worker gracefully (the workers have their own process group, so a terminal's Ctrl-C
reaches the parent alone) and exits 0. A worker that dies on its own stops the others and the
parent exits 1, for the supervisor to restart the service. Workers stop by themselves when the
parent is gone (killed with SIGKILL, say). A second server on the same host and port is refused.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from types import FrameType
from typing import Any

import typer
import uvicorn
from pydantic import ValidationError as SettingsError
from sqlalchemy.exc import SQLAlchemyError

from creditfactory.adapters.gateways.wiring import source_files
from creditfactory.adapters.storage.audit_keys import load_signing_key
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import pii_cipher_from_settings
from creditfactory.config import Settings, settings_problem
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring import ScorecardSpec, load_spec
from creditfactory.scoring.errors import ModelSpecMismatch
from creditfactory.service_layer.model_approval import cleared_to_serve

__all__ = ["register", "serve"]

ASGI_FACTORY = "creditfactory.adapters.api.asgi:create_from_env"
NODELAY_PROTOCOL = "creditfactory.adapters.api.asgi:NoDelayHTTPProtocol"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
STOP_GRACE_S = 30.0  # how long stopping workers may drain their requests


def _config(host: str, port: int, log_level: str) -> uvicorn.Config:
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default; only the configured proxies
    proxies = Settings().trusted_proxies.strip()
    return uvicorn.Config(
        ASGI_FACTORY,
        factory=True,
        host=host,
        port=port,
        http=NODELAY_PROTOCOL,
        log_level=log_level,
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )


def _settings() -> tuple[Settings, ScorecardSpec]:
    """The settings and the spec, checked now rather than in every worker: their syntax (e.g. a
    malformed CREDITFACTORY_BOOTSTRAP_API_KEY or _AS_OF), the PII key, the audit signing key, the
    spec file (present and a spec) and the data-source files. raises ValidationError /
    CreditFactoryError (exit 2, one line)."""
    try:
        settings = Settings()
    except SettingsError as exc:
        raise ValidationError(*settings_problem(exc)) from None
    if not settings.spec_path.is_file():
        raise ValidationError(
            "CREDITFACTORY_MODEL_SPEC",
            f"no scorecard spec at {settings.spec_path} (`make demo` trains one)",
        )
    try:
        spec = load_spec(settings.spec_path.read_text(encoding="utf-8"), digest_required=True)
    except (OSError, UnicodeDecodeError, ModelSpecMismatch) as exc:
        raise ValidationError("CREDITFACTORY_MODEL_SPEC", f"{settings.spec_path}: {exc}") from None
    pii_cipher_from_settings(settings)  # PIIKeyError: missing in production or malformed
    # SigningKeyUnavailable: missing in production or not an Ed25519 PEM; outside production a
    # missing key is generated here once, not raced for by the workers at their first audit call
    load_signing_key(settings)
    # a configured data-source file that is missing: exit 2 here
    source_files(settings, spec.training.get("dataset"))
    return settings, spec


def _migrate(settings: Settings, spec: ScorecardSpec) -> None:
    """Migrate the database, then check the spec may be served: its report's checks pass or
    serving it was approved (maker-checker, `model_approval.cleared_to_serve`; exit 2 naming
    the spec, the failed checks and `creditfactory model approve`)."""
    try:
        engine = make_engine(settings.database_url)  # creates a SQLite file's folder
    except OSError as exc:
        raise ValidationError("CREDITFACTORY_DATABASE_URL", f"cannot create: {exc}") from None
    try:
        upgrade_schema(engine)
        with FactoryUnitOfWork(engine, SystemClock()) as uow:
            path = str(settings.spec_path)
            cleared_to_serve(uow, spec, "CREDITFACTORY_MODEL_SPEC", path, path)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ValidationError("CREDITFACTORY_DATABASE_URL", f"cannot migrate: {reason}") from None
    finally:
        engine.dispose()


def _family(host: str, port: int) -> socket.AddressFamily:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValidationError("host", f"cannot resolve {host!r} ({exc.strerror})") from None
    return found[0][0]


def _claim(host: str, port: int) -> int:
    """Hold `<tmp>/creditfactory-serve-<host>-<port>.lock` for this process's life: a second
    `serve` on the same address is refused at once (a plain bind alone left a few seconds in
    which two servers could both start and split the traffic)."""
    path = os.path.join(tempfile.gettempdir(), f"creditfactory-serve-{host}-{port}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ValidationError(
            "port", f"{host}:{port} is served by another creditfactory serve"
        ) from None
    return fd


def _listeners(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on host:port with SO_REUSEPORT. A plain bind first: SO_REUSEPORT
    alone would join a port another program listens on and split its traffic silently."""
    family = _family(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValidationError("port", f"{host}:{port} is not free ({exc.strerror})") from None
    sockets = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sockets.append(sock)
    return sockets


def _exit_zero(_signum: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def _exit_with(parent: int) -> None:
    """Stop this worker gracefully once its parent is gone (it was killed outright)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(sock: socket.socket, host: str, log_level: str, parent: int) -> None:
    """One worker process: one uvicorn server on its own listening socket."""
    os.setpgrp()  # a terminal's Ctrl-C goes to the parent alone, which stops us in order
    # uvicorn stops gracefully on SIGINT / SIGTERM, then raises the signal again to the
    # handlers it found: make that a clean exit instead of a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, _exit_zero)
    signal.signal(signal.SIGTERM, _exit_zero)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    port = sock.getsockname()[1]
    uvicorn.Server(_config(host, port, log_level)).run(sockets=[sock])


def _supervise(processes: list[Any]) -> int:
    """Wait for the workers; returns the exit code (module docstring)."""
    state = {"stopping": False, "failed": False}

    def stop(_signum: int, _frame: FrameType | None) -> None:
        state["stopping"] = True
        for process in processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = list(processes)
    while running:
        multiprocessing.connection.wait([p.sentinel for p in running])
        for process in [p for p in running if not p.is_alive()]:
            running.remove(process)
            if not state["stopping"]:
                typer.echo(
                    f"serve: worker {process.name} (pid {process.pid}) exited with code "
                    f"{process.exitcode}; stopping the others",
                    err=True,
                )
                state["failed"] = True
                stop(signal.SIGTERM, None)
    return 1 if state["failed"] else 0


def serve(host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve the API until interrupted (module docstring).

    host, port: where to listen; workers: processes, 1 to 4 × the cores.
    raises ValidationError (exit 2, one line) for bad options or configuration, a port that is
    not free, or a database that cannot be migrated; exits 1 when a worker died on its own.
    """
    most = 4 * (os.cpu_count() or 1)
    if not 1 <= workers <= most:
        raise ValidationError("workers", f"1 to {most} (4 × {os.cpu_count()} cores)")
    if not 1 <= port <= 65535:
        raise ValidationError("port", "1 to 65535")
    if log_level not in LOG_LEVELS:
        raise ValidationError("log_level", " | ".join(LOG_LEVELS))
    if workers > 1 and not hasattr(socket, "SO_REUSEPORT"):
        raise ValidationError("workers", "more than 1 needs SO_REUSEPORT (Linux); use 1")
    claim = _claim(host, port)
    sockets: list[socket.socket] = []
    try:
        sockets = _listeners(host, port, workers)
        _migrate(*_settings())
    except BaseException:  # a mistake: release the port and its lock before exit 2 (a lock
        for sock in sockets:  # kept by a long-lived caller refused every later serve there)
            sock.close()
        os.close(claim)
        raise
    if workers == 1:
        signal.signal(signal.SIGINT, _exit_zero)  # after uvicorn's graceful stop (see _worker)
        signal.signal(signal.SIGTERM, _exit_zero)
        try:
            uvicorn.Server(_config(host, port, log_level)).run(sockets=sockets)
        finally:
            os.close(claim)
        return
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(
            target=_worker,
            args=(sock, host, log_level, os.getpid()),
            name=f"creditfactory-{i}",
        )
        for i, sock in enumerate(sockets)
    ]
    for process in processes:
        process.start()
    for sock in sockets:
        sock.close()  # the workers hold their copies
    typer.echo(
        f"serve: http://{host}:{port} with {workers} workers "
        f"(pids {', '.join(str(p.pid) for p in processes)})",
        err=True,
    )
    code = _supervise(processes)
    for process in processes:
        process.join(STOP_GRACE_S)
        if process.is_alive():
            process.kill()
    os.close(claim)
    if code:
        sys.exit(code)


def register(app: typer.Typer) -> None:
    """Add `serve`."""

    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", help="address to listen on"),
        port: int = typer.Option(8000, help="TCP port, 1 to 65535"),
        workers: int = typer.Option(1, help="worker processes, e.g. one per core"),
        log_level: str = typer.Option("info", help=" | ".join(LOG_LEVELS)),
    ) -> None:
        """Serve the HTTP API (OpenAPI at /docs, console at /) until Ctrl-C or SIGTERM."""
        serve(host, port, workers, log_level)
