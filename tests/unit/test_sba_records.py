"""The SBA applicants' record source (data/fixtures/sba_records, adapters.gateways.sba_fixtures):
the committed file is what the generator writes, each record holds the case file's own
approval-time values (read here straight from the CSV, not through `sba_recode`), and the file
adapter reads a profile and refuses a malformed one."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from creditfactory.adapters.gateways.records_file import FileRecordSource
from creditfactory.adapters.gateways.sba_fixtures import SBA_CASE, held_out_rows, sba_records
from creditfactory.origination.errors import SourceUnavailable

RECORDS = Path(__file__).parents[2] / "data" / "fixtures" / "sba_records" / "registry.json"
DOCUMENT = json.loads(RECORDS.read_text(encoding="utf-8"))


def test_the_committed_file_is_what_the_generator_writes() -> None:
    assert DOCUMENT == json.loads(json.dumps(sba_records(held_out_rows())))


def test_one_record_per_held_out_loan_with_its_approval_time_values() -> None:
    with SBA_CASE.open(encoding="utf-8-sig") as f:
        held_out = [r for r in csv.DictReader(f) if r["Selected"] == "0"]
    by_loan = {r["record_id"].removeprefix("SBA-7A-"): r for r in DOCUMENT["registry"].values()}
    assert len(DOCUMENT["registry"]) == len(by_loan) == len(held_out) == 1051
    for row in held_out:
        record = by_loan[row["LoanNr_ChkDgt"]]
        profile = record["profile"]
        assert (profile["NoEmp"], profile["RetainedJob"], profile["CreateJob"]) == (
            int(row["NoEmp"]), int(row["RetainedJob"]), int(row["CreateJob"]))  # fmt: skip
        assert profile["NAICS"] == row["NAICS"] and profile["New"] == int(row["New"])
        assert profile["Franchise"] == int(int(row["FranchiseCode"]) > 1)
        assert profile.get("UrbanRural") == (None if row["UrbanRural"] == "0" else
                                             int(row["UrbanRural"]))  # fmt: skip
        assert record["name"] == (row["Name"][:200] or "unnamed")
        assert (record["status"], record["established_date"]) == ("active", None)
    # not a single loan characteristic: those come from the request
    assert not {"GrAppv", "SBA_Appv", "Portion", "RevLineCr"}.intersection(
        k for r in DOCUMENT["registry"].values() for k in r["profile"]
    )


def test_the_file_source_reads_a_profile_and_refuses_a_malformed_one() -> None:
    subject, raw = next(iter(DOCUMENT["registry"].items()))
    record = FileRecordSource(DOCUMENT).registry_record(subject)
    assert record is not None and dict(record.profile) == raw["profile"]
    assert record.established_date is None and record.record_id == raw["record_id"]
    for bad in ({"NoEmp": True}, ["NoEmp", 4], {"NoEmp": [4]}):
        broken = {"registry": {subject: {**raw, "profile": bad}}}
        with pytest.raises(SourceUnavailable, match="profile"):
            FileRecordSource(broken).registry_record(subject)
