"""The default configuration serves with data sources (issue 12, item 5): in development the API
built from the environment wires the bundled sources of the served spec's data set — for the SBA
spec the SBA's approval-time record, so an SBA applicant is decided on it (new-user pass 5,
finding 4: it was the Chinese registry, K10 for everyone); configured, the CUMCM invoices and the
registry, court and tax fixtures go through the consent gate, and a fixture firm's decision cites
verified facts; test and
production wire nothing unless configured (files, an HTTP vendor); an explicit path that is missing is refused naming
the setting; data_sources=off wires none."""

from __future__ import annotations

import gc
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from creditfactory.adapters.cli.demo import sign_off
from creditfactory.adapters.gateways import FileRecordSource, HttpDataGateway
from creditfactory.adapters.gateways.cn_fixtures import CONSENT_CATEGORIES, read_firms
from creditfactory.adapters.gateways.sba_fixtures import held_out_rows, sba_name, sba_subject
from creditfactory.adapters.gateways.wiring import data_sources, source_files
from creditfactory.adapters.storage.pii import (
    PIICipher,
    PIIKeyError,
    active_pii_cipher,
    install_pii_cipher,
)
from creditfactory.config import CN_RECORDS, SBA_DATASET, SBA_RECORDS, Settings
from creditfactory.kernel.errors import ValidationError
from creditfactory.origination.ports import SourceInfo
from tests.e2e.conftest import GOOD
from tests.shared import shared_path

SPEC = Path(__file__).parents[1] / "e2e" / "sba_spec.json"
APPROVED_LOAN = "1041204008"  # held out; its recorded facts are approved (pd_12m 0.012)


def test_test_and_production_wire_nothing_unless_configured(tmp_path: Path) -> None:
    assert Settings(environment="test", var_dir=tmp_path).source_paths() == {}
    off = Settings(environment="development", data_sources="off", var_dir=tmp_path)
    assert off.source_paths() == {}
    one = Settings(environment="development", var_dir=tmp_path, court_records="off",
                   registry_records=CN_RECORDS / "registry.json")  # fmt: skip
    assert "court_records" not in one.source_paths()
    assert one.source_paths()["registry_records"] == CN_RECORDS / "registry.json"


def test_a_missing_configured_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    settings = Settings(environment="test", var_dir=tmp_path, tax_records=tmp_path / "nope.json")
    for check in (data_sources, source_files):  # serve runs source_files before any worker
        with pytest.raises(ValidationError) as caught:
            check(settings)
        assert caught.value.field == "CREDITFACTORY_TAX_RECORDS"


def _served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[object]:
    """The API exactly as `creditfactory serve` builds it, from development settings: the
    defaults, but for `env` (CREDITFACTORY_<name>)."""
    invoices = shared_path("data", "cumcm2020c_sme_invoices")
    for name in (
        "INVOICES_DIR",
        "INVOICE_SUBJECTS",
        "REGISTRY_RECORDS",
        "COURT_RECORDS",
        "TAX_RECORDS",
        "DATA_SOURCES",
        "DATABASE_URL",
        "AUDIT_SIGNING_KEY_PATH",
    ):
        monkeypatch.delenv(f"CREDITFACTORY_{name}", raising=False)  # fmt: skip
    monkeypatch.setenv("CREDITFACTORY_ENVIRONMENT", "development")
    monkeypatch.setenv("CREDITFACTORY_SHARED_DATA", str(invoices.parent))
    monkeypatch.setenv("CREDITFACTORY_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CREDITFACTORY_MODEL_SPEC", str(SPEC))
    monkeypatch.setenv("CREDITFACTORY_AS_OF", "2020-01-01")
    monkeypatch.setenv("CREDITFACTORY_FOLLOW_PUBLICATIONS_S", "0")
    monkeypatch.setenv("CREDITFACTORY_BOOTSTRAP_API_KEY", KEY)
    for name, value in env.items():
        monkeypatch.setenv(f"CREDITFACTORY_{name}", value)
    from creditfactory.adapters.api.asgi import create_from_env

    served = Settings()  # the spec (SBA: records no checks) is served once signed off
    sign_off(served.database_url, served.spec_path)

    try:
        before: PIICipher | None = active_pii_cipher()
    except PIIKeyError:
        before = None
    try:
        yield create_from_env()
    finally:
        gc.unfreeze()  # create_from_env freezes what a server keeps for good
        if before is not None:
            install_pii_cipher(before)


