"""Every table module, imported so `metadata` is complete (Alembic and tests use this)."""

from __future__ import annotations

from creditfactory.adapters.storage import (
    audit_tables,
    decisioning_tables,
    identity_tables,
    ledger_tables,
    monitoring_tables,
    origination_tables,
    pricing_tables,
    servicing_tables,
)
from creditfactory.adapters.storage.metadata import metadata

__all__ = [
    "audit_tables",
    "decisioning_tables",
    "identity_tables",
    "ledger_tables",
    "metadata",
    "monitoring_tables",
    "origination_tables",
    "pricing_tables",
    "servicing_tables",
]
