"""End-to-end fixtures: the FastAPI app over a migrated database (SQLite always; PostgreSQL when
DATABASE_URL_PG is set), the bundled SBA scorecard spec, a channel API key and two officers.
Every success answer is checked against the OpenAPI document's model (`documented.py`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import Engine

from creditfactory.adapters.api.main import create_app
from creditfactory.adapters.gateways import StdnumRegionRegistry
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork, reader_for
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.kernel.clock import Clock, SystemClock
from creditfactory.kernel.ids import RandomIds
from creditfactory.origination import DataSources
from creditfactory.pricing.lpr import LPRSeries
from creditfactory.scoring import load_spec
from creditfactory.service_layer.factory_ports import FactoryDeps
from tests.e2e.documented import check_documented
from tests.lpr_fixture import current_series
from tests.pg import postgres_url
from tests.sba_applicants import GOOD

SPEC_TEXT = (Path(__file__).parent / "sba_spec.json").read_text(encoding="utf-8")
SPEC = load_spec(SPEC_TEXT)
SPEC_DIGEST = json.loads(SPEC_TEXT)["sha256"]
_ENGINES: dict[str, Engine] = {}


@pytest.fixture(scope="session", autouse=True)
def _cipher() -> Iterator[None]:
    install_pii_cipher(PIICipher(generate_pii_key()))
    yield
    for engine in _ENGINES.values():
        engine.dispose()


def _engine(kind: str, tmp: pytest.TempPathFactory) -> Engine:
    if kind not in _ENGINES:
        if kind == "sqlite":
            url = f"sqlite:///{tmp.mktemp('e2e') / 'e2e.sqlite3'}"
        else:
            url = postgres_url()
        engine = make_engine(url)
        _ENGINES[kind] = engine  # registered first so the session disposes it even on failure
        try:
            upgrade_schema(engine)
        except Exception:
            del _ENGINES[kind]
            engine.dispose()
            raise
    return _ENGINES[kind]


@pytest.fixture
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The session's SQLite database."""
    return _engine("sqlite", tmp_path_factory)


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite database of its own: the session database's default applicant accumulates
    exposure (and a publication reaches the session's other apps), so a test whose outcome
    depends on the borrower's headroom or on the published rates takes a fresh one."""
    engine = make_engine(f"sqlite:///{tmp_path / 'own.sqlite3'}")
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """SQLite, then PostgreSQL when configured."""
    return _engine(request.param, tmp_path_factory)


class SyncClient:
    """A blocking client over the ASGI app (httpx.ASGITransport; one event loop per call)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.request(method, path, **kw)

        answer = anyio.run(call)
        check_documented(self.app, method, path, answer)  # the OpenAPI document is true
        return answer

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)


class Api:
    """A client with a channel key and officer tokens."""

    def __init__(self, client: SyncClient, key: str, tokens: dict[str, str]) -> None:
        self.client, self.key, self.tokens = client, key, tokens

    def post(self, path: str, body: dict[str, Any], key: str | None = None) -> Any:
        headers = {"X-API-Key": self.key}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(path, json=body, headers=headers)

    def get(self, path: str) -> Any:
        return self.client.get(path, headers={"X-API-Key": self.key})

    def officer(self, method: str, path: str, who: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, path, json=body, headers=headers)


@pytest.fixture
def make_api() -> Callable[..., Api]:
    """Build an `Api` on an engine with the given data sources, LPR series (default: one
    current today, `tests.lpr_fixture`) and clock (default: the system's)."""

    def build(
        engine: Engine,
        sources: DataSources | None = None,
        lpr_series: LPRSeries | None = None,
        clock: Clock | None = None,
    ) -> Api:
        clock = clock or SystemClock()
        deps = FactoryDeps(
            uow=lambda: FactoryUnitOfWork(engine, clock),
            read=reader_for(engine, clock),
            spec=SPEC,
            spec_digest=SPEC_DIGEST,
            clock=clock,
            ids=RandomIds(),
            sources=sources or DataSources(),
            regions=StdnumRegionRegistry(),
            lpr_series=lpr_series or current_series(),
        )
        app = create_app(deps, engine, "test-secret")
        security = app.state.security
        now = datetime.now(UTC)
        key = security.create_api_key(f"ch_{RandomIds().new('t')[-8:]}", now)
        tokens = {}
        for role in ("analyst", "approver"):
            name = RandomIds().new(role)[-20:]
            security.create_officer(name, "pw-" + name, role, now)
            tokens[role] = security.login(name, "pw-" + name)
        return Api(SyncClient(app), key, tokens)

    return build


def application(
    declared: dict[str, Any] | None = None, amount: str = "300000", term: int = 12, **applicant: Any
) -> dict[str, Any]:
    """An application body for an enterprise (overridable)."""
    who = {"applicant_type": "enterprise", "name": "厦门测试贸易有限公司",
           "uscc": "91350100M000100Y43", "phone": "13812341234", **applicant}  # fmt: skip
    return {"applicant": who, "amount": amount, "term_months": term,
            "declared": GOOD if declared is None else declared}  # fmt: skip
