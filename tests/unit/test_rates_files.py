"""`creditfactory rates import PATH` reads a file of at most 1 MB, UTF-8, CSV or JSON; anything
else is refused as `path` with one line naming the file (and the line of a broken CSV), never an
"unexpected" error (exit 1): the attacks were a Latin-1 and a UTF-16 file, a CSV field over the
csv module's 131,072-character limit, '[' nested 100,000 deep, and a duplicated header column."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditfactory.adapters.cli.rates import MAX_FILE_BYTES, read_fixings
from creditfactory.kernel.errors import ValidationError

HEADER = "effective_date,one_year,over_five_year,confidence,source\n"
ROW = "2025-12-22,3.00,3.50,C,Xinhua 2025-12-22\n"


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("latin1.csv", (HEADER + ROW.replace("Xinhua", "café")).encode("latin-1"),
         "is not UTF-8 text (byte 0xe9"),
        ("utf16.csv", (HEADER + ROW).encode("utf-16"), "is not UTF-8 text (byte 0xff at offset 0)"),
        ("long.csv", (HEADER + ROW + ROW[:-1] + "x" * 131_073 + "\n").encode(),
         "line 3: field larger than field limit"),
        ("deep.json", b"[" * 100_000, "is not JSON: nested too deeply"),
        ("bad.json", b"{", "is not JSON"),
        ("dict.json", b'{"rows": []}', 'a JSON list of fixings or {"fixings": [...]}'),
        ("twice.csv", (HEADER.strip() + ",source\n" + ROW.strip() + ",again\n").encode(),
         "a CSV header of exactly"),
        ("big.csv", (HEADER + ROW * (MAX_FILE_BYTES // len(ROW) + 1)).encode(),
         "is over 1,000,000 bytes"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_file(
    tmp_path: Path, name: str, content: bytes, rule: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError) as refused:
        read_fixings(path)
    assert refused.value.field == "path"
    assert refused.value.rule.startswith(str(path)) and rule in refused.value.rule


def test_a_utf8_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes((HEADER + ROW).encode("utf-8-sig"))
    assert read_fixings(path) == [dict(zip(HEADER.strip().split(","), ROW.strip().split(","),
                                           strict=True))]  # fmt: skip
