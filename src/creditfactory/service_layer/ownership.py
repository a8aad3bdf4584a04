"""Channel ownership: which API channel may address an object (issue 13, defect 3).

One check for every route a channel calls (`adapters/api/security.authorize` runs it after the
permission check): each path parameter of the route names an object kind in `OWNED`, and the
object must belong to the calling channel — else 404, the same answer as for an object that does
not exist, so a channel learns nothing about another's ids. A path parameter a channel route
declares that is not in `OWNED` is refused (fail closed): a new route with, say, `{facility_id}`
must register its kind here before any channel can call it.

Ownership: an application, and its offer, belongs to the channel that submitted it; a loan to
the channel whose application booked it (a loan booked outside the API belongs to none); a
consent to the channel that recorded it (`consents.channel_id`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from creditfactory.access import PermissionDenied
from creditfactory.service_layer.factory_ports import ApplicationNotFound, FactoryDeps

__all__ = ["OWNED", "require_channel_owns"]

OWNED: Final = {
    "application_id": "application",
    "offer_id": "offer",
    "loan_id": "loan",
    "consent_id": "consent",
}
"""Path parameter → object kind (`FactoryApplications.owning_channel`)."""


def require_channel_owns(deps: FactoryDeps, channel_id: str, params: Mapping[str, str]) -> None:
    """Check that `channel_id` owns every object named by the route's path `params`.

    raises ApplicationNotFound ("<param>: no <kind> '<id>'", 404) for an unknown or another
    channel's object; PermissionDenied for a parameter naming no owned kind (fail closed).
    """
    if not params:
        return
    unknown = sorted(set(params) - set(OWNED))
    if unknown:
        raise PermissionDenied(f"{unknown[0]}: no channel ownership is declared for it")
    with deps.uow() as uow:
        for name, object_id in sorted(params.items()):
            kind = OWNED[name]
            if uow.applications.owning_channel(kind, object_id) != channel_id:
                raise ApplicationNotFound(f"{name}: no {kind} {object_id!r}")
