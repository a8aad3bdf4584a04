"""Roles and permissions as versioned data: `policies/access-<version>.json`.

Shape:

    {"version": "access-2025.1",
     "roles": {"<role>": {"zh": "…", "en": "…", "permissions": ["<perm>", …]}, …},
     "legacy_roles": {"analyst": "loan_officer", …},
     "routes": {"<METHOD> <path template>": "<perm>", …}}

The permission "public" is held by everyone (no credentials); every other permission must be
held by at least one role. A route missing from `routes` has no permission and is refused
(`permission_for` raises): the API fails closed. A new version is a new file, never an edit of
a released one; `digest` is the document's sha256.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from creditfactory.access.errors import AccessPolicyInvalid, PermissionDenied

__all__ = ["DEFAULT_ACCESS", "PUBLIC", "ROLES", "AccessPolicy", "load_access_policy"]

PUBLIC: Final = "public"
ROLES: Final = (
    "channel",
    "loan_officer",
    "credit_approver",
    "risk_manager",
    "auditor",
    "administrator",
)
_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """Role → permissions and route → permission (module docstring)."""

    version: str
    digest: str
    roles: Mapping[str, frozenset[str]]
    labels: Mapping[str, tuple[str, str]]
    legacy_roles: Mapping[str, str]
    routes: Mapping[str, str]

    def role(self, name: str) -> str:
        """The current name of `name` (legacy names map). raises PermissionDenied when unknown."""
        current = self.legacy_roles.get(name, name)
        if current not in self.roles:
            raise PermissionDenied(f"role: unknown role {name!r}")
        return current

    def allows(self, role: str, permission: str) -> bool:
        """True when `role` (current or legacy name) holds `permission`; "public" always."""
        if permission == PUBLIC:
            return True
        current = self.legacy_roles.get(role, role)
        return permission in self.roles.get(current, frozenset())

    def require(self, role: str, permission: str) -> None:
        """raises PermissionDenied("role: …") unless `role` holds `permission`."""
        if not self.allows(role, permission):
            raise PermissionDenied(f"role: {role} lacks permission {permission}")

    def permission_for(self, method: str, path: str) -> str:
        """The permission of a route ("GET", "/api/v1/loans/{loan_id}"). raises
        PermissionDenied when the route is not declared (fail closed)."""
        found = self.routes.get(f"{method.upper()} {path}")
        if found is None:
            raise PermissionDenied(f"route: {method} {path} declares no permission")
        return found

    def holders(self, permission: str) -> frozenset[str]:
        """Roles that hold `permission` (every role for "public")."""
        if permission == PUBLIC:
            return frozenset(self.roles)
        return frozenset(r for r, perms in self.roles.items() if permission in perms)


def _roles(doc: Mapping[str, Any]) -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, str]]]:
    raw = doc.get("roles")
    if not isinstance(raw, dict) or set(raw) != set(ROLES):
        raise AccessPolicyInvalid(f"roles: exactly {', '.join(ROLES)}")
    perms: dict[str, frozenset[str]] = {}
    labels: dict[str, tuple[str, str]] = {}
    for name, body in raw.items():
        granted = body.get("permissions") if isinstance(body, dict) else None
        if not isinstance(granted, list) or not all(isinstance(p, str) for p in granted):
            raise AccessPolicyInvalid(f"roles.{name}.permissions: a list of names")
        perms[name] = frozenset(granted)
        labels[name] = (str(body.get("zh", name)), str(body.get("en", name)))
    return perms, labels


def _routes(doc: Mapping[str, Any], held: set[str]) -> dict[str, str]:
    raw = doc.get("routes")
    if not isinstance(raw, dict):
        raise AccessPolicyInvalid("routes: an object of 'METHOD /path': permission")
    for key, perm in raw.items():
        method, _, path = str(key).partition(" ")
        if method not in _METHODS or not path.startswith("/"):
            raise AccessPolicyInvalid(f"routes: {key!r} is not 'METHOD /path'")
        if perm != PUBLIC and perm not in held:
            raise AccessPolicyInvalid(f"routes.{key}: no role holds {perm!r}")
    return {str(k): str(v) for k, v in raw.items()}


def load_access_policy(text: str) -> AccessPolicy:
    """Parse and check an access document. raises AccessPolicyInvalid naming the field."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AccessPolicyInvalid(f"access: not JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), str):
        raise AccessPolicyInvalid("version: a string")
    perms, labels = _roles(doc)
    legacy = doc.get("legacy_roles", {})
    if not isinstance(legacy, dict) or not set(legacy.values()) <= set(ROLES):
        raise AccessPolicyInvalid("legacy_roles: old name → one of the roles")
    held = set().union(*perms.values())
    return AccessPolicy(
        version=doc["version"],
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        roles=perms,
        labels=labels,
        legacy_roles={str(k): str(v) for k, v in legacy.items()},
        routes=_routes(doc, held),
    )


def _bundled(name: str) -> str:
    return resources.files("creditfactory.access").joinpath("policies", name).read_text("utf-8")


DEFAULT_ACCESS: Final = load_access_policy(_bundled("access-2026.6.json"))
"""2026.1 adds the LPR fixings: `rates.read`, `rates.import` and the rates_publication checked
action (risk managers; the checker is a second risk manager). 2026.2 adds prepayments
(`prepayment.create`, channels) and the backdating operation (`repayment.backdate`, credit
approvers: a repayment dated before the business date, issue 13 defect 2). 2026.3 adds the
post-loan monitoring actions of the command line, which now authenticate the officer (issue 13
defect 12): `monitoring.act` (assign, investigate, dispose, dismiss an alert: loan officers,
credit approvers, risk managers) and `monitoring.release_floor` (lower a warning grade floor:
risk managers). 2026.4 adds the bearer token's sign-out, `POST /api/v1/officers/logout`
(public: it ends the session of the token it carries, issue 13 N2). 2026.5 adds the workbench
pages of loan officers and approvers (issue 14): the referral and approval inboxes, the
application page and its recommend / check / send-back forms, customer search and the customer
page, each with the permission of the API route it mirrors. 2026.6 adds the loan and audit pages
(issue 14): `loan.page` (the loans list and the loan page: loan officers, credit approvers, risk
managers, auditors — not `loan.read`, which a channel's API key holds too, and the list would
show it every channel's loans) and `GET /audit`, `/audit/verify` under `audit.read`. A published
version is never
edited: a change is a new file (`tests/unit/test_access_versions.py` pins the earlier ones)."""
