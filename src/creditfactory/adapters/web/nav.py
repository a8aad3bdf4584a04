"""The workbench's navigation: one entry per area page, shown to a user only when the access
document lets their role use that page (the same `GET <path>` permission `authorize` checks,
so the menu and the guard cannot disagree). An entry whose route the access document does not
declare is never shown (fail closed, like the API).

An area adds its entry here (English label marked with `N_` so `make messages` extracts it;
its zh-CN text goes in the catalogue) and declares `GET <path>` in the access document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from creditfactory.access import AccessPolicy, PermissionDenied

__all__ = ["NAV", "NavEntry", "N_", "nav_for"]


def N_(message: str) -> str:  # noqa: N802 — gettext's conventional marker name
    """Mark `message` for extraction (`make messages`); translated where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A menu link: its path (a page route) and English label (translated when shown)."""

    path: str
    label: str


NAV: Final = (
    NavEntry("/", N_("Home")),
    NavEntry("/referrals", N_("Referrals")),
    NavEntry("/approvals", N_("Approvals")),
    NavEntry("/customers", N_("Customers")),
    NavEntry("/loans", N_("Loans")),
    NavEntry("/audit", N_("Audit")),
    NavEntry("/admin/users", N_("Users")),
)
"""The menu, in order. Areas append their pages here."""


def nav_for(access: AccessPolicy, role: str) -> list[NavEntry]:
    """The entries `role` may open."""
    shown = []
    for entry in NAV:
        try:
            permission = access.permission_for("GET", entry.path)
        except PermissionDenied:  # not declared: no one may open it
            continue
        if access.allows(role, permission):
            shown.append(entry)
    return shown
