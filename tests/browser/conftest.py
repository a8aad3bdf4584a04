"""The browser harness: the real app served over HTTP (uvicorn in a thread) on a migrated
database — SQLite always, PostgreSQL too when DATABASE_URL_PG is set (its own fresh database)
— seeded through the real API with applications in every state, two officers per role, and
Playwright driving Debian's `/usr/bin/chromium` (`executable_path`; Playwright's own browser
download does not work here). Under CI=true a missing chromium fails, never skips.

Fixtures and helpers for page tests:
- `workbench` (module scope, per database): a `Workbench` — `url`, `users` (role → (username,
  password); `<role>_2` a second officer of the role, for maker-checker), `api` (an httpx client
  on the live server with the channel's API key), `seeded` (what was seeded, by status), `app`,
  `engine`.
- `browser` (module): the Chromium instance. `page`: a fresh context (1280 × 900, zh-CN) and
  page per test. `sign_in(page, workbench, role)` signs in through the form.
- `screenshot(page, name)` writes var/screenshots/<name>.png (`make screenshots` copies them to
  docs/screenshots/).
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from creditfactory.access import LoginThrottle
from creditfactory.adapters.api.main import create_app
from creditfactory.adapters.gateways import StdnumRegionRegistry
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork, reader_for
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination import DataSources, SourceUnavailable
from creditfactory.origination.ports import TaxGrade, TaxGradeRecord
from creditfactory.service_layer.factory_ports import FactoryDeps
from tests.chromium import chromium
from tests.e2e.conftest import SPEC, SPEC_DIGEST, _cipher, application
from tests.lpr_fixture import current_series
from tests.pg import own_database, postgres_url
from tests.shared import load_case

__all__ = ["_cipher"]  # the session's PII key (autouse)

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
OFFICER_ROLES = ("loan_officer", "credit_approver", "risk_manager", "auditor", "administrator")
LOGIN_WAIT_S = 30
"""The first throttle delay of the harness's app (the 6th failed sign-in of an account waits
this long), long enough that a test sees it before it runs out."""


@dataclass
class Workbench:
    """A served, seeded app (module docstring)."""

    url: str
    app: Any
    engine: Engine
    api: httpx.Client
    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    seeded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TaxGrades:
    """The tax-grade source of the seeded firms: grade A, except that the source times out for
    the firms in `unavailable` (their applications are referred, R01)."""

    def __init__(self) -> None:
        self.unavailable: set[str] = set()

    def tax_grade(self, subject_id: str) -> TaxGradeRecord | None:
        if subject_id in self.unavailable:
            raise SourceUnavailable("tax_grade", "timeout")
        return TaxGradeRecord(subject_id, TaxGrade.A, 2025)


def _seed(api: httpx.Client, tax: TaxGrades) -> dict[str, list[dict[str, Any]]]:
    """Applications through the API, each with a tax consent: disbursed ones (distinct firms,
    so no per-borrower cap), referred ones (the tax-grade source times out, R01)."""
    firms = [c for c in load_case("china_ids.json")["uscc_gb32100_2015"]["valid"]
             if c.startswith("91")]  # fmt: skip
    names = ["厦门测试贸易有限公司", "福州海峡餐饮有限公司", "泉州晋江鞋业有限公司",
             "漳州花卉种植有限公司", "莆田木雕工艺有限公司", "龙岩山茶食品有限公司"]  # fmt: skip
    plans = [("300000", False), ("125000.50", False), ("86000", False), ("450000", False),
             ("200000", True), ("98000", True)]  # fmt: skip
    consent = {"categories": ["tax"], "version": "auth-2024-01"}
    seeded: dict[str, list[dict[str, Any]]] = {}
    for (amount, refer), uscc, name in zip(plans, firms, names, strict=False):
        if refer:
            tax.unavailable.add(uscc)
        body = {**application(amount=amount, uscc=uscc, name=name), "consent": consent}
        answer = api.post("/api/v1/applications", json=body,
                          headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert answer.status_code == 200, answer.text
        seeded.setdefault(answer.json()["status"], []).append(answer.json())
    return seeded


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, int]:
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws="none", loop="asyncio", http="h11")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    return server, thread, port


def _database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    return own_database(postgres_url(), "browser", fresh=True)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workbench(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workbench]:
    """The served, seeded app on SQLite, then on PostgreSQL when configured."""
    engine = make_engine(_database(request.param, tmp_path_factory.mktemp("browser")))
    try:
        upgrade_schema(engine)
        clock = SystemClock()
        tax = TaxGrades()
        deps = FactoryDeps(
            uow=lambda: FactoryUnitOfWork(engine, clock), read=reader_for(engine, clock),
            spec=SPEC, spec_digest=SPEC_DIGEST, clock=clock, ids=RandomIds(),
            sources=DataSources(tax_grade=tax), regions=StdnumRegionRegistry(),
            lpr_series=current_series(),
        )  # fmt: skip
        throttle = LoginThrottle(first_delay=timedelta(seconds=LOGIN_WAIT_S))
        app = create_app(
            deps,
            engine,
            "browser-secret",
            throttle=throttle,
            signing_key=Ed25519PrivateKey.generate(),
        )  # audit pages sign heads
        now = datetime.now(UTC)
        security = app.state.security
        users = {}
        for role in OFFICER_ROLES:
            for suffix in ("", "_2"):
                name = f"{role.split('_')[0]}{suffix.strip('_')}_{uuid.uuid4().hex[:6]}"
                security.create_officer(name, "pw-" + name, role, now)
                users[role + suffix] = (name, "pw-" + name)
        key = security.create_api_key("browser_channel", now)
        server, thread, port = _serve(app)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60) as api:
            bench = Workbench(url, app, engine, api, users, _seed(api, tax))
            yield bench
        server.should_exit = True
        thread.join(timeout=30)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium (`tests.chromium`: fails under CI=true when missing)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page, 1280 px wide, accepting downloads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  accept_downloads=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page: Any, bench: Workbench, role: str) -> None:
    """Sign in as the seeded officer of `role` through the form; lands on the home page."""
    username, password = bench.users[role]
    page.goto(f"{bench.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{bench.url}/")


def screenshot(page: Any, name: str) -> Path:
    """Write the whole page to var/screenshots/<name>.png (`make screenshots` publishes)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
