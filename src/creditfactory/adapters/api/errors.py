"""One place that maps errors to HTTP: problem+json (RFC 9457) naming the field and the rule.

ValidationError / InvalidField / request shape   → 422 {"field", "rule"}
IdempotencyKeyReused, OfferNotOpen               → 409
StoredResponseTampered (edited replay, alerted)  → 409 {"field": "idempotency_key"}
ExposureCapExceeded (rule K11)                   → 409 {"field": "offer_id", "rule": "K11"}
ApplicationNotFound, LoanNotFound                → 404
MakerCheckerViolation, Forbidden,
PermissionDenied                                 → 403
SubjectBusy, ItemNotPending                      → 409
ConcurrentUpdate (another transaction won; retry) → 409
EntryNotInLog                                    → 404
LoginThrottled                                   → 429 (Retry-After)
Unauthorized                                     → 401
other DomainError (e.g. an over-repayment)       → 422

On the workbench's page routes (`adapters.web.errors.is_page`) the same status is answered
as a friendly HTML page (`page_error`) instead of problem+json; a browser without a session
(Accept: text/html) is sent to the sign-in form.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditfactory.access import (
    ItemNotPending,
    LoginThrottled,
    PermissionDenied,
    SubjectBusy,
)
from creditfactory.access import MakerCheckerViolation as FourEyesViolation
from creditfactory.adapters.storage.repositories import ConcurrentUpdate, LoanNotFound
from creditfactory.adapters.web.errors import is_page, page_error
from creditfactory.audit import EntryNotInLog
from creditfactory.kernel.errors import CreditFactoryError, DomainError, ValidationError
from creditfactory.kernel.idempotency import StoredResponseTampered
from creditfactory.origination import InvalidField
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    ExposureCapExceeded,
    IdempotencyKeyReused,
    MakerCheckerViolation,
    OfferNotOpen,
)

__all__ = ["PROBLEM", "Forbidden", "Unauthorized", "install_error_handlers", "problem"]

PROBLEM = "application/problem+json"
log = logging.getLogger(__name__)


class Unauthorized(CreditFactoryError):
    """No or a bad API key / token."""


class Forbidden(CreditFactoryError):
    """Authenticated, but the role does not allow it."""


def problem(
    status: int, title: str, detail: str, *, field: str = "", rule: str = "", **extra: Any
) -> JSONResponse:
    """A problem+json response: always `type, title, status, detail, field, rule` (`field` ""
    when no one field is at fault, e.g. an unknown route), then `extra` (e.g. `path`)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "field": field, "rule": rule, **extra}  # fmt: skip
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field_of(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, InvalidField | ValidationError | ExposureCapExceeded):
        return exc.field, exc.rule
    text = str(exc)
    name, _, rule = text.partition(": ")
    return (name, rule) if rule else ("", text)


_STATUS: tuple[tuple[type[Exception], int, str], ...] = (
    (Unauthorized, 401, "Unauthorized"),
    (Forbidden, 403, "Forbidden"),
    (MakerCheckerViolation, 403, "Maker-checker violation"),
    (FourEyesViolation, 403, "Maker-checker violation"),
    (PermissionDenied, 403, "Forbidden"),
    (SubjectBusy, 409, "Open item on the subject"),
    (ItemNotPending, 409, "Conflict"),
    (EntryNotInLog, 404, "Not found"),
    (LoginThrottled, 429, "Too many failed logins"),
    (ApplicationNotFound, 404, "Not found"),
    (LoanNotFound, 404, "Not found"),
    (ConcurrentUpdate, 409, "Conflict"),
    (IdempotencyKeyReused, 409, "Idempotency key reused"),
    (StoredResponseTampered, 409, "Stored response not served"),
    (ExposureCapExceeded, 409, "Exposure cap exceeded"),
    (OfferNotOpen, 409, "Conflict"),
    (InvalidField, 422, "Invalid field"),
    (ValidationError, 422, "Invalid field"),
    (DomainError, 422, "Rule broken"),
)


async def _domain(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Unauthorized) and "text/html" in request.headers.get("accept", ""):
        return RedirectResponse("/login", status_code=303)  # a browser without a session
    for kind, status, title in _STATUS:
        if isinstance(exc, kind):
            field, rule = _field_of(exc)
            wait = exc.retry_after_s if isinstance(exc, LoginThrottled) else None
            headers = {"Retry-After": str(wait)} if wait is not None else None
            if is_page(request):
                return await page_error(request, status, detail=str(exc), field=field,
                                        retry_after_s=wait, headers=headers)  # fmt: skip
            response = problem(status, title, str(exc), field=field, rule=rule)
            response.headers.update(headers or {})
            return response
    if is_page(request):
        return await page_error(request, 500)
    return problem(500, "Internal error", "unexpected error")


async def _shape(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
    if is_page(request):
        names = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = names[-1] if names else ""
        return await page_error(request, 422, detail=f"{field}: {first.get('msg')}", field=field)
    if first.get("type") == "json_invalid":
        return problem(
            422, "Invalid field", "body: malformed JSON", field="body", rule="malformed JSON"
        )
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "header", "path", "query")]
    if not loc:  # the body as a whole: missing, not a JSON object (e.g. text/plain)
        loc = ["body"]
    field = ".".join(loc)
    # Name the leaf field (e.g. "amount", "term_months") like the domain errors do.
    return problem(
        422,
        "Invalid field",
        f"{field}: {first.get('msg')}",
        field=loc[-1] if loc else "",
        path=field,
        rule=str(first.get("msg")),
    )


async def _http(request: Request, exc: Exception) -> Response:
    """Framework errors (unknown route 404, wrong method 405, unparsable body 400) as problem+json
    (an HTML page on page routes)."""
    assert isinstance(exc, StarletteHTTPException)
    if is_page(request) and exc.status_code != 400:
        return await page_error(request, exc.status_code, headers=dict(exc.headers or {}))
    if exc.status_code == 400:  # FastAPI's JSON parser failed other than on syntax; the
        # bytes are UTF-8 already (request_body.py), so the nesting or a number was too big
        rule = "unparsable JSON (nested deeper than the parser allows, or a number of more than 4,300 digits)"
        return problem(422, "Invalid field", f"body: {rule}", field="body", rule=rule)
    response = problem(exc.status_code, str(exc.detail), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A defect, never the caller's input: the one shape still (not Starlette's text/plain;
    the HTML error page on page routes), nothing of the exception in the body; the traceback
    goes to the log."""
    log.error("unexpected error", exc_info=exc)
    if is_page(request):
        return await page_error(request, 500)
    return problem(500, "Internal error", "unexpected error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(CreditFactoryError, _domain)
    app.add_exception_handler(RequestValidationError, _shape)
    app.add_exception_handler(StarletteHTTPException, _http)
