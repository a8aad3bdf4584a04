"""Audit log figures on SQLite (a file, WAL, synchronous=NORMAL): batched append rate inside
transactions, inclusion-proof latency and storage reads at full size, and full verification.

`python -m bench.run audit` (1,000,000 entries) or `--small` (10,000).
"""

from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event

from creditfactory import audit
from creditfactory.adapters.storage.audit_store import SqlAuditStore, append_entries
from creditfactory.adapters.storage.audit_tables import AUDIT_TABLES
from creditfactory.adapters.storage.metadata import metadata

BATCH = 1000
PROOFS = 1000


def _entries(start: int, count: int, at: datetime) -> list[audit.AuditEntry]:
    return [
        audit.AuditEntry(
            actor="officer_000042",
            action="servicing.repayment_posted",
            subject=f"loan_{i % 50_000:06d}",
            payload={"amount_minor": 123_456 + i, "currency": "CNY", "entry_id": f"je_{i:08d}"},
            recorded_at=at + timedelta(milliseconds=i),
        )
        for i in range(start, start + count)
    ]


def _pragmas(dbapi_connection: object, _record: object) -> None:
    # The usual server settings for SQLite: WAL, and fsync at checkpoints rather than per commit.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def run(small: bool) -> dict[str, object]:
    """Figures for `small` (10,000 entries) or full (1,000,000)."""
    total = 10_000 if small else 1_000_000
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'audit.sqlite3'}")
        event.listen(engine, "connect", _pragmas)
        metadata.create_all(engine, tables=list(AUDIT_TABLES))

        build_seconds = 0.0
        append_seconds = 0.0
        for start in range(0, total, BATCH):
            t0 = time.perf_counter()
            entries = _entries(start, BATCH, at)  # the caller's work, timed apart
            t1 = time.perf_counter()
            with engine.begin() as conn:
                append_entries(conn, entries)
            t2 = time.perf_counter()
            build_seconds += t1 - t0
            append_seconds += t2 - t1

        rng = random.Random(7)
        latencies, reads, calls = [], [], []
        with engine.connect() as conn:
            store = SqlAuditStore(conn)
            head = audit.current_head(store, at)
            for _ in range(PROOFS):
                index = rng.randrange(total)
                store.node_reads = store.read_calls = 0
                t0 = time.perf_counter()
                proof = audit.prove(store, index, total)
                latencies.append((time.perf_counter() - t0) * 1000)
                reads.append(store.node_reads)
                calls.append(store.read_calls)
                assert audit.merkle.verify_inclusion(
                    index, total, proof.leaf_hash, proof.path, head.root_hash
                )

            t0 = time.perf_counter()
            report = audit.verify_log(store)
            verify_seconds = time.perf_counter() - t0
        engine.dispose()
        db_bytes = (Path(tmp) / "audit.sqlite3").stat().st_size

    latencies.sort()
    return {
        "entries": total,
        "batch_per_transaction": BATCH,
        "sqlite": "file, journal_mode=WAL, synchronous=NORMAL",
        "append_seconds": round(append_seconds, 2),
        "append_entries_per_s": round(total / append_seconds),
        "entry_construction_seconds": round(build_seconds, 2),
        "proofs": PROOFS,
        "proof_p50_ms": round(statistics.median(latencies), 3),
        "proof_p99_ms": round(latencies[int(0.99 * len(latencies)) - 1], 3),
        "proof_node_reads_max": max(reads),
        "proof_node_reads_mean": round(statistics.fmean(reads), 1),
        "proof_read_queries_max": max(calls),
        "verify_seconds": round(verify_seconds, 2),
        "verify_entries_per_s": round(total / verify_seconds),
        "verify_ok": report.ok,
        "database_bytes": db_bytes,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
