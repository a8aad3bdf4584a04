"""The audit log on SQLite: appends inside the caller's transaction, proofs from stored nodes,
direct database edits (audit rows, nodes, a toy business table) named by `audit verify`, and the
`creditfactory audit` commands end to end through main (exit codes 0 / 1 / 2)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, String, Table, create_engine, event, insert, select, text
from sqlalchemy.orm import Session

from creditfactory import audit
from creditfactory.adapters.storage.audit_keys import load_signing_key
from creditfactory.adapters.storage.audit_store import (
    SqlAuditStore,
    append_entries,
    remember_frontier,
    take_frontier,
)
from creditfactory.adapters.storage.audit_tables import AUDIT_TABLES
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.audit import AuditEntry, AuditRecord, DigesterRegistry, merkle
from creditfactory.config import Settings

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _entries(start: int, count: int) -> list[AuditEntry]:
    return [
        AuditEntry("officer_1", "decision.recorded", f"dec_{i}", {"grade": "A", "n": i}, AT)
        for i in range(start, start + count)
    ]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'cf.sqlite3'}")
    metadata.create_all(eng, tables=list(AUDIT_TABLES))
    yield eng
    eng.dispose()


def _fill(engine: Engine, batches: int = 4, size: int = 9) -> None:
    for b in range(batches):
        with engine.begin() as conn:
            append_entries(conn, _entries(b * size, size))


def _unguard(engine: Engine) -> None:
    """What a database owner can do: drop the append-only triggers."""
    with engine.begin() as conn:
        for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")):
            conn.execute(text(f"DROP TRIGGER {name}"))


def test_append_commits_and_rolls_back_with_the_caller(engine: Engine) -> None:
    _fill(engine, 1, 5)
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        append_entries(session, _entries(5, 3))
        raise RuntimeError("the business change failed")
    with engine.connect() as conn:
        assert SqlAuditStore(conn).leaf_count() == 5
        assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 5


def test_stored_proofs_equal_the_reference(engine: Engine) -> None:
    _fill(engine)
    with engine.connect() as conn:
        store = SqlAuditStore(conn)
        records = list(store.iter_records())
        leaves = [r.leaf_data() for r in records]
        assert audit.current_head(store, AT).root_hash == merkle.root(leaves)
        assert records[4] == store.get_record(4)
        for index, size in ((0, 36), (35, 36), (17, 20)):
            store.read_calls = 0
            assert audit.prove(store, index, size).path == merkle.inclusion_proof(
                leaves, index, size
            )
            assert store.read_calls == 2  # the path's nodes, then the leaf itself
        assert audit.verify_log(store).ok


def test_node_reads_are_primary_key_seeks(engine: Engine) -> None:
    """A full scan per proof would be O(n); the plan must search the primary key."""
    _fill(engine, 1, 20)
    statements: list[tuple[str, object]] = []

    def capture(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
        if "FROM audit_nodes" in statement and "position IN" in statement:
            statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        audit.prove(SqlAuditStore(conn), 5, 20)
    event.remove(engine, "before_cursor_execute", capture)
    assert statements
    with engine.connect() as conn:
        for statement, params in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()  # type: ignore[arg-type]
            details = " ".join(str(row[-1]) for row in plan)
            assert "USING PRIMARY KEY" in details and "SCAN audit_nodes" not in details


def test_database_refuses_updates_until_the_triggers_are_dropped(engine: Engine) -> None:
    _fill(engine, 1, 3)
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET actor = 'x' WHERE sequence = 1"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_nodes"))


@pytest.mark.parametrize(
    "statement,kind",
    [
        ("UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 22", "entry_edited"),
        (
            "UPDATE audit_entries SET payload = replace(payload, 'A', 'B') WHERE sequence = 22",
            "payload_edited",
        ),
        ("DELETE FROM audit_entries WHERE sequence = 22", "entry_deleted"),
        (
            "UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 0 AND position = 22",
            "entry_edited",
        ),
    ],
    ids=["actor", "payload", "deleted-row", "leaf-node"],
)
def test_direct_edits_are_named(engine: Engine, statement: str, kind: str) -> None:
    _fill(engine)
    _unguard(engine)
    with engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        report = audit.verify_log(SqlAuditStore(conn))
    assert report.first_tampered == 22
    assert kind in {f.kind for f in report.findings if f.sequence == 22}


decisions = Table(
    "toy_decisions",
    metadata.__class__(),  # a private MetaData: the toy table is not part of the schema
    Column("decision_id", String(32), primary_key=True),
    Column("grade", String(2), nullable=False),
)


def _decision_digester(conn: object) -> audit.RowDigester:
    def digest(record: AuditRecord) -> str | None:
        query = select(decisions.c.grade).where(decisions.c.decision_id == record.subject)
        grade = conn.execute(query).scalar()  # type: ignore[attr-defined]
        if grade is None:
            return None
        return audit.sha256_hex(
            audit.canonical_json({"decision_id": record.subject, "grade": grade})
        )

    return digest


def test_edited_business_row_is_named_through_its_leaf(engine: Engine) -> None:
    decisions.create(engine)
    with engine.begin() as conn:  # the business row and its leaf, one transaction
        for i in range(6):
            row = {"decision_id": f"dec_{i}", "grade": "A"}
            conn.execute(insert(decisions), row)
            append_entries(
                conn, [AuditEntry("officer_1", "decision.recorded", row["decision_id"], row, AT)]
            )
    with engine.begin() as conn:
        conn.execute(text("UPDATE toy_decisions SET grade = 'B' WHERE decision_id = 'dec_4'"))
    with engine.connect() as conn:
        registry = DigesterRegistry()
        registry.register("decision.recorded", _decision_digester(conn))
        report = audit.verify_log(SqlAuditStore(conn), digesters=registry)
    assert [(f.sequence, f.kind) for f in report.findings] == [(4, "row_edited")]


def test_production_refuses_to_generate_a_key(tmp_path: Path) -> None:
    settings = Settings(
        environment="production", var_dir=tmp_path, secret_key="s", pii_encryption_key="k"
    )
    with pytest.raises(audit.SigningKeyUnavailable):
        load_signing_key(settings)
    dev = Settings(var_dir=tmp_path)
    key = load_signing_key(dev)
    assert (tmp_path / "audit_ed25519.pem").stat().st_mode & 0o777 == 0o600
    assert load_signing_key(dev).public_key() == key.public_key()


# --- the CLI, through main() exactly as the installed command runs it ---


def _cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    from creditfactory.adapters.cli import main as cli_main

    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    code = 0
    try:
        cli_main.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CREDITFACTORY_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CREDITFACTORY_DATABASE_URL", raising=False)
    monkeypatch.delenv("CREDITFACTORY_AUDIT_SIGNING_KEY_PATH", raising=False)
    monkeypatch.setenv("CREDITFACTORY_ENVIRONMENT", "development")
    return tmp_path


def test_cli_head_bundle_check_and_verify(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(monkeypatch, capsys, "audit", "head")  # no database: nothing created
    assert code == 2 and err.count("\n") == 1 and not (cli_env / "var").exists()
    engine = make_engine(Settings().database_url)
    upgrade_schema(engine)
    code, out, _ = _cli(monkeypatch, capsys, "audit", "head")  # creates the dev key
    # a fresh schema holds one leaf: migration 0015's baseline of the head office (总行) row
    assert code == 0 and json.loads(out)["tree_size"] == 1
    _fill(engine, 2, 7)
    code, head_json, _ = _cli(monkeypatch, capsys, "audit", "head")
    head = json.loads(head_json)
    assert head["tree_size"] == 15
    (cli_env / "head.json").write_text(head_json)
    code, out, _ = _cli(monkeypatch, capsys, "audit", "prove", "7")
    assert code == 0 and len(json.loads(out)["inclusion_proof"]) == 4
    code, bundle_json, _ = _cli(monkeypatch, capsys, "audit", "bundle", "7")  # entry n=6
    (cli_env / "proof.json").write_text(bundle_json)
    pub = cli_env / "pub.pem"
    assert _cli(monkeypatch, capsys, "audit", "export-public-key", "--out", str(pub))[0] == 0

    monkeypatch.setenv("CREDITFACTORY_DATABASE_URL", "sqlite:////nonexistent/dir/db")  # offline
    code, out, _ = _cli(
        monkeypatch,
        capsys,
        "audit",
        "check-bundle",
        str(cli_env / "proof.json"),
        "--public-key",
        str(pub),
    )
    assert code == 0 and out.startswith("valid:")
    forged = json.loads(bundle_json)
    forged["payload"] = forged["payload"].replace('"n":6', '"n":7')
    (cli_env / "forged.json").write_text(json.dumps(forged))
    code, _, err = _cli(
        monkeypatch,
        capsys,
        "audit",
        "check-bundle",
        str(cli_env / "forged.json"),
        "--public-key",
        str(pub),
    )
    assert code == 1 and "payload" in err
    (cli_env / "junk.json").write_text("{not json")
    code, _, err = _cli(
        monkeypatch,
        capsys,
        "audit",
        "check-bundle",
        str(cli_env / "junk.json"),
        "--public-key",
        str(pub),
    )
    assert code == 2 and err.count("\n") == 1
    monkeypatch.delenv("CREDITFACTORY_DATABASE_URL")

    _fill(engine, 1, 5)
    code, out, _ = _cli(
        monkeypatch, capsys, "audit", "verify", "--since-head", str(cli_env / "head.json")
    )
    assert code == 0 and out.startswith("ok: 20 entries")
    _unguard(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET subject = 'dec_x' WHERE sequence = 3"))
    code, out, _ = _cli(
        monkeypatch,
        capsys,
        "audit",
        "verify",
        "--since-head",
        str(cli_env / "head.json"),
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == 1 and report["first_tampered"] == 3 and not report["ok"]
    assert _cli(monkeypatch, capsys, "audit", "prove", "20")[0] == 2
    assert _cli(monkeypatch, capsys, "audit", "prove", "-1")[0] == 2
    engine.dispose()


def _append_committed(engine: Engine, entries: list[AuditEntry]) -> None:
    """What a unit of work does: append, commit, then remember the committed frontier."""
    with engine.connect() as conn:
        conn.begin()
        append_entries(conn, entries)
        frontier = take_frontier(conn)
        conn.commit()
    remember_frontier(engine, frontier)


def test_workers_on_one_file_catch_up_instead_of_reading_the_frontier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two engines stand for two server processes on one database: each catches its cached
    frontier up with the other's leaves (a range read), never re-reading frontier nodes, and
    the tree stays RFC 6962's; more than 1,024 leaves behind, it reads the nodes instead."""
    path = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first, second = create_engine(path), create_engine(path)
    metadata.create_all(first, tables=list(AUDIT_TABLES))
    _append_committed(first, _entries(0, 3))
    _append_committed(second, _entries(3, 2))  # no cache yet: reads the frontier nodes
    reads: list[int] = []
    real_get_nodes = SqlAuditStore.get_nodes
    monkeypatch.setattr(
        SqlAuditStore, "get_nodes", lambda self, keys: reads.append(1) or real_get_nodes(self, keys)
    )
    for n in range(5, 45, 4):
        _append_committed(first if n % 8 == 5 else second, _entries(n, 4))
    assert reads == []
    _append_committed(second, _entries(45, 1030))
    _append_committed(first, _entries(1075, 1))  # 1,031 behind: read the nodes
    assert reads == [1]
    with first.connect() as conn:
        store = SqlAuditStore(conn)
        leaves = [r.leaf_data() for r in store.iter_records()]
        assert len(leaves) == 1076
        assert audit.current_head(store, AT).root_hash == merkle.root(leaves)
        assert audit.verify_log(store).ok
    first.dispose()
    second.dispose()
