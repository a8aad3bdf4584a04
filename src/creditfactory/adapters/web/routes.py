"""The console page at `/`: counts, recent applications, decisions and loans (masked ids only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select

from creditfactory.adapters.api.security import authorize
from creditfactory.adapters.storage.servicing_tables import loans
from creditfactory.kernel.money import Money

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(authorize)])
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _yuan(minor: int | None) -> str:
    return f"{Money.from_minor(int(minor or 0)).amount:,.2f}"


def _loans(db: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = db.execute(
        select(loans.c.loan_id, loans.c.principal_minor, loans.c.annual_rate, loans.c.status,
               loans.c.dpd, loans.c.grade, loans.c.disbursement_date)
        .order_by(loans.c.updated_at.desc()).limit(15)
    )  # fmt: skip
    total = db.execute(
        select(func.count(), func.coalesce(func.sum(loans.c.principal_minor), 0))
    ).one()
    return [dict(r._mapping) for r in rows], {"count": total[0], "principal": _yuan(total[1])}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def console(request: Request) -> HTMLResponse:
    """Recent applications, decisions and loans."""
    deps = request.app.state.deps
    with deps.uow() as uow:
        store = uow.applications
        apps, decisions, counts = store.recent(15), store.recent_decisions(15), store.counts()
        loan_rows, book = _loans(uow.connection)
    html = _ENV.get_template("console.html").render(
        apps=apps, decisions=decisions, counts=counts, loans=loan_rows, book=book, yuan=_yuan,
        policy=deps.policy.version, spec=deps.spec_digest[:12],
    )  # fmt: skip
    return HTMLResponse(html)
