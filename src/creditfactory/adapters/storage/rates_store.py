"""SQL storage of LPR fixings (`pricing_tables.lpr_fixings`) on the unit of work's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from creditfactory.adapters.storage.pricing_tables import lpr_fixings
from creditfactory.pricing.lpr import LPRFixing

__all__ = ["RatesStore"]

_PERCENT = Decimal("0.01")


def _row(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["effective_date"] = out["effective_date"].isoformat()
    out["one_year"] = str(out["one_year"].quantize(_PERCENT))
    out["over_five_year"] = str(out["over_five_year"].quantize(_PERCENT))
    return out


class RatesStore:
    """Imports of LPR fixings: pending → published | rejected, all rows of an import at once."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, import_id: str, fixings: Sequence[LPRFixing], by: str, at: datetime) -> bool:
        """Store an import's fixings as pending. False when a concurrent import of the same
        fixings stored them first (the unique key; the insert waits for that transaction): this
        transaction is then unusable and the caller rolls it back and reads the stored import."""
        try:
            self._insert(import_id, fixings, by, at)
        except IntegrityError:
            return False
        return True

    def _insert(self, import_id: str, fixings: Sequence[LPRFixing], by: str, at: datetime) -> None:
        self._db.execute(insert(lpr_fixings), [
            {**f.to_dict(), "effective_date": f.effective_date, "import_id": import_id,
             "one_year": f.one_year.value * 100, "over_five_year": f.over_five_year.value * 100,
             "status": "pending", "imported_by": by, "imported_at": at}
            for f in fixings
        ])  # fmt: skip

    def of_import(self, import_id: str) -> list[dict[str, Any]]:
        """The rows of one import, by date (empty when unknown)."""
        query = select(lpr_fixings).where(lpr_fixings.c.import_id == import_id)
        return [_row(r) for r in self._db.execute(query.order_by(lpr_fixings.c.effective_date))]

    def decide(self, import_id: str, status: str, by: str, at: datetime) -> bool:
        """Move a pending import to `status` ("published" / "rejected"); False unless pending."""
        result = self._db.execute(
            update(lpr_fixings)
            .where(lpr_fixings.c.import_id == import_id, lpr_fixings.c.status == "pending")
            .values(status=status, decided_by=by, decided_at=at)
        )
        return result.rowcount > 0

    def listed(self, status: str | None = None) -> list[dict[str, Any]]:
        """Rows by date then import time (all statuses unless `status`)."""
        query = select(lpr_fixings)
        if status is not None:
            query = query.where(lpr_fixings.c.status == status)
        order = (lpr_fixings.c.effective_date, lpr_fixings.c.imported_at)
        return [_row(r) for r in self._db.execute(query.order_by(*order))]

    def published(self) -> list[dict[str, Any]]:
        """Published rows in the order they were published (a later one overrides a date)."""
        query = (
            select(lpr_fixings)
            .where(lpr_fixings.c.status == "published")
            .order_by(lpr_fixings.c.decided_at, lpr_fixings.c.effective_date)
        )
        return [_row(r) for r in self._db.execute(query)]
