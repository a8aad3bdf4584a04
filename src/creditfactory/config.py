"""Deployment settings from the environment (prefix CREDITFACTORY_), read once by bootstrap.

Only deployment facts live here: database URL, secrets, paths, switches. Business parameters
(products, policies, rate cards, DPD bounds) are versioned data, not settings.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused outside development
REPO: Final = Path(__file__).resolve().parents[2]
CN_RECORDS: Final = REPO / "data" / "fixtures" / "cn_records"
SBA_RECORDS: Final = REPO / "data" / "fixtures" / "sba_records" / "registry.json"
SBA_DATASET: Final = "sba-case"
"""The SBA case data set's name as `model train` records it in a spec (`training.dataset`): its
applicants are U.S. firms that no Chinese invoice, registry, court or tax source knows."""
Source = Path | Literal["off"] | None
API_KEY: Final = re.compile(r"cfk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")
"""A channel API key as `adapters.api.security.new_api_key` makes it: "cfk_", a 16-hex key id,
"_", 43 urlsafe-base64 characters (a 256-bit secret)."""
CHANNEL_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
"""A channel id: letters, digits, "_", "." and "-" — never ":", which separates the channel from
the client's key in an idempotency scope ("<channel>:<key>"; attack13 finding 8: channel
"demo-channel:x" and its key "collide1" met demo-channel's key "x:collide1")."""
DATABASES: Final = re.compile(r"(sqlite|postgresql)(\+\w+)?://.*", re.DOTALL)
"""The database URLs served: SQLite and PostgreSQL, with or without a driver name."""
VENDOR_URL: Final = re.compile(r"https?://[^\s/?#]+[^\s]*")


def settings_problem(exc: ValidationError) -> tuple[str, str]:
    """(`CREDITFACTORY_<SETTING>`, the rule) of the first problem of a refused Settings(): the
    one line every command prints before exiting 2 (attack13 finding 5)."""
    problem = exc.errors()[0]
    field = "CREDITFACTORY_" + "_".join(str(p) for p in problem["loc"]).upper()
    return field, str(problem["msg"]).removeprefix("Value error, ")


class Settings(BaseSettings):
    """Settings: `CREDITFACTORY_DATABASE_URL`, `CREDITFACTORY_ENVIRONMENT`, … from the environment.

    raises ValueError when a development default secret is used outside development.
    """

    model_config = SettingsConfigDict(env_prefix="CREDITFACTORY_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = DEV_SECRET
    audit_signing_key_path: Path | None = None
    pii_encryption_key: str = ""
    # the server: the scorecard spec served at start (`spec_path`), and how often each worker
    # looks for a published spec or policy (seconds; 0 never)
    model_spec: Path | None = None
    follow_publications_s: float = Field(default=10.0, ge=0)
    # reverse proxies whose X-Forwarded-For / -Proto the server believes (comma-separated
    # addresses or networks, e.g. "10.0.0.5,10.1.0.0/16"); empty: none — the client address is
    # the TCP peer, so a rotating X-Forwarded-For cannot dodge the login throttle (issue 13)
    trusted_proxies: str = ""
    # a channel API key registered at start (its hash; idempotent across workers) and its
    # channel; `as_of`: the clock starts on that date, 01:00 UTC (demos on past data)
    bootstrap_api_key: str = ""
    bootstrap_channel: str = Field(default="demo-channel", pattern=rf"^{CHANNEL_ID.pattern}$")
    as_of: date | None = None
    # origination data sources, pulled through the consent gate (docs/origination.md §7). Unset:
    # in development the bundled ones of the served spec's data set (`source_paths`); in test and
    # production none. A path wires that file; "off" wires nothing for that source;
    # data_sources "off" wires none at all,
    # not even the vendor below.
    data_sources: Literal["default", "off"] = "default"
    shared_data: Path = REPO.parent / "shared" / "data"
    invoices_dir: Source = None
    invoice_subjects: Source = None
    registry_records: Source = None
    court_records: Source = None
    tax_records: Source = None
    # a data vendor over HTTP (adapters.gateways.http): every port no file is wired for, bureau
    # included, is asked there; empty: no vendor
    data_vendor_url: str = ""
    data_vendor_timeout_s: float = Field(default=2.0, gt=0)

    @property
    def spec_path(self) -> Path:
        """CREDITFACTORY_MODEL_SPEC, default <var_dir>/model/spec.json (what `make demo` trains)."""
        return self.model_spec or self.var_dir / "model" / "spec.json"

    def source_paths(self, dataset: str | None = None) -> dict[str, Path]:
        """The data-source files to wire, by setting name: each configured path; for a setting
        left unset, in development, the bundled source of `dataset` (the served spec's training
        data set, `training.dataset`) — for the SBA case data the SBA's approval-time record of
        each held-out loan as the registry (data/fixtures/sba_records) and nothing else, so its
        U.S. applicants are not looked up in Chinese sources (new-user pass 5, finding 4: every
        one was declined K10, registry record not found); for any other data set the CUMCM 2020 C
        invoices read in place from <shared_data> and the synthetic registry / court / tax
        fixtures of data/fixtures/cn_records."""
        if self.data_sources == "off":
            return {}
        bundled: dict[str, Path] = {
            "invoices_dir": self.shared_data / "cumcm2020c_sme_invoices",
            "invoice_subjects": CN_RECORDS / "firms.csv",
            "registry_records": CN_RECORDS / "registry.json",
            "court_records": CN_RECORDS / "courts.json",
            "tax_records": CN_RECORDS / "tax.json",
        }
        if dataset == SBA_DATASET:
            bundled = {"registry_records": SBA_RECORDS}
        paths = {}
        for name in ("invoices_dir", "invoice_subjects", "registry_records", "court_records",
                     "tax_records"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, Path):
                paths[name] = value
            elif value is None and self.environment == "development" and name in bundled:
                paths[name] = bundled[name]
        return paths

    @field_validator("bootstrap_api_key")
    @classmethod
    def _api_key(cls, value: str) -> str:
        if value and not API_KEY.fullmatch(value):
            raise ValueError(
                "must be cfk_<16 hex>_<43 urlsafe base64 characters> (as "
                "adapters.api.security.new_api_key makes one)"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if value and not DATABASES.fullmatch(value):
            raise ValueError("must be a sqlite:// or postgresql:// URL (the databases supported)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for entry in filter(None, (e.strip() for e in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (comma-separated, "
                    "e.g. 10.0.0.5,10.1.0.0/16)"
                ) from None
        return value

    @field_validator("data_vendor_url")
    @classmethod
    def _vendor(cls, value: str) -> str:
        if value and not VENDOR_URL.fullmatch(value):
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if not isinstance(value, str) or not value:
            return value or None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        raise ValueError("must be a real calendar date YYYY-MM-DD")

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'creditfactory.sqlite3'}"
        if self.audit_signing_key_path is None:
            self.audit_signing_key_path = self.var_dir / "audit_ed25519.pem"

        if self.environment == "production" and (
            self.secret_key == DEV_SECRET or not self.pii_encryption_key
        ):
            raise ValueError("production needs CREDITFACTORY_SECRET_KEY and PII_ENCRYPTION_KEY")
        return self
