"""The SQLite writer turn across engines (processes) and the background WAL checkpointer."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.sqlite_writer import checkpoint_in_background, writer_lock

metadata = MetaData()
rows = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("body", String))


def test_the_writer_turn_spans_engines_on_one_file(tmp_path: Path) -> None:
    """Two engines stand for two processes: the second waits while the first holds the turn."""
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    first, second = writer_lock(create_engine(url)), writer_lock(create_engine(url))
    assert first is not None and second is not None and first is not second
    first.acquire()
    first.acquire()  # re-entrant within a thread
    got = threading.Event()

    def contender() -> None:
        second.acquire()
        got.set()
        second.release()

    thread = threading.Thread(target=contender)
    thread.start()
    first.release()
    assert not got.wait(0.3)  # still held by the outer acquire
    first.release()
    assert got.wait(10)
    thread.join()


def test_other_databases_and_memory_have_no_file_lock() -> None:
    assert writer_lock(create_engine("postgresql+psycopg://u@localhost/x")) is None
    memory = create_engine("sqlite://")
    assert checkpoint_in_background(memory) is None


def test_background_checkpoints_keep_the_wal_small_under_readers(tmp_path: Path) -> None:
    """Commits never checkpoint (wal_autocheckpoint=0); the background thread does, often
    enough that the WAL restarts: 1,500 commits of ~7 pages each, from two writers taking
    turns back to back with a reader reading throughout, make a ~60 MB WAL without it. (With
    two server processes, checkpoints that only ran beside the writers never caught up with
    the last commit — the bench's WAL grew by ~50 MB/s; in one process they do catch up, so
    this test cannot show that case.)"""
    path = tmp_path / "c.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    assert checkpoint_in_background(engine, interval_s=0.05) is not None
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    lock = writer_lock(engine)
    assert lock is not None
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            with engine.connect() as conn:
                conn.execute(select(rows.c.id).limit(5)).all()

    def writer(count: int) -> None:
        for n in range(count):
            lock.acquire()
            try:
                with engine.begin() as conn:
                    conn.execute(insert(rows), [{"body": f"{n}" + "x" * 3000} for _ in range(8)])
            finally:
                lock.release()

    threads = [threading.Thread(target=reader)] + [
        threading.Thread(target=writer, args=(750,)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads[1:]:
        thread.join()
    stop.set()
    threads[0].join()
    with engine.connect() as conn:
        assert conn.execute(select(rows.c.id)).all()[-1][0] == 12_000
    assert (tmp_path / "c.sqlite3-wal").stat().st_size < 40 * 1024 * 1024
    engine.dispose()
