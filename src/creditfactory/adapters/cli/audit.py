"""`creditfactory audit …`: signed tree heads, proofs, offline bundles and full verification.

Contract:
    audit head                          signed tree head JSON (creditfactory-audit-sth/1)
    audit prove ENTRY                   {"sequence","tree_size","leaf_hash","inclusion_proof",
                                         "signed_tree_head"} for leaf ENTRY against the head
    audit bundle ENTRY > proof.json     leaf, payload, inclusion proof, signed head (offline use)
    audit check-bundle proof.json --public-key KEY
                                        no database; exit 0 valid, 1 invalid (reason on stderr),
                                        2 bad input
    audit verify [--since-head HEAD.json] [--public-key KEY] [--format text|json]
                                        recompute everything; exit 0 clean, 1 tampered (names the
                                        first tampered entry)
    audit export-public-key [--out FILE]
The database is Settings().database_url (CREDITFACTORY_DATABASE_URL; default SQLite under var/).
It must exist: every command here only reads, and a missing database (or one with no
creditfactory schema) is bad input, exit 2, with nothing created.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.adapters.storage.audit_keys import (
    load_public_key,
    load_signing_key,
    public_key_pem,
)
from creditfactory.adapters.storage.audit_store import (
    SqlAuditStore,
    read_snapshot,
    row_digesters,
)
from creditfactory.adapters.storage.engine import existing_engine
from creditfactory.audit import (
    BadTreeHead,
    SignedTreeHead,
    check_bundle,
    make_bundle,
    prove,
    signed_head,
    verify_log,
)
from creditfactory.config import Settings
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.errors import ValidationError

audit_app = typer.Typer(
    help="Tamper-evident audit log: heads, proofs, bundles, verification.",
    no_args_is_help=True,
)

EXIT_INVALID = 1


def _invalid() -> SystemExit:
    # SystemExit, not typer.Exit: main runs click with standalone_mode=False, which turns
    # typer.Exit into a return value that main drops (exit 0). Bad input raises ValidationError,
    # which main maps to exit 2 with one line.
    return SystemExit(EXIT_INVALID)


@contextmanager
def _store(settings: Settings) -> Iterator[SqlAuditStore]:
    engine = existing_engine(settings.database_url)  # ValidationError: exit 2, nothing created
    try:
        with engine.connect() as connection:  # read only: leaving rolls back
            read_snapshot(connection)
            yield SqlAuditStore(connection)
    finally:
        engine.dispose()


def _emit(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def _read_json(field: str, path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ValidationError(field, f"cannot read {path}") from None
    except ValueError:
        raise ValidationError(field, f"{path} is not JSON") from None


def _entry(text: str) -> int:
    if not text.isdigit():
        raise ValidationError("ENTRY", f"must be a sequence number >= 0, got {text!r}")
    return int(text)


def head() -> None:
    """Print the signed tree head of the whole log."""
    settings = Settings()
    with _store(settings) as store:
        _emit(signed_head(store, SystemClock().now(), load_signing_key(settings)).to_json())


def _proof_parts(entry: str) -> tuple[Any, ...]:
    settings = Settings()
    sequence = _entry(entry)
    with _store(settings) as store:
        sth = signed_head(store, SystemClock().now(), load_signing_key(settings))
        proof = prove(store, sequence, sth.head.tree_size)  # EntryNotInLog: exit 2
        return store.get_record(sequence), proof, sth


def prove_command(
    entry: Annotated[str, typer.Argument(help="sequence (leaf index, from 0)")],
) -> None:
    """Print an inclusion proof for ENTRY against the current signed head."""
    _, proof, sth = _proof_parts(entry)
    _emit(
        {
            "sequence": proof.sequence,
            "tree_size": proof.tree_size,
            "leaf_hash": proof.leaf_hash.hex(),
            "inclusion_proof": [h.hex() for h in proof.path],
            "signed_tree_head": sth.to_json(),
        }
    )


def bundle(entry: Annotated[str, typer.Argument(help="sequence (leaf index, from 0)")]) -> None:
    """Print everything needed to check ENTRY offline: leaf, payload, proof, signed head."""
    record, proof, sth = _proof_parts(entry)
    if record is None:
        typer.echo(f"invalid: row {proof.sequence} is missing (run audit verify)", err=True)
        raise _invalid()
    _emit(make_bundle(record, proof, sth))


def check_bundle_command(
    bundle_file: Annotated[Path, typer.Argument(help="bundle JSON from `audit bundle`")],
    public_key: Annotated[Path, typer.Option("--public-key", help="PEM Ed25519 public key")],
) -> None:
    """Verify a bundle offline (no database): signature, payload digest, inclusion."""
    document = _read_json("bundle", bundle_file)
    key = load_public_key(public_key)
    try:
        result = check_bundle(document, key)
    except BadTreeHead as exc:
        raise ValidationError("bundle", str(exc)) from None
    if not result.valid:
        typer.echo(f"invalid: {result.reason}", err=True)
        raise _invalid()
    typer.echo(f"valid: {result.reason}")


def _earlier_head(path: Path | None) -> SignedTreeHead | None:
    if path is None:
        return None
    try:
        return SignedTreeHead.from_json(_read_json("since_head", path))
    except BadTreeHead as exc:
        raise ValidationError("since_head", str(exc)) from None


def verify(
    since_head: Annotated[
        Path | None, typer.Option("--since-head", help="an earlier signed head (JSON)")
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="PEM key for --since-head")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Recompute every leaf and node; check an earlier head; name the first tampered entry."""
    if output not in ("text", "json"):
        raise ValidationError("format", f"must be text or json, got {output!r}")
    settings = Settings()
    earlier = _earlier_head(since_head)
    key = load_public_key(public_key) if public_key else None
    if earlier is not None and key is None:
        key = load_signing_key(settings).public_key()
    with _store(settings) as store:
        digesters = row_digesters(store.connection)
        report = verify_log(store, since_head=earlier, public_key=key, digesters=digesters)
    findings = [
        {"sequence": f.sequence, "kind": f.kind, "detail": f.detail} for f in report.findings
    ]
    if output == "json":
        _emit(
            {
                "ok": report.ok,
                "tree_size": report.tree_size,
                "root_hash": report.root_hash.hex(),
                "first_tampered": report.first_tampered,
                "findings": findings,
            }
        )
    elif report.ok:
        typer.echo(f"ok: {report.tree_size} entries, root {report.root_hash.hex()}")
    else:
        typer.echo(f"TAMPERED: first tampered entry {report.first_tampered}")
        for f in findings:
            typer.echo(f"  entry {f['sequence']}: {f['kind']} — {f['detail']}")
    if not report.ok:
        raise _invalid()


def export_public_key(
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
) -> None:
    """Print (or write) the signing key's public half as PEM, for publication and check-bundle."""
    pem = public_key_pem(load_signing_key(Settings()))
    if out is None:
        typer.echo(pem, nl=False)
    else:
        out.write_text(pem, encoding="ascii")


audit_app.command("head")(head)
audit_app.command("prove")(prove_command)
audit_app.command("bundle")(bundle)
audit_app.command("check-bundle")(check_bundle_command)
audit_app.command("verify")(verify)
audit_app.command("export-public-key")(export_public_key)


def register(app: typer.Typer) -> None:
    """Add the `audit` command group to the creditfactory command."""
    app.add_typer(audit_app, name="audit")
