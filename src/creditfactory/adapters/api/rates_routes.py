"""LPR fixings over HTTP (issue 12): `POST /api/v1/rates` imports fixings as pending (the maker;
a second officer publishes them at `POST /api/v1/approvals/{approval_id}/approve`), `GET
/api/v1/rates` lists the series in force and the imports. Permissions `rates.import` /
`rates.read` (access policy); every rule is in `service_layer.rates_flow`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from creditfactory.adapters.api.officer_routes import Deps, Who
from creditfactory.adapters.api.responses import RatesImportView, RatesView, answers
from creditfactory.adapters.api.schemas import StrictBody, example
from creditfactory.adapters.api.security import Security, authorize
from creditfactory.service_layer import rates_flow

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", dependencies=[Depends(authorize)], tags=["rates"])


class RatesImport(StrictBody):
    """Fixings to import: each {"effective_date", "one_year", "over_five_year" (percent text,
    e.g. "3.00"), "confidence" (C/P/U), "source"}; checked row by row (422 names
    `rows[<n>].<field>`). A row that changes a published fixing needs `"correction": true` and the
    reason in `note`."""

    model_config = example({"fixings": [{"effective_date": "2026-11-20", "one_year": "3.00",
                                         "over_five_year": "3.50", "confidence": "U",
                                         "source": "example (not a published value)"}],
                            "note": "", "correction": False})  # fmt: skip

    fixings: list[dict[str, Any]] = Field(min_length=1, max_length=1000)
    note: str = Field(default="", max_length=500)
    correction: bool = False


@router.post("/rates", status_code=201, **answers(RatesImportView, 201, 200))
def post_rates(
    body: RatesImport, deps: Deps, who: Who, request: Request, response: Response
) -> dict[str, Any]:
    """Maker: import LPR fixings as pending with a rates_publication item (201); the same
    fixings again return the first import (200)."""
    security: Security = request.app.state.security
    view, created = rates_flow.import_rates(
        deps, security.access, body.fixings, who.officer_id, who.role, body.note, body.correction
    )
    if not created:
        response.status_code = 200
    return view


@router.get("/rates", **answers(RatesView))
def get_rates(
    deps: Deps, who: Who, status: Literal["pending", "published", "rejected"] | None = None
) -> dict[str, Any]:
    """The LPR series in force (version, last fixing, current until, stale) and the imports."""
    return rates_flow.list_rates(deps, status)
