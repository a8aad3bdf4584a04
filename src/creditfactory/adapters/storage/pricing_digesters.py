"""LPR fixing rows under the audit log: every `rates.imported` leaf carries the fixings it
stored; this digester rebuilds that payload from the `lpr_fixings` rows of the import as they
are NOW, so `audit verify` names the leaf of an import whose date, rate, tag or source was edited
(or whose rows were deleted) directly in the database."""

from __future__ import annotations

from sqlalchemy import Connection

from creditfactory.adapters.storage.rates_store import RatesStore
from creditfactory.audit import AuditRecord, DigesterRegistry
from creditfactory.audit.leaf import canonical_json, sha256_hex

__all__ = ["RATES_IMPORTED", "register_row_digesters"]

RATES_IMPORTED = "rates.imported"
_FIELDS = ("effective_date", "one_year", "over_five_year", "confidence", "source")


def register_row_digesters(registry: DigesterRegistry, connection: Connection) -> None:
    """Compare every `rates.imported` leaf with the rows of its import."""
    store = RatesStore(connection)

    def digest(leaf: AuditRecord) -> str | None:
        rows = store.of_import(leaf.subject.partition(":")[2])
        if not rows:
            return None
        payload = {"fixings": [{k: r[k] for k in _FIELDS} for r in rows]}
        return sha256_hex(canonical_json(payload))

    registry.register(RATES_IMPORTED, digest)
