"""Journal rows under the audit log: each `JournalRepository.add` appends one leaf whose payload is
the canonical form of the entries it wrote, and this digester recomputes that form from the rows
now in the database, so `audit verify` names any journal row edited or deleted behind the
application's back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from creditfactory.adapters.storage.ledger_tables import journal_entries, postings
from creditfactory.audit import AuditRecord, DigesterRegistry
from creditfactory.audit.leaf import canonical_json, sha256_hex
from creditfactory.ledger.journal import JournalEntry

__all__ = ["ENTRIES_POSTED", "entries_payload", "register_row_digesters"]

ENTRIES_POSTED = "ledger.entries_posted"
_UNREADABLE = "journal rows no longer read as their types"


def _entry_form(head: dict[str, Any], legs: Sequence[tuple[str, str, int, str]]) -> dict[str, Any]:
    return {**head, "postings": [list(leg) for leg in legs]}


def entries_payload(entries: Sequence[JournalEntry]) -> dict[str, Any]:
    """The audit payload for `entries` as written (amounts in minor units)."""
    return {
        "entries": [
            _entry_form(
                {
                    "entry_id": e.entry_id,
                    "business_date": e.business_date.isoformat(),
                    "event": e.event,
                    "reference": e.reference,
                    "reverses": e.reverses,
                },
                [
                    (p.account, p.subledger, p.amount.to_minor(), p.amount.currency)
                    for p in e.postings
                ],
            )
            for e in entries
        ]
    }


def _payload_from_rows(connection: Connection, entry_ids: list[str]) -> dict[str, Any] | None:
    heads = {
        row.entry_id: row
        for row in connection.execute(
            select(journal_entries).where(journal_entries.c.entry_id.in_(entry_ids))
        )
    }
    if len(heads) != len(set(entry_ids)):
        return None
    legs: dict[str, list[tuple[str, str, int, str]]] = {}
    query = (
        select(postings).where(postings.c.entry_id.in_(entry_ids)).order_by(postings.c.posting_id)
    )
    for row in connection.execute(query):
        legs.setdefault(row.entry_id, []).append(
            (row.account, row.subledger, int(row.amount_minor), row.currency)
        )
    return {
        "entries": [
            _entry_form(
                {
                    "entry_id": entry_id,
                    "business_date": heads[entry_id].business_date.isoformat(),
                    "event": heads[entry_id].event,
                    "reference": heads[entry_id].reference,
                    "reverses": heads[entry_id].reverses,
                },
                legs.get(entry_id, []),
            )
            for entry_id in entry_ids
        ]
    }


def register_row_digesters(registry: DigesterRegistry, connection: Connection) -> None:
    """Compare every `ledger.entries_posted` leaf with the journal rows it recorded."""

    def digest(record: AuditRecord) -> str | None:
        entry_ids = [e["entry_id"] for e in json.loads(record.payload_json)["entries"]]
        try:
            payload = _payload_from_rows(connection, entry_ids)
        except (ValueError, TypeError):  # a column edited into something no longer a date/int
            return _UNREADABLE
        return None if payload is None else sha256_hex(canonical_json(payload))

    registry.register(ENTRIES_POSTED, digest)
