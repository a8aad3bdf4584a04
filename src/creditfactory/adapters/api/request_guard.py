"""The request at the edge, before any route or parser sees it (`RequestGuard`).

- Size: a body over `MAX_BODY_BYTES` (1,000,000 bytes) → 413 problem+json, field "body",
  whether its length is declared (Content-Length) or it streams in chunks
  (Transfer-Encoding: chunked). The body is read here in full, up to the limit, and replayed to
  the app as one message: a limit raised from inside the app's own read would be caught by
  FastAPI's body parser and answered as a 400 parse error.
- Encoding: a body that is not UTF-8 → 422 problem+json, field "body", whatever its declared
  type. The API takes JSON (RFC 8259 §8.1: UTF-8 only) and the console url-encoded forms
  (WHATWG URL §5: UTF-8); no route takes binary. Checked once here, so that no decoder error in
  a route can become a 500 (a form posted as text/plain or multipart reached the console's
  sign-in decoder), and Python's json cannot guess UTF-16/32 from the first bytes.
- NUL: U+0000 in the path (`/loans/a%00b`), the query, a JSON string (`"\\u0000"`), a form
  value (`%00`) or anywhere in the body → 422 problem+json, field "path" / "query" / "body".
  PostgreSQL text cannot hold it (psycopg refuses the statement: every route that looked an id
  up or stored a note answered 500 on PostgreSQL, not on SQLite), and no identifier, name or
  note has a use for it.
- Duplicate keys: a JSON object naming a key twice (`{"amount":"1.00","amount":"2.00"}`) → 422
  problem+json, field "body". Python's json keeps the last one silently (RFC 8259 §4 leaves it
  to the parser), so a proxy or a log reading the first saw another request than the one booked
  (attack13 finding 6).
- Unknown query parameters on the API routes (`known_query`, a dependency of every API router)
  → 422 problem+json naming the parameter: `GET /approvals?limit=-1` was answered as if the
  limit had been honoured (attack13 finding 6).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from fastapi import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creditfactory.adapters.api.errors import problem
from creditfactory.kernel.errors import ValidationError

__all__ = ["MAX_BODY_BYTES", "RequestGuard", "known_query"]

MAX_BODY_BYTES: Final = 1_000_000
_JSON_NUL: Final = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
"""A JSON escape of U+0000: an even run of backslashes (escaped backslashes), then \\u0000."""
FORM: Final = b"application/x-www-form-urlencoded"


def _nul_in(scope: Scope, body: bytes) -> str | None:
    """Where the request carries U+0000 ("path", "query", "body"), or None."""
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return "query"
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    if b"\x00" in body or _JSON_NUL.search(body):
        return "body"
    if content_type.startswith(FORM) and b"%00" in body:
        return "body"
    return None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


def _duplicate_key(scope: Scope, body: bytes) -> str | None:
    """The first key a JSON body's object names twice, or None (also for a body that is not
    JSON, or too deep for the parser: the route's own parser answers those)."""
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    if not body or content_type.startswith(FORM):
        return None
    try:
        json.loads(body, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        return str(exc.args[0])
    except (ValueError, RecursionError):
        return None
    return None


def known_query(request: Request) -> None:
    """raises ValidationError (422) naming the first query parameter the matched route does not
    declare (the route's and its dependencies' query parameters)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    declared: set[str] = set()
    pending = [dependant]
    while pending:  # the route's parameters and those of the dependencies it runs
        current = pending.pop()
        declared.update(p.alias for p in current.query_params)
        pending.extend(current.dependencies)
    for name in request.query_params:
        if name not in declared:
            rule = "unknown query parameter" + (
                f" (this route takes {', '.join(sorted(declared))})" if declared else ""
            )
            raise ValidationError(name[:64], rule)


def _invalid(field: str, rule: str) -> Response:
    return problem(422, "Invalid field", f"{field}: {rule}", field=field, rule=rule)


class RequestGuard:
    """ASGI middleware: body size and encoding, NUL anywhere, duplicate JSON keys (module
    docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        parts: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nothing to answer
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            parts.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            rule = f"not UTF-8 (byte {exc.start} cannot be decoded)"
            await _invalid("body", rule)(scope, receive, send)
            return
        where = _nul_in(scope, body)
        if where is not None:
            await _invalid(where, "must not contain NUL (U+0000)")(scope, receive, send)
            return
        key = _duplicate_key(scope, body)
        if key is not None:
            rule = f"a JSON object names {key[:64]!r} more than once"
            await _invalid("body", rule)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = f"larger than {self.max_bytes} bytes"
        response = problem(413, "Request body too large", f"body: {rule}", field="body", rule=rule)
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once as one message, then waits on the real one (for the
    disconnect a streaming response listens for)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
