"""Deployment settings from the environment (prefix CREDITFACTORY_), read once by bootstrap.

Only deployment facts live here: database URL, secrets, paths, switches. Business parameters
(products, policies, rate cards, DPD bounds) are versioned data, not settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused outside development


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

    @property
    def spec_path(self) -> Path:
        """CREDITFACTORY_MODEL_SPEC, default <var_dir>/model/spec.json (what `make demo` trains)."""
        return self.model_spec or self.var_dir / "model" / "spec.json"

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
