"""`creditfactory decision replay ID [--format text|json]`.

Re-runs the stored decision ID from its inputs snapshot with the stored model spec (by digest)
and policy version (service_layer.decision_replay), prints "identical" or the differing keys,
and shows the decision's `decision.made` audit leaf: its inclusion proof against the current
signed tree head (checked here with `audit.merkle.verify_inclusion`) and whether the decision row
still digests to the leaf (not edited since). Exit 0 identical and intact, 1 different or
edited, 2 bad input (unknown id, officer decision, spec or policy not stored).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from sqlalchemy import select

from creditfactory.adapters.storage.audit_keys import load_signing_key
from creditfactory.adapters.storage.audit_store import SqlAuditStore
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.decisioning_digesters import DECISION_MADE
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.audit import DigesterRegistry, prove, signed_head
from creditfactory.audit.merkle import verify_inclusion
from creditfactory.bootstrap import bootstrap
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.decision_replay import replay_decision

decision_app = typer.Typer(help="Decision records: replay.", no_args_is_help=True)


def _leaf(uow: Any, decision_id: str, settings: Any, now: Any) -> dict[str, Any] | None:
    db = uow.connection
    query = (
        select(audit_entries.c.sequence)
        .where(audit_entries.c.subject == decision_id, audit_entries.c.action == DECISION_MADE)
        .order_by(audit_entries.c.sequence)
    )
    sequence = db.execute(query).scalar()
    if sequence is None:
        return None
    store = SqlAuditStore(db)
    sth = signed_head(store, now, load_signing_key(settings))
    proof = prove(store, int(sequence), sth.head.tree_size)
    record = store.get_record(int(sequence))
    included = verify_inclusion(
        proof.sequence, proof.tree_size, proof.leaf_hash, proof.path, sth.head.root_hash
    )
    registry = DigesterRegistry()
    from creditfactory.adapters.storage import decisioning_digesters

    decisioning_digesters.register_row_digesters(registry, db)
    findings = list(registry.check(iter([record]))) if record is not None else ["missing"]
    return {
        "sequence": proof.sequence,
        "leaf_hash": proof.leaf_hash.hex(),
        "inclusion_proof": [h.hex() for h in proof.path],
        "signed_tree_head": sth.to_json(),
        "inclusion_verified": included,
        "record_unchanged": not findings,
    }


def replay(
    decision_id: Annotated[str, typer.Argument(help="decision id (dec_…)")],
    output: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Re-run a stored decision and compare; show its audit leaf and inclusion proof."""
    if output not in ("text", "json"):
        raise ValidationError("format", f"must be text or json, got {output!r}")
    wired = bootstrap(existing=True)
    try:
        with FactoryUnitOfWork(wired.engine, wired.clock) as uow:
            result = replay_decision(uow, decision_id)
            leaf = _leaf(uow, decision_id, wired.settings, wired.clock.now())
    finally:
        wired.engine.dispose()
    intact = leaf is not None and leaf["inclusion_verified"] and leaf["record_unchanged"]
    diffs = [{"key": k, "stored": a, "replayed": b} for k, a, b in result.differences]
    if output == "json":
        typer.echo(json.dumps({"decision_id": decision_id, "identical": result.identical,
                               "differences": diffs, "record": result.stored,
                               "audit_leaf": leaf}, indent=2, ensure_ascii=False))  # fmt: skip
    else:
        _text(result, diffs, leaf)
    if not (result.identical and intact):
        raise SystemExit(1)


def _text(result: Any, diffs: list[dict[str, Any]], leaf: dict[str, Any] | None) -> None:
    rec = result.stored
    if result.identical:
        typer.echo(f"identical: {result.decision_id} {rec['outcome']} limit {rec['limit']} "
                   f"rate {rec['annual_rate']} (policy {rec['policy_version']}, "
                   f"spec {rec['spec_digest'][:12]})")  # fmt: skip
    else:
        typer.echo(f"DIFFERENT: {result.decision_id}")
        for d in diffs:
            typer.echo(f"  {d['key']}: stored {d['stored']!r} → replayed {d['replayed']!r}")
    if leaf is None:
        typer.echo("audit leaf: none found (record not audited)")
        return
    head = leaf["signed_tree_head"]
    typer.echo(f"audit leaf {leaf['sequence']} hash {leaf['leaf_hash']}")
    typer.echo(f"  inclusion in tree of {head['tree_size']} (root {head['root_hash'][:16]}…, "
               f"signed {head['timestamp']}): {'verified' if leaf['inclusion_verified'] else 'FAILED'}")  # fmt: skip
    typer.echo(
        f"  decision row matches its leaf: {'yes' if leaf['record_unchanged'] else 'NO — edited'}"
    )


decision_app.command("replay")(replay)


def register(app: typer.Typer) -> None:
    """Add the `decision` command group."""
    app.add_typer(decision_app, name="decision")
