"""LPR fixings as operated data (issue 12).

`lpr_fixings`: one row per fixing per import (`import_id`, the maker-checker subject
"rates:<import_id>"): the fixing date, the 1Y and 5Y+ rates in percent as decimal text (as NIFC
publishes them: "3.00"), the confidence tag (C/P/U) and source, who imported it and when, and its
status — `pending` until a second officer approves the import (then `published`, with who and
when) or rejects it (`rejected`). Decisions price on the shipped series extended by every
published fixing (`service_layer.rates_flow.published_series`).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, String, Table

from creditfactory.adapters.storage.metadata import metadata
from creditfactory.adapters.storage.types import DecimalText, UTCDateTime

__all__ = ["lpr_fixings"]

lpr_fixings = Table(
    "lpr_fixings",
    metadata,
    Column("import_id", String(64), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("one_year", DecimalText, nullable=False),  # percent, e.g. 3.00
    Column("over_five_year", DecimalText, nullable=False),
    Column("confidence", String(1), nullable=False),
    Column("source", String(500), nullable=False),
    Column("status", String(16), nullable=False),
    Column("imported_by", String(64), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", UTCDateTime),
    Index("ix_lpr_fixings_status_date", "status", "effective_date"),
)
