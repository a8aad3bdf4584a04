"""The bundled LPR import file passes the import checks and agrees with the shipped series."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from creditfactory.adapters.cli.rates import read_fixings
from creditfactory.pricing.lpr import default_lpr_series
from creditfactory.pricing.lpr_import import parse_fixings

FILE = Path(__file__).parents[2] / "data" / "lpr" / "lpr-2025-10-to-2026-03.csv"


def test_the_import_file_is_the_shipped_tail() -> None:
    fixings = parse_fixings(read_fixings(FILE), date(2026, 12, 7))
    shipped = {f.effective_date: f for f in default_lpr_series().fixings}
    assert [f.effective_date.isoformat() for f in fixings] == [
        "2025-10-20", "2025-11-20", "2025-12-22", "2026-01-20", "2026-02-24", "2026-03-20",
    ]  # fmt: skip
    assert all(shipped[f.effective_date] == f for f in fixings)
