"""Composition root: settings → PII cipher → engine → schema → unit of work, clock and ids.

Adapters (CLI, API, batch) call `bootstrap()` once and pass what it returns down; nothing else
reads settings or builds engines.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from creditfactory.adapters.storage.engine import existing_engine, make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.pii import install_pii_cipher, pii_cipher_from_settings
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.config import Settings
from creditfactory.kernel.clock import Clock, SystemClock
from creditfactory.kernel.ids import IdFactory, RandomIds

__all__ = ["App", "bootstrap"]


@dataclass
class App:
    """The wired application: settings, engine, clock, ids and a unit-of-work factory."""

    settings: Settings
    engine: Engine
    clock: Clock
    ids: IdFactory

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work on the application's engine."""
        return SqlUnitOfWork(self.engine, self.clock)


def bootstrap(
    settings: Settings | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    migrate: bool = True,
    *,
    existing: bool = False,
) -> App:
    """Build the application; runs the Alembic migrations to head unless `migrate` is False.
    `existing`: the database must already exist (commands that only read): raises
    ValidationError("database", …) instead of creating one (or a dev PII key)."""
    settings = settings or Settings()
    url = settings.database_url
    # the database first: a read command on a missing one must not leave a dev PII key behind
    engine = existing_engine(url) if existing else make_engine(url)
    install_pii_cipher(pii_cipher_from_settings(settings))
    if migrate:
        upgrade_schema(engine)
    return App(settings, engine, clock or SystemClock(), ids or RandomIds())
