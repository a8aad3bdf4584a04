"""SQLite's single writer, shared fairly by every thread and process on one database file.

`writer_lock(engine)`: the writer turn of the engine's database — a re-entrant thread lock for
this process's threads plus an exclusive `flock` on `<database>.writer-lock` for other
processes (server workers, CLI jobs). Waiting on flock wakes at the release; SQLite's busy
handler polls in sleeps of 1, 2, 5, 10 … ms, which showed as 100+ ms tails with two server
workers. POSIX only (fcntl).

`checkpoint_in_background(engine)`: SQLite otherwise checkpoints inside the commit that takes
the WAL past 1,000 pages (~25 applications of the 310 path), so that one request copies the
pages back and fsyncs while it holds the writer turn — measured 0.27 ms per commit on average,
landing on one request in 25. A daemon thread does it instead, in two steps: a PASSIVE
checkpoint beside the writers copies the bulk, then a second one holding the writer turn copies
the few pages written meanwhile. Only a checkpoint that catches up with the last commit lets
the next writer start the WAL from the beginning: without the second step the WAL of a busy
server never restarted and grew by ~50 MB a second (measured). Readers on older snapshots can
still keep a round from catching up (SQLite's "checkpoint starvation"); past ~16 MB of WAL the
second step waits for them (RESTART), which bounds the WAL.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

__all__ = ["WriterLock", "checkpoint_in_background", "writer_lock"]

WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes a restarted WAL file is truncated back to
WAL_FORCE_FRAMES = 4096  # WAL frames (~16 MB) past which a round waits for old readers


class WriterLock:
    """The writer turn of one SQLite database (module docstring)."""

    def __init__(self, path: str | None) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        if path is not None:
            self._fd = os.open(path + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, os.close, self._fd)

    def acquire(self) -> None:
        """Wait for this process's threads, then for other processes."""
        self._lock.acquire()
        self._depth += 1
        if self._depth == 1 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        """Give the turn back (the file lock with the outermost release)."""
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()


_LOCKS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _file_of(engine: Engine) -> str | None:
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in str(engine.url):
        return None
    return database


def writer_lock(engine: Engine) -> WriterLock | None:
    """The writer turn of a SQLite engine's database (one per engine); None on other
    databases. In-memory SQLite gets the thread lock only."""
    if engine.dialect.name != "sqlite":
        return None
    with _GUARD:
        found = _LOCKS.get(engine)
        if found is None:
            found = _LOCKS[engine] = WriterLock(_file_of(engine))
        return found


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
    dbapi_connection.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")


def _checkpoint(engine: Engine, lock: WriterLock) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")  # the bulk, beside the writers
    lock.acquire()
    try:
        with engine.connect() as conn:  # the rest, writers held off: the WAL can restart
            _, frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            if copied < frames and frames > WAL_FORCE_FRAMES:
                # readers on older snapshots kept it from catching up, round after round:
                # wait for them (milliseconds) rather than let the WAL grow
                conn.exec_driver_sql("PRAGMA wal_checkpoint(RESTART)")
    finally:
        lock.release()


def checkpoint_in_background(engine: Engine, interval_s: float = 0.25) -> threading.Thread | None:
    """Checkpoint a SQLite database's WAL from a daemon thread every `interval_s` seconds
    until the engine is gone, instead of inside commits (module docstring). Call once per
    process, in long-running servers.

    returns: the thread; None for other databases and in-memory SQLite (nothing to do).
    """
    lock = writer_lock(engine)
    if lock is None or _file_of(engine) is None:
        return None
    event.listen(engine, "connect", _no_autocheckpoint)
    engine.dispose()  # pooled connections made before keep autocheckpoint on; drop them
    ref = weakref.ref(engine)

    def run() -> None:
        while True:
            time.sleep(interval_s)
            target = ref()
            if target is None:
                return
            try:
                _checkpoint(target, lock)
            except DBAPIError:  # busy or the file went away: next round
                pass
            del target

    thread = threading.Thread(target=run, name="sqlite-wal-checkpoint", daemon=True)
    thread.start()
    return thread
