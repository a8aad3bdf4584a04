"""The loan officers' and approvers' desk (issue 14): what their pages read.

- `referral_row`: a row of the referral inbox (`referral_views.referrals_list`, paged by the
  list component) with the reasons, score, grade, PD, age in days and data gaps in words.
- `application_page`: the application view with every decision record (automatic, then the
  officers'), declared vs verified facts, price components, the officers' actions, the open
  maker-checker item, the replay of the automatic decision and, while a recommendation waits,
  the bounds an approver's override must keep (`referral_override.override_bounds`).
- `search_customers`, `customer_page`: applicants by name, identifier, application or loan id,
  and one applicant's applications and loans.

The SQL is in `adapters/storage/referral_views.py` (`uow.referral_views`); the actions
(recommend, check with an override, send back) are `offer_flow`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from creditfactory.decisioning.gap_words import gap_words
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.decision_replay import replay_decision
from creditfactory.service_layer.factory_ports import (
    ApplicationNotFound,
    FactoryDeps,
    FactoryUnitOfWork,
)
from creditfactory.service_layer.factory_views import application_view
from creditfactory.service_layer.ownership import BranchScope
from creditfactory.service_layer.referral_override import override_bounds

__all__ = [
    "application_page",
    "customer_page",
    "data_gaps",
    "referral_row",
    "search_customers",
]


def _reader(deps: FactoryDeps) -> Callable[[], FactoryUnitOfWork]:
    """A read-only unit of work where the wiring has one (SQLite), else a writing one."""
    return deps.read or deps.uow


def data_gaps(record: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The data gaps a decision names (rule on fact ``data_gaps``), each in words:
    [{"gap": raw text, "zh": …, "en": …}]."""
    gaps: list[dict[str, str]] = []
    for reason in (record or {}).get("reasons", []):
        detail = reason.get("detail") or {}
        if detail.get("fact") == "data_gaps":
            for gap in detail.get("value") or []:
                zh, en = gap_words(str(gap))
                gaps.append({"gap": str(gap), "zh": zh, "en": en})
    return gaps


def referral_row(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A row of `referral_views.referrals_list` as the inbox shows it: the row plus, from its
    decision record, score, grade, pd_12m, the reasons (code, kind, zh, en), the data gaps in
    words, its age in whole days at `now` and the recommendation ("approve" | "decline", from
    the open item's params; None)."""
    record = json.loads(row["record"]) if row.get("record") else {}
    params = json.loads(row["params"]) if row.get("params") else {}
    return {
        **row,
        "age_days": max(0, (now - row["submitted_at"]).days),
        "score": record.get("score"),
        "grade": record.get("grade"),
        "pd_12m": record.get("pd_12m"),
        "reasons": [
            {k: r[k] for k in ("code", "kind", "zh", "en")} for r in record.get("reasons", [])
        ],  # fmt: skip
        "data_gaps": data_gaps(record),
        "recommendation": params.get("action"),
    }


def _replay(uow: FactoryUnitOfWork, decision_id: str) -> dict[str, Any]:
    """The replay of the automatic decision: identical or the differing keys; or why it could
    not be replayed (its spec, policy or inputs not stored)."""
    try:
        result = replay_decision(uow, decision_id)
    except ValidationError as refused:
        return {"decision_id": decision_id, "replayed": False, "why": str(refused)}
    return {"decision_id": decision_id, "replayed": True, "identical": result.identical,
            "differences": [{"key": k, "stored": a, "replayed": b}
                            for k, a, b in result.differences]}  # fmt: skip


def application_page(deps: FactoryDeps, application_id: str) -> dict[str, Any]:
    """Everything the application page shows (module docstring). raises ApplicationNotFound."""
    with _reader(deps)() as uow:
        view = application_view(uow, application_id, deps)
        records = uow.applications.decisions_of(application_id)
        actions = uow.applications.actions_of(application_id)
        item = uow.approvals.open_for(f"application:{application_id}")
        automatic = records[0] if records else None
        replay = None if automatic is None else _replay(uow, automatic["decision_id"])
        bounds, app = None, uow.applications.get(application_id)
        if app is not None and app["status"] == "referred" and item is not None:
            bounds = override_bounds(deps, uow, app).to_dict()
    verification = (automatic or {}).get("verification") or {}
    return {
        **view,
        "decisions": records,
        "automatic": automatic,
        "verification": verification,
        "data_gaps": data_gaps(automatic),
        "price_components": (automatic or {}).get("price_components") or {},
        "actions": actions,
        "recommendation": None if item is None else item.to_dict(),
        "replay": replay,
        "override_bounds": bounds,
    }


def search_customers(deps: FactoryDeps, text: str, scope: BranchScope) -> list[dict[str, Any]]:
    """Applicants by name, USCC or resident ID, application id or loan id (at most 50), among
    the applications of `scope` (the officer's branch subtree, `ownership.scope_of`).
    raises ValidationError("q") for an empty or over-long search."""
    text = text.strip()
    if not 1 <= len(text) <= 100:
        raise ValidationError("q", "1 to 100 characters: a name, USCC, ID number, application "
                              "or loan id")  # fmt: skip
    with _reader(deps)() as uow:
        found: list[dict[str, Any]] = uow.referral_views.customers(text, scope)
    return found


def customer_page(deps: FactoryDeps, borrower_id: str, scope: BranchScope) -> dict[str, Any]:
    """One applicant's applications and loans in `scope` (`ReferralViews.customer`: amounts in
    minor units beside their currency). raises ApplicationNotFound (404) when none is."""
    with _reader(deps)() as uow:
        found: dict[str, Any] | None = uow.referral_views.customer(borrower_id, scope)
    if found is None:
        raise ApplicationNotFound(f"borrower_id: no customer {borrower_id!r}")
    return found
