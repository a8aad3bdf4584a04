"""What every workbench form route needs: the posted form as a dict and "may this user do
that" for showing an action (the access document decides; `authorize` still enforces it)."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

__all__ = ["Form", "may", "read_form"]

Form = dict[str, str]


async def read_form(request: Request) -> Form:
    """The url-encoded form body, first value of each field, stripped (bad UTF-8 replaced:
    the step validating the field names it)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0].strip() for k, v in parse_qs(body).items()}


def may(request: Request, permission: str) -> bool:
    """True when the signed-in principal's role holds `permission`."""
    security = request.app.state.security
    return bool(security.access.allows(request.state.principal.role, permission))
