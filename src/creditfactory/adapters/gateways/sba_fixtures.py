"""The SBA applicants' record source: each held-out SBA loan's approval-time applicant facts.

The SBA case data (data/sba_loans_case/SBAcase.11.13.17.csv, U.S. public domain) is the SBA's own
record of each 7(a) loan as approved: industry (NAICS), employees (NoEmp), new or existing
business (NewExist), jobs to create and retain (CreateJob, RetainedJob), franchise code, urban or
rural area. No other record of these firms exists, so the served SBA demo verifies its
applicants' declarations against that record — the lender's file at approval, standing in for a
registry or loan-file source, read through the consent gate like any other source
(data/fixtures/sba_records/SOURCE.md says so). Its values are the applicants' own declarations
as the SBA recorded them: in the demo they agree with what is declared, and the record's job
is to make a changed declaration a contradiction, and to let the verified value be scored.

`sba_records(rows)` builds the `records_file.FileRecordSource` document (section "registry")
for the rows given, keyed by the applicant's demo USCC (`sba_subject`): name as the demo sends it,
status active, no registration date or capital (the record publishes neither), and `profile` —
`declared.RECORD_FACTS` recoded as for training (`scoring.training.datasets.sba_recode`;
a missing value is left out, so it scores at its worst). `write_sba_records(out)` writes the
held-out half (``Selected == 0``) to `out`/registry.json.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Final

import pandas

from creditfactory.origination.application import demo_uscc
from creditfactory.origination.declared import RECORD_FACTS
from creditfactory.scoring.training.datasets import sba_recode

__all__ = [
    "SBA_CASE",
    "SOURCE",
    "VERSION",
    "held_out_rows",
    "sba_name",
    "sba_records",
    "sba_subject",
    "write_sba_records",
]

REPO: Final = Path(__file__).resolve().parents[4]
SBA_CASE: Final = REPO / "data" / "sba_loans_case" / "SBAcase.11.13.17.csv"
VERSION: Final = "sba-case-2017.11.13 approval-time fields"
SOURCE: Final = (
    "SBA 7(a) loan record at approval (SBAcase.11.13.17.csv approval-time fields, U.S. public "
    "domain; stands in for a registry / loan-file source)"
)


def held_out_rows(path: Path = SBA_CASE) -> list[dict[str, str]]:
    """The held-out half of the SBA case file (``Selected == 0``), as text."""
    with path.open(encoding="utf-8-sig") as f:
        return [r for r in csv.DictReader(f) if r["Selected"] == "0"]


def sba_subject(row: dict[str, str]) -> str:
    """The applicant's demo USCC, from its loan number (`application.demo_uscc`) without the
    last two digits: the last eight digits of two held-out loans (5617684003, 7217684003) are
    the same, the digits before the last two differ for every held-out loan."""
    return demo_uscc(int(row["LoanNr_ChkDgt"]) // 100)


def sba_name(row: dict[str, str]) -> str:
    """The applicant's name as the demo sends it (at most 200 characters)."""
    return row["Name"][:200] or "unnamed"


def _plain(value: Any) -> str | int | float:
    if isinstance(value, str):
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def sba_records(rows: list[dict[str, str]]) -> dict[str, Any]:
    """The record document of `rows` (module docstring)."""
    recoded = sba_recode(pandas.DataFrame(rows))
    facts = sorted(RECORD_FACTS.intersection(recoded.columns))
    records = {}
    for row, (_, values) in zip(rows, recoded[facts].iterrows(), strict=True):
        records[sba_subject(row)] = {
            "record_id": f"SBA-7A-{row['LoanNr_ChkDgt']}",
            "name": sba_name(row),
            "status": "active",
            "established_date": None,
            "registered_capital": None,
            "profile": {k: _plain(v) for k, v in values.items() if not pandas.isna(v)},
        }
    return {"version": VERSION, "source": SOURCE, "registry": records}


def write_sba_records(out: Path, path: Path = SBA_CASE) -> int:
    """Write `out`/registry.json for the held-out half; returns the number of records."""
    document = sba_records(held_out_rows(path))
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    (out / "registry.json").write_text(text + "\n", encoding="utf-8")
    return len(document["registry"])
