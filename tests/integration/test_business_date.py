"""The business date is the day in China (UTC+8), not the UTC day (issue 12 item 6): at 00:30 CST
the UTC date is still yesterday. Decisions, their LPR staleness and `rates list` take "today"
from `kernel.clock.china_date`; on the UTC date a series one day stale was still priced."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from creditfactory.adapters.api.main import keep_serving_spec
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.kernel.clock import FixedClock
from creditfactory.origination.application import demo_uscc
from creditfactory.pricing.lpr import stale_after
from creditfactory.pricing.policy import DEFAULT_POLICY
from creditfactory.service_layer.factory_ports import OfficeDeps
from creditfactory.service_layer.rates_flow import list_rates
from tests.integration.test_decision_replay import _deps, _submit
from tests.lpr_fixture import current_series

SERIES = current_series(date(2026, 11, 30))  # last fixing 2026-11-20


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def test_rates_list_uses_the_china_business_date(engine: Engine) -> None:
    clock = FixedClock(datetime(2026, 12, 7, 16, 30, tzinfo=UTC))  # 2026-12-08 00:30 CST
    deps = OfficeDeps(uow=lambda: FactoryUnitOfWork(engine, clock), clock=clock,
                      ids=_deps(engine).ids)  # fmt: skip
    assert list_rates(deps)["business_date"] == "2026-12-08"


def test_a_lpr_stale_in_china_is_referred_while_utc_is_still_yesterday(engine: Engine) -> None:
    until = stale_after(SERIES.end, DEFAULT_POLICY.lpr_grace_business_days)
    assert until == date(2026, 12, 24)  # the 2026-12-21 fixing plus grace (DOMAIN.md §3.1)
    # 2026-12-25 00:30 CST = 2026-12-24 16:30 UTC: stale in China, current on the UTC date
    clock = FixedClock(datetime(2026, 12, 24, 16, 30, tzinfo=UTC))
    deps = replace(_deps(engine), lpr_series=SERIES, clock=clock,
                   uow=lambda: FactoryUnitOfWork(engine, clock))  # fmt: skip
    keep_serving_spec(deps)
    view = _submit(deps, demo_uscc(secrets.randbelow(10**7)))
    assert view["status"] == "referred" and view["loan_id"] is None
    assert view["decision"]["reasons"][0]["code"] == "R08"
    assert view["decision"]["lpr"]["stale"] is True
