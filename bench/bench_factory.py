"""The 310 path over HTTP on loopback: apply → decided (and, for approvals, contracted and
disbursed) per request, at rising concurrency, on SQLite and (when DATABASE_URL_PG is set) on
PostgreSQL, with `creditfactory serve --workers N` serving 1 or 2 worker processes.

Each application is a held-out SBA loan (data/sba_loans_case, `Selected == 0`) with a unique
Idempotency-Key and a distinct demo USCC, scored by the frozen spec tests/e2e/sba_spec.json.
The load generator (a minimal asyncio HTTP/1.1 client, one keep-alive connection per concurrent
sender) runs in this process on the same 2 cores as the server.
Figures: throughput (applications/s) and p50 / p90 / p99 / max latency per application, overall
and for the disbursed ones; server CPU per application and each worker's share of it.
`--small` sends a few dozen applications.

    python -m bench.run factory            # full: 1,000 applications per concurrency level
    python -m bench.run --small factory

Environment overrides (for quick comparisons): CREDITFACTORY_BENCH_PER_LEVEL (applications per
level), CREDITFACTORY_BENCH_LEVELS ("1,8,32"), CREDITFACTORY_BENCH_WORKERS ("1,2"),
CREDITFACTORY_BENCH_BACKENDS ("sqlite,postgresql"), CREDITFACTORY_BENCH_HTTP (serve with
`uvicorn --workers N --http VALUE` instead, to compare: "auto", or the TCP_NODELAY protocol
creditfactory.adapters.api.asgi:NoDelayHTTPProtocol).
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pandas

from creditfactory.adapters.cli.demo import sign_off
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.pii import generate_pii_key
from creditfactory.origination.application import demo_uscc
from creditfactory.pricing.lpr import default_lpr_series
from creditfactory.scoring.spec import load_spec
from creditfactory.scoring.training.datasets import sba_declared

REPO = Path(__file__).resolve().parents[1]
SBA_TERM_MONTHS = 36  # one requested term for every row, as the demo (adapters/cli/demo.py)
SPEC = REPO / "tests" / "e2e" / "sba_spec.json"
ASGI = "creditfactory.adapters.api.asgi:create_from_env"
SERVED = load_spec(SPEC.read_text(encoding="utf-8"))


def _rows() -> list[dict[str, str]]:
    with (REPO / "data" / "sba_loans_case" / "SBAcase.11.13.17.csv").open(
        encoding="utf-8-sig"
    ) as f:
        return [r for r in csv.DictReader(f) if r["Selected"] == "0"]


def _body(row: dict[str, str], n: int) -> dict[str, Any]:
    declared = sba_declared(pandas.DataFrame([row]), SERVED)[0]
    return {
        "applicant": {"applicant_type": "enterprise", "name": row["Name"][:200] or "x",
                      "uscc": demo_uscc(n)},
        "amount": f"{float(row['GrAppv']):.2f}",
        # one requested term for all: the recorded Term is post-outcome for defaults (issue 12); the
        # PD does not depend on it (converted over the spec's reference loan life)
        "term_months": SBA_TERM_MONTHS,
        "declared": declared,
    }  # fmt: skip


def server_env(url: str, var: Path) -> dict[str, str]:
    """The settings a benchmark server runs with: `url`, `var`, a fresh PII key, the SBA spec,
    and a business date the bundled LPR series is current on (later, every application would be
    referred for a stale LPR and the disbursed path would go unmeasured)."""
    return {
        "CREDITFACTORY_AS_OF": default_lpr_series().end.isoformat(),
        "CREDITFACTORY_DATABASE_URL": url,
        "CREDITFACTORY_VAR_DIR": str(var),
        "CREDITFACTORY_ENVIRONMENT": "test",
        "CREDITFACTORY_PII_ENCRYPTION_KEY": generate_pii_key(),
        "CREDITFACTORY_MODEL_SPEC": str(SPEC),
    }


def _server(url: str, workers: int, port: int, var: Path, key: str) -> subprocess.Popen[bytes]:
    sign_off(url, SPEC)  # the spec records no checks: served once signed off (maker-checker)
    env = {**os.environ, **server_env(url, var), "CREDITFACTORY_BOOTSTRAP_API_KEY": key}
    common = ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    command = [str(Path(sys.executable).with_name("creditfactory")), "serve", *common]
    if "CREDITFACTORY_BENCH_HTTP" in os.environ:  # uvicorn's own workers, to compare
        command = [sys.executable, "-m", "uvicorn", "--factory", ASGI, *common, "--no-access-log",
                   "--http", os.environ["CREDITFACTORY_BENCH_HTTP"]]  # fmt: skip
    return subprocess.Popen(command, env=env)


def _wait(port: int, key: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


class _Client:
    """A minimal HTTP/1.1 keep-alive client on one loopback connection: the load generator
    shares the 2 cores with the server, and httpx spent ~2 ms of CPU per request (more than
    the server's flow). Speaks just what uvicorn answers: Content-Length bodies."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
        assert self._reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status_line, _, rest = (await self._reader.readuntil(b"\r\n\r\n")).partition(b"\r\n")
        length = 0
        for line in rest.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self._reader.readexactly(length)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds of `pid` and each of its descendants (the server's worker
    processes), from /proc; empty where /proc is missing."""
    found: dict[int, float] = {}
    todo = [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            found[current] = (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return found


def _split(before: dict[int, float], after: dict[int, float]) -> list[float]:
    """Each busy process's share of the server CPU over a level, largest first: with two
    workers, [0.5, 0.5] is an even spread of the connections, [1.0] all on one worker."""
    used = {p: t - before.get(p, 0.0) for p, t in after.items()}
    total = sum(used.values()) or 1.0
    return sorted((round(t / total, 2) for t in used.values() if t / total >= 0.05), reverse=True)


async def _level(
    port: int, key: str, bodies: list[dict[str, Any]], concurrency: int, tag: str, server: int
) -> dict[str, Any]:
    latencies: list[tuple[float, str]] = []
    queue = list(enumerate(bodies))

    async def worker() -> None:
        client = _Client(port)
        try:
            while queue:
                i, body = queue.pop()
                headers = {"X-API-Key": key, "Idempotency-Key": f"{tag}-{i}"}
                data = json.dumps(body).encode()
                started = time.perf_counter()
                code, answer = await client.post("/api/v1/applications", data, headers)
                elapsed = time.perf_counter() - started
                status = json.loads(answer).get("status", "error") if code == 200 else "error"
                latencies.append((elapsed, status))
        finally:
            client.close()

    cpu_server, cpu_client = _cpu_seconds(server), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    after = _cpu_seconds(server)
    cpu = (sum(after.values()) - sum(cpu_server.values()), time.process_time() - cpu_client)
    return {
        **_figures(latencies, seconds, concurrency, cpu),
        "worker_cpu_split": _split(cpu_server, after),
    }


def _pcts(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    if not ms:
        return {"p50_ms": 0.0, "p90_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    return {"p50_ms": round(statistics.median(ms), 2),
            "p90_ms": round(ms[int(0.90 * len(ms))], 2),
            "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 2),
            "max_ms": round(ms[-1], 2)}  # fmt: skip


def _figures(
    latencies: list[tuple[float, str]],
    seconds: float,
    concurrency: int,
    cpu: tuple[float, float],
) -> dict[str, Any]:
    disbursed = [t for t, s in latencies if s == "disbursed"]
    n = max(1, len(latencies))
    return {
        "concurrency": concurrency,
        "applications": len(latencies),
        "errors": sum(1 for _, s in latencies if s == "error"),
        "seconds": round(seconds, 2),
        "applications_per_s": round(len(latencies) / seconds, 1),
        **_pcts([t for t, _ in latencies]),
        "disbursed": {"count": len(disbursed), **_pcts(disbursed)},
        "server_cpu_ms_per_app": round(cpu[0] * 1000 / n, 2),
        "client_cpu_ms_per_app": round(cpu[1] * 1000 / n, 2),
    }


def _backend(
    name: str, url: str, workers: int, per_level: int, levels: list[int]
) -> list[dict[str, Any]]:
    upgrade_schema(make_engine(url))
    rows, key, port = (
        _rows(),
        f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}",
        8600 + workers,
    )
    out = []
    with tempfile.TemporaryDirectory() as var:
        process = _server(url, workers, port, Path(var), key)
        try:
            _wait(port, key)
            for level in levels:
                base = secrets.randbelow(10**7) * 1000
                bodies = [_body(rows[i % len(rows)], base + i) for i in range(per_level)]
                tag = f"{name}-{workers}-{level}-{secrets.token_hex(4)}"
                figures = asyncio.run(_level(port, key, bodies, level, tag, process.pid))
                out.append({"backend": name, "workers": workers, **figures})
                print(out[-1], flush=True)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return out


def run(small: bool) -> dict[str, Any]:
    """Figures per backend × workers × concurrency (see module docstring)."""
    per_level, levels = (24, [1, 4]) if small else (1000, [1, 2, 4, 8, 32, 64])
    worker_counts = [1, 2]
    env = os.environ.get
    per_level = int(env("CREDITFACTORY_BENCH_PER_LEVEL", per_level))
    levels = [int(x) for x in env("CREDITFACTORY_BENCH_LEVELS", "").split(",") if x] or levels
    worker_counts = [
        int(x) for x in env("CREDITFACTORY_BENCH_WORKERS", "").split(",") if x
    ] or worker_counts
    only = env("CREDITFACTORY_BENCH_BACKENDS", "sqlite,postgresql").split(",")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        if env("DATABASE_URL_PG"):
            backends.append(("postgresql", os.environ["DATABASE_URL_PG"]))
        for name, url in backends:
            if name not in only:
                continue
            for workers in worker_counts:
                results += _backend(name, url, workers, per_level, levels)
    return {"per_level": per_level, "levels": levels, "results": results}
