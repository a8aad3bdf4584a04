"""`kill -9` of the server (parent and workers) during traffic and during end of day, then
exactly-once checks (issue 13): the clients retry every request that got no answer with the
same Idempotency-Key until it is answered, as a payment system does; afterwards

- every repayment / prepayment key is posted exactly once when it was answered 2xx, never
  when it was refused, and no key is left claimed without its response;
- every application key made one application;
- end of day, killed and run again, closed every loan once for its date (and a second run
  posts nothing);
- the ledger balances (trial balance 0.00, each loan's balances = its subledger);
- the audit log verifies (every row's digest in its leaf);
- no request was ever answered 5xx.

Small in CI (2 rounds: 2 kills in traffic + 2 during end of day); RELIABILITY_FULL=1 runs 15
rounds (30 kills). Each round moves the business date one day (CREDITFACTORY_AS_OF): the
server killed during end of day comes back on the next date and closes the killed one again.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, text

from creditfactory.access import DEFAULT_ACCESS
from creditfactory.adapters.api.security import Security
from creditfactory.adapters.storage.audit_store import SqlAuditStore, row_digesters
from creditfactory.adapters.storage.audit_tables import audit_entries
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.pii import (
    PIICipher,
    PIIKeyError,
    active_pii_cipher,
    install_pii_cipher,
)
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.audit import verify_log
from creditfactory.kernel.clock import SystemClock
from creditfactory.origination.application import demo_uscc
from tests.integration.test_servicing_storage import _assert_ledger_matches
from tests.lpr_fixture import LPR_CURRENT_ON
from tests.reliability.conftest import sized
from tests.reliability.server import Server
from tests.sba_applicants import GOOD

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")

ROUNDS = sized(2, 15)
CLIENTS = 6
LOANS = sized(24, 150)


@dataclass
class Sent:
    """One request a client sent, and what it was answered (None: no answer yet)."""

    kind: str
    path: str
    body: dict[str, Any]
    key: str
    status: int | None = None
    answer: Any = None


@dataclass
class Tally:
    """What the run did, for the report."""

    requests: int = 0
    retried: int = 0
    traffic_kills: int = 0
    eod_kills: int = 0
    eod_cut: int = 0  # end-of-day requests the kill left without an answer


def _body(number: int) -> dict[str, Any]:
    return {"applicant": {"applicant_type": "enterprise", "name": f"压测 {number}",
                          "uscc": demo_uscc(number)},
            "amount": "200000", "term_months": 12, "declared": GOOD}  # fmt: skip


def _send(server: Server, sent: Sent, tally: Tally, headers: dict[str, str]) -> None:
    tally.requests += 1
    try:
        answer = httpx.post(f"{server.url}{sent.path}", json=sent.body, timeout=30,
                            headers={**headers, "Idempotency-Key": sent.key})  # fmt: skip
    except httpx.TransportError:
        return  # killed mid-request: no answer, the client retries later
    sent.status = answer.status_code
    sent.answer = answer.json()


def _traffic(server: Server, loans: list[str], log: list[Sent], tally: Tally,
             stop: threading.Event) -> None:  # fmt: skip
    headers, rng = {"X-API-Key": server.key}, random.Random()
    while not stop.is_set():
        kind = rng.choice(("application", "repayment", "repayment", "prepayment"))
        if kind == "application":
            sent = Sent(
                kind, "/api/v1/applications", _body(rng.randrange(10**7)), secrets.token_hex(8)
            )
        else:
            loan = rng.choice(loans)
            path = f"/api/v1/loans/{loan}/{kind}s"
            amount = f"{rng.randrange(50, 900)}.{rng.randrange(100):02d}"
            sent = Sent(kind, path, {"amount": amount}, secrets.token_hex(8))
        log.append(sent)
        _send(server, sent, tally, headers)


def _answer_all(server: Server, log: list[Sent], tally: Tally) -> None:
    """Retry every unanswered request with its own key until answered; re-send a sample of the
    answered ones: a retry gets the first answer."""
    headers = {"X-API-Key": server.key}
    for sent in log:
        while sent.status is None:
            tally.retried += 1
            _send(server, sent, tally, headers)
    for sent in random.sample(log, min(20, len(log))):
        first = (sent.status, sent.answer)
        _send(server, sent, tally, headers)
        assert (sent.status, sent.answer) == first, sent


def _officer_token(server: Server, name: str) -> str:
    answer = httpx.post(f"{server.url}/api/v1/officers/login",
                        json={"username": name, "password": "pw-" + name + "-long"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _end_of_day(server: Server, officer: str, day: str, tally: Tally,
                kill_after_s: float | None) -> Any:  # fmt: skip
    """POST /end-of-day; with `kill_after_s`, kill -9 the server that long after sending."""
    result: dict[str, Any] = {}
    token = _officer_token(server, officer)

    def run() -> None:
        try:
            result["answer"] = httpx.post(
                f"{server.url}/api/v1/end-of-day", json={"business_date": day}, timeout=120,
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
        except httpx.TransportError:
            pass

    thread = threading.Thread(target=run)
    thread.start()
    if kill_after_s is not None:
        time.sleep(kill_after_s)
        server.kill9()
        tally.eod_kills += 1
    thread.join()
    answer = result.get("answer")
    if kill_after_s is not None and answer is None:
        tally.eod_cut += 1
    return answer


@pytest.fixture
def pii(request: pytest.FixtureRequest) -> Iterator[None]:
    """Restore the process's PII cipher after the test (the server has its own key)."""
    try:
        before: PIICipher | None = active_pii_cipher()
    except PIIKeyError:
        before = None
    yield
    if before is not None:
        install_pii_cipher(before)


