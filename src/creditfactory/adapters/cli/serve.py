"""`creditfactory serve`: the HTTP API (uvicorn) in N worker processes.

The app comes from `adapters.api.asgi:create_from_env` by import string (the CLI never imports
the API package), configured by the CREDITFACTORY_* environment (README, asgi.py), served with
TCP_NODELAY on every connection.

Why not `uvicorn --workers N`: its workers share one listening socket and race on `accept`, so
keep-alive connections opened together land on whichever worker wakes first — measured: all 8
connections of a load test on one of two workers, the other idle. Here every worker binds its
own socket with SO_REUSEPORT and the kernel spreads new connections over them by hash (Linux
≥ 3.9; elsewhere use one worker). The migrations run once, in this process, before the workers
start, so workers never race on the schema.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys

import typer
import uvicorn

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.config import Settings

__all__ = ["register", "serve"]

ASGI_FACTORY = "creditfactory.adapters.api.asgi:create_from_env"
NODELAY_PROTOCOL = "creditfactory.adapters.api.asgi:NoDelayHTTPProtocol"


def _config(host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        ASGI_FACTORY,
        factory=True,
        host=host,
        port=port,
        http=NODELAY_PROTOCOL,
        log_level=log_level,
        access_log=False,
    )


def _reuseport_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _check_free(host: str, port: int) -> None:
    """SO_REUSEPORT would let a second server join a port another one listens on and split its
    traffic silently; a plain bind fails there, so try one first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise typer.BadParameter(f"port: {host}:{port} is in use ({exc.strerror})") from None


def _worker(host: str, port: int, log_level: str) -> None:
    """One worker process: its own SO_REUSEPORT socket, one uvicorn server."""
    uvicorn.Server(_config(host, port, log_level)).run(sockets=[_reuseport_socket(host, port)])


def serve(host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve the API until interrupted.

    host, port: where to listen; workers: processes (≥ 1; > 1 needs SO_REUSEPORT, i.e. Linux).
    raises typer.BadParameter if workers < 1, if SO_REUSEPORT is missing for workers > 1, or
    if the port is in use.
    """
    if workers < 1:
        raise typer.BadParameter("workers: must be at least 1")
    if workers > 1:
        if not hasattr(socket, "SO_REUSEPORT"):
            raise typer.BadParameter("workers: more than 1 needs SO_REUSEPORT (Linux); use 1")
        _check_free(host, port)
    engine = make_engine(Settings().database_url)
    upgrade_schema(engine)
    engine.dispose()
    if workers == 1:
        uvicorn.Server(_config(host, port, log_level)).run()
        return
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_worker, args=(host, port, log_level), name=f"creditfactory-{i}")
        for i in range(workers)
    ]
    for process in processes:
        process.start()

    def forward(signum: int, _frame: object) -> None:  # a supervisor's stop reaches every worker
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:  # Ctrl-C reached the workers too (same process group)
        for process in processes:
            process.join(timeout=10)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    failed = [
        p.name for p in processes if p.exitcode not in (0, None, -signal.SIGTERM, -signal.SIGKILL)
    ]
    if failed:
        sys.exit(f"serve: worker(s) {', '.join(failed)} exited with an error")


def register(app: typer.Typer) -> None:
    """Add `serve`."""

    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", help="address to listen on"),
        port: int = typer.Option(8000, help="TCP port"),
        workers: int = typer.Option(1, help="worker processes (one per core)"),
        log_level: str = typer.Option("info", help="uvicorn log level"),
    ) -> None:
        """Serve the HTTP API (OpenAPI at /docs, console at /) until Ctrl-C."""
        serve(host, port, workers, log_level)
