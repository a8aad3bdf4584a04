"""File-backed `InvoiceSource` over CSV files in the CUMCM 2020 C layout (gzip or plain).

Columns: 企业代号, 发票号码, 开票日期 (YYYY/M/D), 销方单位代号 (input files) or 购方单位代号 (output
files), 金额, 税额, 价税合计, 发票状态 (有效发票 / 作废发票). The header decides the direction.
Amounts are parsed from their text straight into Decimal (never float).

Files are read once, on first use, keeping only the raw rows of the subjects asked for (or all
when `subjects` is None), grouped by 企业代号; rows are parsed into `VATInvoice` on request.
`aliases` maps an applicant's subject id (e.g. a USCC) to its 企业代号. For tests and demos.
Source: ../shared/data/cumcm2020c_sme_invoices/SOURCE.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import threading
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from creditfactory.kernel.money import Money
from creditfactory.origination.errors import SourceUnavailable
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice

__all__ = ["CUMCM_HEADER_INPUT", "CUMCM_HEADER_OUTPUT", "CsvInvoiceSource", "cumcm_files"]

CUMCM_HEADER_INPUT: Final = (
    "企业代号", "发票号码", "开票日期", "销方单位代号", "金额", "税额", "价税合计", "发票状态",
)  # fmt: skip
CUMCM_HEADER_OUTPUT: Final = (
    "企业代号", "发票号码", "开票日期", "购方单位代号", "金额", "税额", "价税合计", "发票状态",
)  # fmt: skip
STATUS: Final = {"有效发票": InvoiceStatus.VALID, "作废发票": InvoiceStatus.VOID}
SEP: Final = "\x1f"  # rows are kept as one joined string: ~5x less memory than tuples
Row = tuple[str, ...]


def cumcm_files(directory: Path, group: str | None = None) -> list[Path]:
    """The invoice files of the CUMCM directory; `group` "credit_history" (附件1, E1–E123) or
    "no_credit_history" (附件2, E124–E425) restricts to one attachment."""
    files = sorted(directory.glob("*_invoices*.csv.gz"))
    if group is not None:
        files = [f for f in files if f.name.startswith(f"{group}_")]
    return files


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="")


def _direction(header: Row, path: Path) -> InvoiceDirection:
    if header == CUMCM_HEADER_INPUT:
        return InvoiceDirection.INPUT
    if header == CUMCM_HEADER_OUTPUT:
        return InvoiceDirection.OUTPUT
    raise SourceUnavailable("invoices", f"{path.name}: not the CUMCM invoice header")


def _parse_date(text: str) -> date:
    year, month, day = (int(part) for part in text.split("/"))
    return date(year, month, day)


def _parse(row: Row, direction: InvoiceDirection) -> VATInvoice:
    code, number, issued, counterparty, amount, tax, total, status = (c.strip() for c in row)
    return VATInvoice(
        enterprise_code=code,
        invoice_number=number,
        issue_date=_parse_date(issued),
        counterparty_code=counterparty,
        direction=direction,
        amount=Money(Decimal(amount)),
        tax_amount=Money(Decimal(tax)),
        total_amount=Money(Decimal(total)),
        status=STATUS[status.strip()],  # the real data has " 作废发票" with a leading space
    )


class CsvInvoiceSource:
    """Invoices from CUMCM-layout CSV files, filtered by 企业代号."""

    def __init__(
        self,
        paths: Sequence[Path],
        subjects: Collection[str] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self._paths = list(paths)
        self._subjects = None if subjects is None else frozenset(subjects)
        self._aliases = dict(aliases or {})
        self._rows: dict[tuple[str, InvoiceDirection], list[str]] | None = None
        self._lock = threading.Lock()

    def _read(self, path: Path) -> Iterator[tuple[InvoiceDirection, Row]]:
        with _open_text(path) as handle:
            reader = csv.reader(handle)
            direction = _direction(tuple(next(reader)), path)
            for row in reader:
                if self._subjects is None or row[0] in self._subjects:
                    yield direction, tuple(row)

    def _load(self) -> dict[tuple[str, InvoiceDirection], list[str]]:
        with self._lock:
            if self._rows is None:
                rows: dict[tuple[str, InvoiceDirection], list[str]] = defaultdict(list)
                try:
                    for path in self._paths:
                        for direction, row in self._read(path):
                            rows[(row[0], direction)].append(SEP.join(row))
                except (OSError, UnicodeDecodeError, csv.Error, StopIteration) as exc:
                    raise SourceUnavailable("invoices", f"unreadable file: {exc}") from exc
                self._rows = dict(rows)
            return self._rows

    def invoices(
        self, subject_id: str, direction: InvoiceDirection | None = None
    ) -> Sequence[VATInvoice]:
        """Invoices of `subject_id` (via `aliases`), in file order; [] when unknown.

        raises SourceUnavailable("invoices", …) for unreadable files or malformed rows.
        """
        code = self._aliases.get(subject_id, subject_id)
        rows = self._load()
        wanted = [direction] if direction else list(InvoiceDirection)
        try:
            return [_parse(tuple(r.split(SEP)), d) for d in wanted for r in rows.get((code, d), [])]
        except (ValueError, KeyError, InvalidOperation) as exc:
            raise SourceUnavailable("invoices", f"malformed row for {code}: {exc}") from exc