def test_kill9_during_traffic_and_end_of_day_is_exactly_once(tmp_path: Path, pii: None) -> None:
    server = Server(tmp_path, f"sqlite:///{tmp_path / 'cf.sqlite3'}")
    install_pii_cipher(PIICipher(server.pii_key))
    tally, log, rng = Tally(), [], random.Random()
    day = LPR_CURRENT_ON
    server.start(day)
    engine = make_engine(server.database)
    officer = "eod" + secrets.token_hex(4)
    Security(engine, "unused", SystemClock(), DEFAULT_ACCESS).create_officer(
        officer, "pw-" + officer + "-long", "credit_approver", datetime.now(UTC)
    )
    try:
        seeds = [Sent("application", "/api/v1/applications", _body(n), f"seed{n}")
                 for n in range(9_000_000, 9_000_000 + LOANS)]  # fmt: skip
        for sent in seeds:
            _send(server, sent, tally, {"X-API-Key": server.key})
        loans = [s.answer["loan_id"] for s in seeds if s.answer and s.answer.get("loan_id")]
        assert len(loans) > LOANS // 2, Counter(s.answer.get("status") for s in seeds)
        log += seeds
        for _ in range(ROUNDS):
            stop = threading.Event()
            clients = [threading.Thread(target=_traffic, args=(server, loans, log, tally, stop))
                       for _ in range(CLIENTS)]  # fmt: skip
            for client in clients:
                client.start()
            time.sleep(rng.uniform(0.5, 2.0))
            server.kill9()  # in the middle of the traffic
            tally.traffic_kills += 1
            stop.set()
            for client in clients:
                client.join()
            server.start(day)
            _answer_all(server, log, tally)
            closing = day.isoformat()
            _end_of_day(
                server, officer, closing, tally, rng.uniform(0.0, 0.08)
            )  # EOD of a few dozen loans is quick
            day += timedelta(days=1)  # back up on the next business date, the old one re-run
            server.start(day)
            done = _end_of_day(server, officer, closing, tally, None)
            assert done is not None and done.status_code == 200, done
            again = _end_of_day(server, officer, closing, tally, None).json()
            assert (again["loans_closed"], again["entries_posted"]) == (0, 0)
        _check(engine, log, loans)
    finally:
        server.stop()
        engine.dispose()
    print(f"\nkill -9: {tally.requests} requests ({tally.retried} retries), "  # the report's figures
          f"{tally.traffic_kills} kills in traffic, {tally.eod_kills} during end of day "
          f"({tally.eod_cut} cut it off), {ROUNDS} business dates, duplicates 0")  # fmt: skip


def _check(engine: Engine, log: list[Sent], loans: list[str]) -> None:
    assert not [s for s in log if s.status is not None and s.status >= 500]
    with engine.connect() as db:
        leaves = db.execute(
            select(audit_entries.c.action, audit_entries.c.subject, audit_entries.c.payload)
        ).all()
        claimed = db.execute(text("SELECT count(*) FROM idempotency_keys WHERE response = ''"))
        assert claimed.scalar_one() == 0  # no key without its response
        apps = Counter(db.execute(text("SELECT idempotency_key FROM applications")).scalars())
        report = verify_log(SqlAuditStore(db), digesters=row_digesters(db))
    assert report.ok, report.findings[:3]
    posted = Counter(
        json.loads(p)["idempotency_key"].split(":", 1)[1]
        for action, _, p in leaves
        if action in ("loan.repayment_posted", "loan.prepayment_posted")
    )
    for sent in log:
        if sent.kind == "application":
            assert apps[sent.key] == 1, sent
        else:
            assert posted[sent.key] == (1 if sent.status == 200 else 0), sent
    closed = Counter(
        (subject, loan)
        for action, subject, p in leaves
        if action == "eod.batch_closed"
        for loan in json.loads(p)["loans"]
    )
    assert max(closed.values()) == 1  # no loan closed twice for a date
    uow = SqlUnitOfWork(engine, SystemClock())
    for loan_id in loans:
        _assert_ledger_matches(uow, loan_id)