@pytest.fixture
def served_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Served with the Chinese sources configured (the SBA spec's defaults are its own record)."""
    yield from _served(
        tmp_path, monkeypatch, REGISTRY_RECORDS=str(CN_RECORDS / "registry.json"),
        COURT_RECORDS=str(CN_RECORDS / "courts.json"), TAX_RECORDS=str(CN_RECORDS / "tax.json"),
        INVOICE_SUBJECTS=str(CN_RECORDS / "firms.csv"),
        INVOICES_DIR=str(shared_path("data", "cumcm2020c_sme_invoices")),
    )  # fmt: skip


@pytest.fixture
def default_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Served from the default development settings over the SBA spec."""
    yield from _served(tmp_path, monkeypatch)


KEY = f"cfk_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"


def _post(app: object, path: str, body: dict[str, object]) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {"X-API-Key": KEY, "Idempotency-Key": secrets.token_hex(8)}
            return await client.post(path, json=body, headers=headers)

    return anyio.run(call)


def test_configured_chinese_sources_serve_verified_facts(served_app: object) -> None:
    sources = served_app.state.deps.sources  # type: ignore[attr-defined]
    assert {n for n in ("invoices", "registry", "courts", "tax_grade")
            if getattr(sources, n) is not None} == {"invoices", "registry", "courts", "tax_grade"}  # fmt: skip
    firm = next(f for f in read_firms(CN_RECORDS / "firms.csv") if f.firm_id == "E200")
    body = {"applicant": firm.applicant(), "amount": "300000", "term_months": 12,
            "declared": {**GOOD, **firm.declared()},
            "consent": {"categories": list(CONSENT_CATEGORIES), "version": "auth-2024-01"}}  # fmt: skip
    response = _post(served_app, "/api/v1/applications", body)
    assert response.status_code == 200, response.text
    verified = response.json()["decision"]["verification"]["verified"]
    sources_seen = {v["source"] for v in verified}
    assert any("VAT invoices" in s for s in sources_seen)
    assert {"工商登记 business registry (synthetic fixture)", "司法 court records (synthetic fixture)",
            "纳税 tax records (synthetic fixture)"} <= sources_seen  # fmt: skip
    sales = next(v for v in verified if v["name"] == "annual_sales")
    assert sales["record_id"].startswith("E200: ") and sales["retrieved_at"].startswith(
        "2020-01-01"
    )


def test_production_points_sources_at_its_own_files_and_a_vendor(tmp_path: Path) -> None:
    settings = Settings(
        environment="production", var_dir=tmp_path, secret_key="s", pii_encryption_key="k",
        registry_records=CN_RECORDS / "registry.json", data_vendor_url="http://vendor.example",
    )  # fmt: skip
    sources = data_sources(settings)
    assert isinstance(sources.registry, FileRecordSource)
    assert isinstance(sources.bureau, HttpDataGateway)
    assert sources.bureau is sources.invoices is sources.courts is sources.tax_grade
    assert sources.info["bureau"] == SourceInfo("data vendor http://vendor.example", "live")
    assert sources.info["registry"].version.startswith("cn-records-synthetic")
    sources.bureau.close()


def test_development_defaults_follow_the_spec_data_set(tmp_path: Path) -> None:
    dev = Settings(environment="development", var_dir=tmp_path)
    assert dev.source_paths(SBA_DATASET) == {"registry_records": SBA_RECORDS}
    cn = dev.source_paths("cumcm-2020c")
    assert cn["registry_records"] == CN_RECORDS / "registry.json" and "invoices_dir" in cn
    # a configured path still wins over the data set's default
    mine = Settings(environment="development", var_dir=tmp_path, tax_records=tmp_path / "t.json")
    assert mine.source_paths(SBA_DATASET)["tax_records"] == tmp_path / "t.json"


def test_defect_f4_default_serve_decides_an_sba_applicant_on_its_record(
    default_app: object,
) -> None:
    # New-user pass 5, finding 4: plain `serve` over the SBA spec wired the Chinese registry, so
    # every SBA applicant was declined K10 (registry record not found). Now the SBA spec's bundled
    # source is the SBA's approval-time record (data/fixtures/sba_records), nothing else.
    sources = default_app.state.deps.sources  # type: ignore[attr-defined]
    assert {n for n in ("invoices", "registry", "courts", "tax_grade")
            if getattr(sources, n) is not None} == {"registry"}  # fmt: skip
    row = next(r for r in held_out_rows() if r["LoanNr_ChkDgt"] == APPROVED_LOAN)
    record = json.loads(SBA_RECORDS.read_text(encoding="utf-8"))["registry"][sba_subject(row)]
    body = {"applicant": {"applicant_type": "enterprise", "name": sba_name(row),
                          "uscc": sba_subject(row)},
            "amount": "300000", "term_months": 12, "programme": "sba_7a",
            "declared": {**GOOD, **{k: v for k, v in record["profile"].items() if k in GOOD}},
            "consent": {"categories": ["registry"], "version": "v1"}}  # fmt: skip
    response = _post(default_app, "/api/v1/applications", body)
    assert response.status_code == 200, response.text
    decision = response.json()["decision"]
    assert "K10" not in {r["code"] for r in decision["reasons"]}
    assert response.json()["status"] == "disbursed", decision["reasons"]
    verified = {v["name"]: v for v in decision["verification"]["verified"]}
    assert verified["NoEmp"]["record_id"] == record["record_id"]
