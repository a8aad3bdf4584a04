"""The demo's organisation: a head office, a 分行 and two 支行, and the channel keys that place the
demo's applications at a 支行 (issue 14, "Organisation").

`seed_branches` adds 上海分行 `SH` under the head office `HQ` (created by the schema) and 浦东支行
`SH-PD` and 徐汇支行 `SH-XH` under it, through the same use case as `creditfactory branches add`.
`register_key` registers the demo's channel key at a branch before the server starts (the
server's own registration of the same key then finds it and writes nothing), so the SBA
applications belong to 浦东支行 and the invoice flow's to 徐汇支行: a 支行 officer sees their
own, the 分行 and the head office both.
"""

from __future__ import annotations

from typing import Final

from rich.console import Console

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.bootstrap import bootstrap
from creditfactory.config import Settings
from creditfactory.service_layer.factory_ports import OfficeDeps
from creditfactory.service_layer.organisation import add_branch

__all__ = ["DEMO_BRANCHES", "SBA_BRANCH", "INVOICE_BRANCH", "register_key", "seed_branches"]

DEMO_BRANCHES: Final = (
    ("SH", "上海分行", "Shanghai branch", "branch", "HQ"),
    ("SH-PD", "浦东支行", "Pudong sub-branch", "sub_branch", "SH"),
    ("SH-XH", "徐汇支行", "Xuhui sub-branch", "sub_branch", "SH"),
)
"""(branch_id, name, name_en, level, parent) in the order they are added."""
SBA_BRANCH: Final = "SH-PD"
INVOICE_BRANCH: Final = "SH-XH"


def seed_branches(settings: Settings, console: Console) -> None:
    """Add the demo's 分行 and 支行 to the (fresh, migrated here) demo database."""
    app = bootstrap(settings)
    wiring = OfficeDeps(
        uow=lambda: FactoryUnitOfWork(app.engine, app.clock), clock=app.clock, ids=app.ids
    )
    for branch_id, name, name_en, level, parent in DEMO_BRANCHES:
        add_branch(wiring, branch_id, name, name_en, level, parent, "system:demo")
    app.engine.dispose()
    console.print(
        "organisation: 总行 HQ → 上海分行 SH → 浦东支行 SH-PD (the SBA applications' channel), "
        "徐汇支行 SH-XH (the invoice flow's channel) — `creditfactory branches list`"
    )


def register_key(settings: Settings, key: str, branch_id: str) -> None:
    """Register the demo channel `key` (settings.bootstrap_channel) at `branch_id`."""
    app = bootstrap(settings, migrate=False)
    security = Security(app.engine, settings.secret_key, app.clock, DEFAULT_ACCESS)
    security.register_api_key(key, settings.bootstrap_channel, app.clock.now(), branch_id)
    app.engine.dispose()
