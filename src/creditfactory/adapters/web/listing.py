"""The list component every workbench list uses: paging, sorting and filtering on the server
from the query string, validated; CSV (UTF-8 with BOM, so Excel opens Chinese names) and Excel
(xlsx, openpyxl) exports of the same query.

A page declares a `ListView` (its columns, how each is shown, which are sortable and
filterable) and answers with `list_page(request, view, statement)`, where `statement` is its
read model's SELECT with columns labelled by the column keys (no SQL in routes: the read model
lives in adapters/storage). The template shows it with the `list_table(listing)` macro of
`components/list.html`.

Query parameters (anything else is refused):
- `page` (1 … MAX_PAGE), `per_page` (one of PER_PAGE), `sort` (a sortable key, `-key` descending),
  `format` (`html` | `csv` | `xlsx`), `lang`;
- per filterable column: `<key>` for "contains" / "equals" filters (equals: one of the
  column's `choices` when it has them), `<key>_from` and `<key>_to` (YYYY-MM-DD, inclusive
  CST days, 1900-01-01 … 9998-12-31) for "date_range".
A bad value raises `ValidationError(<parameter>, rule)`: a 422 page naming it, never a 500.
An export larger than EXPORT_MAX_ROWS is refused the same way (narrow the filter) rather than
cut short silently. Text that a spreadsheet would run as a formula (a name starting "=", "+",
"-", "@") is exported as text: an apostrophe before it in CSV, a text cell in xlsx.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlencode

from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy import Select
from starlette.requests import Request

from creditfactory.adapters.storage.listing import Filter, ListQuery, Page, fetch_all, fetch_page
from creditfactory.adapters.web import formatting
from creditfactory.adapters.web.i18n import LANG_PARAM, gettext, lang_of
from creditfactory.adapters.web.render import render
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import CNY, Money

__all__ = [
    "EXPORT_MAX_ROWS",
    "PER_PAGE",
    "Column",
    "ListView",
    "Listing",
    "known_params",
    "list_page",
    "parse_query",
]

PER_PAGE: Final = (10, 25, 50, 100)
EXPORT_MAX_ROWS: Final = 50_000
KINDS: Final = ("text", "number", "money_minor", "money", "time", "date", "grade", "id", "uscc")
FILTERS: Final = ("contains", "equals", "date_range")
_RESERVED: Final = ("page", "per_page", "sort", "format", LANG_PARAM)
MAX_PAGE: Final = 1_000_000
"""The highest page number accepted (a larger OFFSET overflows the databases' integers)."""
FIRST_DAY: Final = date(1900, 1, 1)
LAST_DAY: Final = date(9998, 12, 31)


@dataclass(frozen=True, slots=True)
class Column:
    """A list column: `key` (the SELECT label and the query parameter), English `label`
    (mark it with `nav.N_`; translated when shown), `kind` (one of KINDS: how a cell is shown
    and exported), whether it sorts, its filter (one of FILTERS or None), for "equals" the
    accepted values, and for an "id" column `link`, the path of the record's page with `{}`
    for the id (e.g. "/applications/{}")."""

    key: str
    label: str
    kind: str = "text"
    sortable: bool = True
    filter: str | None = None
    choices: tuple[str, ...] = ()
    link: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS or (self.filter is not None and self.filter not in FILTERS):
            raise ValueError(f"column {self.key}: kind {self.kind!r}, filter {self.filter!r}")


@dataclass(frozen=True, slots=True)
class ListView:
    """A list: `name` (the HTML id and the export file name), its columns, the default sort
    (`key` or `-key`), and `present`, a function applied to each fetched row (e.g. to add a
    display column) — the read model's row otherwise."""

    name: str
    columns: tuple[Column, ...]
    default_sort: str
    present: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def column(self, key: str) -> Column | None:
        """The column `key`, or None."""
        return next((c for c in self.columns if c.key == key), None)

    def parameters(self) -> set[str]:
        """Every query parameter this list accepts."""
        names = set(_RESERVED)
        for c in self.columns:
            if c.filter == "date_range":
                names |= {f"{c.key}_from", f"{c.key}_to"}
            elif c.filter is not None:
                names.add(c.key)
        return names


def _integer(params: Mapping[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise ValidationError(name, f"a whole number from 1 to {MAX_PAGE:,}")
    return int(text)


def _day(name: str, text: str) -> date:
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(name, "a date written YYYY-MM-DD") from None
    if not FIRST_DAY <= found <= LAST_DAY:  # a CST day's bounds must exist as UTC times
        raise ValidationError(name, f"a date from {FIRST_DAY} to {LAST_DAY}")
    return found


def _cst_start(day: date) -> datetime:
    return datetime.combine(day, time(0), formatting.CST)


def _filters(view: ListView, params: Mapping[str, str]) -> tuple[Filter, ...]:
    found: list[Filter] = []
    for c in view.columns:
        if c.filter == "date_range":
            for suffix in ("from", "to"):
                name = f"{c.key}_{suffix}"
                if params.get(name):
                    day = _day(name, params[name])
                    if c.kind == "time" and suffix == "from":
                        found.append(Filter(c.key, "from", _cst_start(day)))
                    elif c.kind == "time":
                        found.append(Filter(c.key, "before", _cst_start(day + timedelta(1))))
                    else:
                        found.append(Filter(c.key, suffix, day))
        elif c.filter is not None and params.get(c.key):
            value = params[c.key].strip()
            if c.choices and value not in c.choices:
                raise ValidationError(c.key, f"one of {', '.join(c.choices)}")
            if len(value) > 200:
                raise ValidationError(c.key, "at most 200 characters")
            found.append(Filter(c.key, c.filter, value))
    return tuple(found)


def known_params(request: Request, allowed: set[str]) -> None:
    """raises ValidationError naming the first query parameter not in `allowed` (`lang` is
    always allowed) or given more than once — a page's guard against a mistyped link."""
    params = request.query_params
    for name in params:
        if name not in allowed | {LANG_PARAM}:
            shown = ", ".join(sorted(allowed)) or "none"
            raise ValidationError(name, f"not a parameter of this page (it takes: {shown})")
        if len(params.getlist(name)) > 1:
            raise ValidationError(name, "given more than once")


def parse_query(view: ListView, request: Request) -> tuple[ListQuery, str]:
    """(the validated query, the format) of `request`. raises ValidationError naming the
    first bad parameter."""
    known_params(request, view.parameters())
    params = request.query_params
    per_page = _integer(params, "per_page", 25)
    if per_page not in PER_PAGE:
        raise ValidationError("per_page", f"one of {', '.join(map(str, PER_PAGE))}")
    sort = params.get("sort") or view.default_sort
    column = view.column(sort.removeprefix("-"))
    if column is None or not column.sortable:
        raise ValidationError("sort", "a sortable column, '-' before it for descending")
    fmt = params.get("format") or "html"
    if fmt not in ("html", "csv", "xlsx"):
        raise ValidationError("format", "html, csv or xlsx")
    query = ListQuery(
        filters=_filters(view, params), sort=column.key, descending=sort.startswith("-"),
        page=_integer(params, "page", 1), per_page=per_page,
    )  # fmt: skip
    return query, fmt


@dataclass(frozen=True, slots=True)
class Listing:
    """What the `list_table` macro shows: the view, the page, and links that keep the query."""

    view: ListView
    page: Page
    params: dict[str, str]
    path: str

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.page.total // self.page.query.per_page))

    def url(self, **changes: str | int | None) -> str:
        """This list's URL with `changes` (None removes a parameter)."""
        params = {**self.params, **{k: str(v) for k, v in changes.items() if v is not None}}
        for k, v in changes.items():
            if v is None:
                params.pop(k, None)
        return f"{self.path}?{urlencode(params)}" if params else self.path

    def sort_url(self, key: str) -> str:
        """Sort by `key`; ascending first, descending when already sorted ascending by it."""
        query = self.page.query
        flip = query.sort == key and not query.descending
        return self.url(sort=f"-{key}" if flip else key, page=None)

    def sorted_as(self, key: str) -> str:
        """ "ascending" / "descending" / "none" (aria-sort) for column `key`."""
        query = self.page.query
        if query.sort != key:
            return "none"
        return "descending" if query.descending else "ascending"


def _cell_text(column: Column, value: Any, lang: str, currency: str = CNY) -> Any:
    """A cell as exported: amounts stay numbers (Decimal, in the row's `currency` column when
    it has one), times CST, labels in `lang`."""
    if value is None:
        return ""
    if column.kind == "money_minor":
        return Money.from_minor(int(value), currency).amount
    if column.kind == "money":
        return value.amount if isinstance(value, Money) else Decimal(value)
    if column.kind == "time":
        return formatting.cst(value)
    if column.kind == "date":
        return formatting.day(value)
    if column.kind == "grade":
        _, zh, en = formatting.grade(value)
        return zh if lang == "zh-CN" else en
    if column.kind == "uscc":
        return formatting.uscc_masked(value)
    if column.choices:  # a status word: as the page shows it
        return gettext(lang, str(value))
    return value


def _cells(view: ListView, row: dict[str, Any], lang: str) -> list[Any]:
    currency = str(row.get("currency") or CNY)
    return [_cell_text(c, row.get(c.key), lang, currency) for c in view.columns]


def _headers(view: ListView, lang: str) -> list[str]:
    return [gettext(lang, c.label) + (" (CST)" if c.kind == "time" else "") for c in view.columns]


_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula ("=HYPERLINK(…)" as an applicant's name:
    OWASP "CSV Injection") gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(view: ListView, rows: list[dict[str, Any]], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers(view, lang))
    for row in rows:
        writer.writerow([_inert(v) for v in _cells(view, row, lang)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(view: ListView, rows: list[dict[str, Any]], lang: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = view.name[:31]
    sheet.append(_headers(view, lang))
    for row in rows:
        sheet.append(_cells(view, row, lang))
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if cell.data_type == "f":  # openpyxl takes "=…" text for a formula: keep it text
                cell.data_type = "s"
    for index, c in enumerate(view.columns, start=1):
        if c.kind in ("money", "money_minor"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_MEDIA: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _export(view: ListView, request: Request, statement: Select[Any], query: ListQuery,
            fmt: str) -> Response:  # fmt: skip
    with request.app.state.engine.connect() as db:
        found = fetch_all(db, statement, query, EXPORT_MAX_ROWS)
    if found.total > EXPORT_MAX_ROWS:
        raise ValidationError("format", f"more than {EXPORT_MAX_ROWS:,} rows: narrow the filter")
    rows = [view.present(r) for r in found.rows] if view.present else found.rows
    lang = lang_of(request)
    body = _csv(view, rows, lang) if fmt == "csv" else _xlsx(view, rows, lang)
    name = f"{view.name}.{fmt}"
    return Response(body, media_type=_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def list_page(
    request: Request, view: ListView, statement: Select[Any], template: str, **ctx: Any
) -> Response:
    """Answer a list page: the export when `format` asks for one, else `template` rendered
    with `listing` (a `Listing`) and `ctx`. Call from a sync route (worker thread). raises
    ValidationError (→ 422 page) naming a bad parameter."""
    query, fmt = parse_query(view, request)
    if fmt != "html":
        return _export(view, request, statement, query, fmt)
    with request.app.state.engine.connect() as db:
        found = fetch_page(db, statement, query)
    if view.present is not None:
        found = Page([view.present(r) for r in found.rows], found.total, found.query)
    params = {k: v for k, v in request.query_params.items() if k != LANG_PARAM and v != ""}
    listing = Listing(view, found, params, request.url.path)
    return render(request, template, listing=listing, **ctx)
