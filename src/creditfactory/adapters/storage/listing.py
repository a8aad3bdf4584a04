"""Server-side paging, sorting and filtering of a read model's SELECT — the SQL half of the
workbench's one list component (`adapters/web/listing.py` parses and validates the query
string, renders and exports).

A read model returns a `Select` whose selected columns are labelled with the list's column
keys; `fetch_page` applies a `ListQuery` to it: each filter on the labelled expression, the
sort (then every selected column, for a stable order between pages), LIMIT/OFFSET, and a
COUNT(*) of the filtered rows. `fetch_all` is the same query unpaged, for exports (at most
`limit` rows: the caller refuses a larger export rather than cut it silently).

Filters (`Filter.op`):
- "contains": case-insensitive substring (LIKE with `%`, `_` and `\\` escaped);
- "equals": the value as given (the web layer checks it against the column's choices);
- "from" / "to": inclusive bounds, values already typed by the web layer (a `date` against a
  date column; for a timestamp column the UTC instants of a CST day's start and of the next
  day's start, "to" then exclusive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["Filter", "ListQuery", "Page", "fetch_all", "fetch_page"]


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition on the column labelled `key`."""

    key: str
    op: str  # "contains" | "equals" | "from" | "to" | "before"
    value: str | date | datetime | int


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A validated list query: filters, sort key (None: the read model's order), direction,
    1-based page and page size."""

    filters: tuple[Filter, ...] = ()
    sort: str | None = None
    descending: bool = False
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True, slots=True)
class Page:
    """Rows of one page (dicts keyed by column label) and the filtered total."""

    rows: list[dict[str, Any]]
    total: int
    query: ListQuery = field(default_factory=ListQuery)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(column: ColumnElement[Any], found: Filter) -> ColumnElement[bool]:
    if found.op == "contains":
        return column.ilike(f"%{_escaped(str(found.value))}%", escape="\\")
    if found.op == "equals":
        return column == found.value
    if found.op == "from":
        return column >= found.value
    if found.op == "to":
        return column <= found.value
    if found.op == "before":
        return column < found.value
    raise ValueError(f"filter op {found.op!r}")


def _filtered(statement: Select[Any], query: ListQuery) -> Select[Any]:
    columns = statement.selected_columns
    conditions = [_condition(columns[f.key], f) for f in query.filters]
    return statement.where(and_(*conditions)) if conditions else statement


def _ordered(statement: Select[Any], query: ListQuery) -> Select[Any]:
    if query.sort is None:
        return statement
    columns = statement.selected_columns
    first = columns[query.sort]
    rest = [c for c in columns if c is not first]
    return statement.order_by(None).order_by(first.desc() if query.descending else first.asc(),
                                             *rest)  # fmt: skip


def fetch_page(db: Connection, statement: Select[Any], query: ListQuery) -> Page:
    """The page of `statement` that `query` asks for, and the filtered total."""
    filtered = _filtered(statement, query)
    total = db.execute(select(func.count()).select_from(filtered.order_by(None).subquery()))
    paged = _ordered(filtered, query).limit(query.per_page)
    paged = paged.offset((query.page - 1) * query.per_page)
    rows = [dict(r._mapping) for r in db.execute(paged)]
    return Page(rows, int(total.scalar_one()), query)


def fetch_all(db: Connection, statement: Select[Any], query: ListQuery, limit: int) -> Page:
    """Every row `query` selects (its paging ignored), at most `limit` + 1 of them so the
    caller can tell an export that is too large; `total` is the number of rows fetched."""
    rows = [dict(r._mapping) for r in db.execute(
        _ordered(_filtered(statement, query), query).limit(limit + 1))]  # fmt: skip
    return Page(rows, len(rows), query)
