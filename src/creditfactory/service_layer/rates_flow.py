"""LPR fixings as operated data (issue 12): import (maker), publish or reject (checker), list,
and the published series decisions price on.

- `import_rates`: validate every row (`pricing.lpr_import.parse_fixings`: a bad row → 422 / exit 2
  naming `rows[<n>].<field>`, nothing stored), store the fixings as pending and open a
  `rates_publication` maker-checker item on "rates:<import_id>", with audit leaves, in one
  transaction. The import id is derived from the fixings, so sending the same fixings again
  returns the first import (idempotent) instead of opening a second item.
- The checker decides through the one approvals path (`approval_flow.decide_approval`, also
  behind `POST /api/v1/approvals/{id}/approve|reject` and `creditfactory rates approve|reject`):
  approving consumes the item and publishes the import in the same transaction
  (`on_decided`); rejecting marks it rejected. The checker is never the maker (403).
- `published_series`: the shipped series (`pricing.lpr_series`) extended by every published
  fixing, a later publication overriding a date; its version names the last import published.
  Servers load it at start and follow new publications (`serving.published_update`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from creditfactory.access import AccessPolicy, ApprovalItem, ApprovalKind, ApprovalStatus
from creditfactory.kernel.clock import china_date
from creditfactory.kernel.errors import ValidationError
from creditfactory.pricing.lpr import LPRFixing, LPRSeries, default_lpr_series, stale_after
from creditfactory.pricing.lpr_import import corrections, parse_fixings, plain_text
from creditfactory.pricing.policy import DEFAULT_POLICY
from creditfactory.service_layer.approval_flow import consume, leaf, open_item
from creditfactory.service_layer.factory_ports import ApplicationNotFound, OfficeWiring

__all__ = [
    "approval_of",
    "import_rates",
    "list_rates",
    "on_decided",
    "published_series",
    "series_of",
]

_KIND = ApprovalKind.RATES_PUBLICATION


def _import_id(fixings: Sequence[LPRFixing]) -> str:
    text = json.dumps([f.to_dict() for f in fixings], sort_keys=True, ensure_ascii=False)
    return "lpr_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _view(import_id: str, rows: list[dict[str, Any]], item: ApprovalItem | None) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "subject": f"rates:{import_id}",
        "status": rows[0]["status"],
        "approval_id": None if item is None else item.approval_id,
        "imported_by": rows[0]["imported_by"],
        "decided_by": rows[0]["decided_by"],
        "fixings": [_public(r) for r in rows],
    }


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("effective_date", "one_year", "over_five_year", "confidence", "source")
    return {k: row[k] for k in keys}


def import_rates(
    deps: OfficeWiring, access: AccessPolicy, rows: Sequence[Mapping[str, object]], maker: str,
    role: str, note: str = "", correction: bool = False,
) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """Maker step (module docstring). A row may change a published fixing only when
    `correction`, with the reason in `note`; the approval item lists the fixings and old → new.
    Returns (the import, True when created now). raises ValidationError naming
    `rows[<n>].<field>` or `note`, PermissionDenied (`rates.import` missing)."""
    access.require(role, "rates.import")
    note = plain_text(note, "note")
    if correction and not note.strip():
        raise ValidationError("note", 'a correction needs the reason (--note / "note")')
    published = published_series(deps).fixings
    fixings = parse_fixings(rows, china_date(deps.clock.now()), published, correction)
    import_id = _import_id(fixings)
    with deps.uow() as uow:
        stored = uow.rates.of_import(import_id)
        if not stored and uow.rates.add(import_id, fixings, maker, deps.clock.now()):
            changed = corrections(fixings, published) if correction else []
            return _opened(deps, access, uow, fixings, changed, (maker, role, note)), True
    # stored earlier, or a concurrent import of the same fixings committed first (this
    # transaction then rolled back): a fresh one reads the stored import
    with (deps.read or deps.uow)() as uow:
        return _view(import_id, uow.rates.of_import(import_id), approval_of(uow, import_id)), False


def _opened(
    deps: OfficeWiring, access: AccessPolicy, uow: Any, fixings: Sequence[LPRFixing],
    changed: Sequence[str], who: tuple[str, str, str],
) -> dict[str, Any]:  # fmt: skip
    """After storing a new import: its maker-checker item (showing the fixing values and, for a
    correction, old → new) and audit leaf; commits."""
    maker, role, note = who
    import_id = _import_id(fixings)
    subject = f"rates:{import_id}"
    params = {"import_id": import_id, "fixings": str(len(fixings)),
              "first": fixings[0].effective_date.isoformat(),
              "last": fixings[-1].effective_date.isoformat(),
              "values": "; ".join(_shown(f) for f in fixings)}  # fmt: skip
    if changed:
        params["corrections"] = "; ".join(changed)
    item = open_item(uow, access, _KIND, subject, params, maker, role, note, deps)
    uow.applications.audit([leaf(deps, maker, "rates.imported", subject,
                                 {"fixings": [f.to_dict() for f in fixings]})])  # fmt: skip
    view = _view(import_id, uow.rates.of_import(import_id), item)
    uow.commit()
    return view


def _shown(fixing: LPRFixing) -> str:
    row = fixing.to_dict()
    return (f"{row['effective_date']} 1Y {row['one_year']} % 5Y+ {row['over_five_year']} % "
            f"[{row['confidence']}]")  # fmt: skip


def approval_of(uow: Any, import_id: str) -> ApprovalItem | None:
    """The maker-checker item of an import (the open one, else the last decided), or None."""
    subject = f"rates:{import_id}"
    found = uow.approvals.open_for(subject)
    if found is not None:
        return found  # type: ignore[no-any-return]
    items = [i for i in uow.approvals.listed(None) if i.subject == subject]
    return items[-1] if items else None


def on_decided(
    uow: Any, deps: OfficeWiring, access: AccessPolicy, item: ApprovalItem, checker: str, role: str
) -> None:
    """After the checker decided a rates_publication item (`approval_flow.decide_approval`, same
    transaction): approved → the item is consumed and the import published; rejected → the
    import is rejected. Both with their audit leaf."""
    import_id = item.subject.partition(":")[2]
    now = deps.clock.now()
    if item.status is ApprovalStatus.APPROVED:
        _still_unchanged(uow, import_id, "corrections" in item.params)
        consume(uow, deps, access, item.approval_id, _KIND, item.subject, checker, role)
        status, action = "published", "rates.published"
    else:
        status, action = "rejected", "rates.rejected"
    if not uow.rates.decide(import_id, status, checker, now):
        raise ApplicationNotFound(f"subject: no pending import {import_id!r}")
    uow.applications.audit([leaf(deps, checker, action, item.subject,
                                 {"import_id": import_id, "approval_id": item.approval_id})])  # fmt: skip


def _still_unchanged(uow: Any, import_id: str, correction: bool) -> None:
    """Refuse to publish an import that would change a fixing published since it was imported,
    unless it is a correction (the checker saw old → new). raises ValidationError("subject")."""
    if correction:
        return
    mine = [LPRFixing.from_dict(r) for r in uow.rates.of_import(import_id)]
    changed = corrections(mine, series_of(uow.rates.published()).fixings)
    if changed:
        raise ValidationError(
            "subject", f"changes a fixing published since the import ({changed[0]}); reject it"
        )


def series_of(published: Sequence[Mapping[str, Any]]) -> LPRSeries:
    """The shipped series extended by `published` rows (in publication order)."""
    shipped = default_lpr_series()
    if not published:
        return shipped
    fixings = [LPRFixing.from_dict(r) for r in published]
    return shipped.extended(fixings, f"{shipped.version}+{published[-1]['import_id']}")


def published_series(deps: OfficeWiring) -> LPRSeries:
    """The series decisions price on now (module docstring)."""
    with (deps.read or deps.uow)() as uow:
        return series_of(uow.rates.published())


def list_rates(deps: OfficeWiring, status: str | None = None) -> dict[str, Any]:
    """The series in force (version, last fixing, current until, stale today) and the imported
    fixings (every status unless `status`). raises ValidationError("status")."""
    if status is not None and status not in ("pending", "published", "rejected"):
        raise ValidationError("status", "pending | published | rejected")
    with (deps.read or deps.uow)() as uow:
        imported = uow.rates.listed(status)
        series = series_of(uow.rates.published())
    today = china_date(deps.clock.now())  # the business day in China, not the UTC day
    until = stale_after(series.end, DEFAULT_POLICY.lpr_grace_business_days)
    return {
        "series_version": series.version,
        "last_fixing": series.fixings[-1].to_dict(),
        "current_until": until.isoformat(),
        "stale": today > until,
        "business_date": today.isoformat(),
        "imported": [
            {
                **_public(r),
                "import_id": r["import_id"],
                "status": r["status"],
                "imported_by": r["imported_by"],
                "decided_by": r["decided_by"],
            }
            for r in imported
        ],  # fmt: skip
        "series": [f.to_dict() for f in series.fixings],
    }
