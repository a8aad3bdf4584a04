"""File-backed gateways: CUMCM invoice CSV (real data, row counts from SOURCE.md) and JSON records."""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from tests.shared import shared_path

from creditfactory.adapters.gateways.invoices_file import CsvInvoiceSource, cumcm_files
from creditfactory.adapters.gateways.records_file import FileRecordSource
from creditfactory.kernel.money import Money
from creditfactory.origination.errors import SourceUnavailable
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, TaxGrade

HEADER_OUT = "企业代号,发票号码,开票日期,购方单位代号,金额,税额,价税合计,发票状态\n"
HEADER_IN = "企业代号,发票号码,开票日期,销方单位代号,金额,税额,价税合计,发票状态\n"


def _write(path: Path, header: str, rows: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(header + "".join(r + "\n" for r in rows))
    return path


def test_small_files_parse_exactly(tmp_path: Path) -> None:
    out = _write(tmp_path / "x_output_invoices.csv.gz", HEADER_OUT, [
        "E1,11459356,2017/8/4,B03711,9401.71,1598.29,11000.0,有效发票",
        "E1,11459357,2017/8/5,B03711,-943.4,-56.6,-1000.0,作废发票",
        "E2,1,2018/1/1,B1,1,0,1,有效发票",
    ])  # fmt: skip
    inp = _write(tmp_path / "x_input_invoices.csv.gz", HEADER_IN, [
        "E1,3390939,2017/7/18,A00297,-943.4,-56.6,-1000.0,有效发票",
    ])  # fmt: skip
    source = CsvInvoiceSource([out, inp], aliases={"91350200776049653A": "E1"})
    found = source.invoices("91350200776049653A")
    assert [i.direction for i in found] == [InvoiceDirection.INPUT] + [InvoiceDirection.OUTPUT] * 2
    sale = found[1]
    assert sale.amount == Money(Decimal("9401.71"))
    assert sale.total_amount == Money(Decimal("11000.0"))
    assert sale.issue_date == date(2017, 8, 4)
    assert found[2].status is InvoiceStatus.VOID
    assert len(source.invoices("E1", InvoiceDirection.OUTPUT)) == 2
    assert source.invoices("E999") == []


def test_wrong_header_is_source_unavailable(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad_invoices.csv.gz", "a,b,c\n", ["1,2,3"])
    with pytest.raises(SourceUnavailable) as info:
        CsvInvoiceSource([bad]).invoices("E1")
    assert info.value.source == "invoices"


def test_malformed_row_is_source_unavailable(tmp_path: Path) -> None:
    bad = _write(
        tmp_path / "b_output_invoices.csv.gz", HEADER_OUT, ["E1,1,2017/13/1,B,1,0,1,有效发票"]
    )
    with pytest.raises(SourceUnavailable):
        CsvInvoiceSource([bad]).invoices("E1")


def test_real_cumcm_output_file_row_count() -> None:
    directory = shared_path("data", "cumcm2020c_sme_invoices")
    files = [f for f in cumcm_files(directory, "credit_history") if "output" in f.name]
    assert [f.name for f in files] == ["credit_history_output_invoices.csv.gz"]
    source = CsvInvoiceSource(files)
    total = sum(len(source.invoices(f"E{n}")) for n in range(1, 124))
    assert total == 162_484  # SOURCE.md row count for 附件1 销项发票
    e1 = source.invoices("E1", InvoiceDirection.OUTPUT)
    assert e1[0].invoice_number == "11459356"
    assert e1[0].counterparty_code == "B03711"


def test_cumcm_files_groups() -> None:
    directory = shared_path("data", "cumcm2020c_sme_invoices")
    assert len(cumcm_files(directory, "no_credit_history")) == 3
    assert len(cumcm_files(directory)) == 5


DOC = {
    "tax_grade": {"S1": {"grade": "A", "year": 2024}, "BAD": {"grade": "Q", "year": 2024}},
    "registry": {
        "S1": {
            "name": "某个体户",
            "status": "active",
            "established_date": "2020-01-02",
            "registered_capital": None,
        }
    },
    "courts": {
        "S1": {"dishonest_debtor": True, "enforcement_cases": 2, "consumption_restricted": True}
    },
    "bureau": {},
}


def test_file_records() -> None:
    source = FileRecordSource(DOC)
    assert source.tax_grade("S1").grade is TaxGrade.A  # type: ignore[union-attr]
    registry = source.registry_record("S1")
    assert registry is not None and registry.registered_capital is None
    assert source.court_record("S1").dishonest_debtor
    assert not source.court_record("S2").dishonest_debtor
    assert source.bureau_report("S1") is None
    with pytest.raises(SourceUnavailable) as info:
        source.tax_grade("BAD")
    assert info.value.source == "tax_grade"


def test_file_records_from_path(tmp_path: Path) -> None:
    import json

    path = tmp_path / "records.json"
    path.write_text(json.dumps(DOC, ensure_ascii=False), encoding="utf-8")
    assert FileRecordSource.from_path(path).tax_grade("S1") is not None


def test_optional_record_fields_and_their_errors() -> None:
    source = FileRecordSource({
        "registry": {"S": {"name": "x", "status": "active", "established_date": "2015-03-02",
                           "registered_capital": None, "legal_representative": "王*",
                           "record_id": "GSXT-S"}},
        "courts": {"S": {"dishonest_debtor": False, "enforcement_cases": 1,
                         "consumption_restricted": False, "judgments_as_defendant": 2}},
        "tax_grade": {"S": {"grade": "B", "year": 2018, "tax_paid": {"2018": "12.50", "2017": "3"}},
                      "T": {"grade": "B", "year": 2018, "tax_paid": {"last": "1"}}},
    })  # fmt: skip
    registry = source.registry_record("S")
    assert registry is not None
    assert (registry.legal_representative, registry.record_id) == ("王*", "GSXT-S")
    assert source.court_record("S").judgments_as_defendant == 2
    assert source.court_record("nobody").judgments_as_defendant == 0
    tax = source.tax_grade("S")
    assert tax is not None and tax.tax_paid == ((2017, Money.of(3)), (2018, Money.of("12.50")))
    assert tax.record_id is None
    with pytest.raises(SourceUnavailable, match="tax_paid"):
        source.tax_grade("T")


def test_bundled_fixtures_cover_every_mapped_firm_and_load() -> None:
    from creditfactory.adapters.gateways.cn_fixtures import read_firms
    from creditfactory.config import CN_RECORDS

    firms = read_firms(CN_RECORDS / "firms.csv")
    assert len(firms) == 302 and len({f.uscc for f in firms}) == 302
    registry = FileRecordSource.from_path(CN_RECORDS / "registry.json")
    courts = FileRecordSource.from_path(CN_RECORDS / "courts.json")
    tax = FileRecordSource.from_path(CN_RECORDS / "tax.json")
    for firm in firms:
        found = registry.registry_record(firm.uscc)
        assert found is not None and found.name == firm.name
        assert courts.court_record(firm.uscc).record_id == f"COURT-{firm.uscc}"
        assert tax.tax_grade(firm.uscc) is not None
