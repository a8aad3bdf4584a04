"""`kill -9` of the server (parent and workers) during traffic to EVERY idempotent route and
during end of day, then exactly-once checks (issue 13), on SQLite and on PostgreSQL.

Traffic, every route in turn from each client: applications, repayments, prepayments,
backdated repayments (an officer's bearer token, value date the previous business date), offer
acceptances, write-offs (maker-checker approved before the round), consent recording and
withdrawal; the run fails unless every route was sent to. The clients retry every request
that got no answer with the same Idempotency-Key (the same offer / approval for the routes that
act once per named object) until it is answered, as a payment system does; afterwards

- every repayment / prepayment / backdated key is posted exactly once when it was answered 2xx,
  never when it was refused, and no key is left claimed without its response;
- every application key made one application; every offer accepted 2xx booked one loan, never
  two; every write-off answered 2xx wrote the loan off once; every consent key answered 2xx
  recorded one consent and every withdrawal key one withdrawal;
- end of day, killed and run again, closed every loan once for its date (and a second run
  posts nothing);
- the ledger balances (trial balance 0.00, each loan's balances = its subledger) and
  `servicing reconcile` finds no break;
- the audit log verifies (every row's digest in its leaf);
- no request was ever answered 5xx.

Small in CI (2 rounds: 2 kills in traffic + 2 during end of day, per database);
RELIABILITY_FULL=1 runs 15 rounds (30 kills) per database. Each round moves the business date
one day (CREDITFACTORY_AS_OF): the server killed during end of day comes back on the next date
and closes the killed one again.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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
from creditfactory.service_layer.reconcile_flow import reconcile_book
from creditfactory.servicing import services
from creditfactory.servicing.classification import LoanGrade
from tests.integration.test_servicing_storage import _assert_ledger_matches
from tests.lpr_fixture import LPR_CURRENT_ON
from tests.pg import own_database, postgres_url
from tests.reliability.conftest import sized
from tests.reliability.server import Server
from tests.sba_applicants import GOOD

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")

ROUNDS = sized(2, 15)
CLIENTS = 6
LOANS = sized(24, 150)  # booked at the start; a quarter only ever repaid backdated
OFFERS = sized(8, 60)  # approved, not accepted: the traffic accepts them
WRITE_OFFS = sized(2, 3)  # loans made 次级 before each round's end of day, written off next round
KEYED = ("application", "repayment", "prepayment", "backdated", "consent", "withdrawal")
KINDS = (*KEYED, "repayment", "accept", "write_off")  # in turn: repayments twice


@dataclass
class Sent:
    """One request a client sent, and what it was answered (None: no answer yet)."""

    kind: str
    path: str
    body: dict[str, Any]
    key: str
    headers: dict[str, str] = field(default_factory=dict)  # a role's token; else the channel's
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
    kinds: Counter[str] = field(default_factory=Counter)


@dataclass
class Book:
    """What the traffic can address, and the officers' tokens on the running server."""

    regular: list[str]  # loans repaid and prepaid on the business date
    backdated: list[str]  # repaid only backdated: a same-day repayment would accrue them past it
    offers: list[str]
    write_offs: list[tuple[str, str]] = field(default_factory=list)  # (loan, approval) this round
    floored: list[str] = field(default_factory=list)  # made 次级 at this round's end of day
    consents: list[str] = field(default_factory=list)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    previous_day: str = ""  # the value date of backdated repayments (none in the first round)


def _application(number: int, auto_accept: bool = True) -> dict[str, Any]:
    return {"applicant": {"applicant_type": "enterprise", "name": f"压测 {number}",
                          "uscc": demo_uscc(number)},
            "amount": "200000", "term_months": 12, "declared": GOOD,
            "auto_accept": auto_accept}  # fmt: skip


def _send(server: Server, sent: Sent, tally: Tally) -> None:
    tally.requests += 1
    headers = sent.headers or {"X-API-Key": server.key}
    if sent.kind in KEYED:
        headers = {**headers, "Idempotency-Key": sent.key}
    try:
        answer = httpx.post(f"{server.url}{sent.path}", json=sent.body, timeout=30,
                            headers=headers)  # fmt: skip
    except httpx.TransportError:
        return  # killed mid-request: no answer, the client retries later
    sent.status = answer.status_code
    sent.answer = answer.json()


def _request(kind: str, book: Book, rng: random.Random) -> Sent | None:
    """A new request of `kind` (a fresh key), or None when the book has nothing for it."""
    key = secrets.token_hex(8)
    if kind == "application":
        return Sent(kind, "/api/v1/applications", _application(rng.randrange(10**7)), key)
    amount = f"{rng.randrange(50, 900)}.{rng.randrange(100):02d}"
    if kind in ("repayment", "prepayment"):
        path = f"/api/v1/loans/{rng.choice(book.regular)}/{kind}s"
        return Sent(kind, path, {"amount": amount}, key)
    if kind == "backdated" and book.previous_day:
        path = f"/api/v1/loans/{rng.choice(book.backdated)}/backdated-repayments"
        dated = {"amount": amount, "value_date": book.previous_day, "reason": "bank slip"}
        return Sent(kind, path, dated, key, book.tokens["credit_approver"])
    if kind == "accept":  # any offer, accepted or not: a second acceptance is a duplicate
        return Sent(kind, f"/api/v1/offers/{rng.choice(book.offers)}/accept", {}, key)
    if kind == "write_off" and book.write_offs:
        loan, approval = rng.choice(book.write_offs)
        path = f"/api/v1/loans/{loan}/write-off"
        return Sent(kind, path, {"approval_id": approval}, key, book.tokens["loan_officer"])
    if kind == "consent":
        body: dict[str, Any] = {"applicant": _application(rng.randrange(10**7))["applicant"],
                "purpose": "credit_application",
                "consent": {"categories": ["tax"], "version": "auth-2024-01"}}  # fmt: skip
        return Sent(kind, "/api/v1/consents", body, key)
    if kind == "withdrawal" and book.consents:
        return Sent(kind, f"/api/v1/consents/{rng.choice(book.consents)}/withdraw", {}, key)
    return None  # nothing to address yet: a backdated repayment or a write-off in round one


def _traffic(server: Server, book: Book, log: list[Sent], tally: Tally, stop: threading.Event,
             first: int) -> None:  # fmt: skip
    """Requests of every kind in turn from `first` on (each client its own start: every route
    is hit early in the round, whenever the kill comes), until `stop`."""
    rng, turn = random.Random(), first
    while not stop.is_set():
        sent = _request(KINDS[turn % len(KINDS)], book, rng)
        turn += 1
        if sent is None:
            continue
        log.append(sent)
        tally.kinds[sent.kind] += 1
        _send(server, sent, tally)
        if sent.kind == "consent" and sent.status == 200:
            book.consents.append(sent.answer["consent_id"])


def _answer_all(server: Server, log: list[Sent], tally: Tally, book: Book) -> None:
    """Retry every unanswered request with its own key until answered (with the current tokens:
    a restart is a new sign-in); re-send a sample of the answered ones: a retry gets the first
    answer."""
    for sent in log:
        while sent.status is None:
            tally.retried += 1
            if sent.headers:
                sent.headers = book.tokens[_role(sent.kind)]
            _send(server, sent, tally)
        if sent.kind == "consent" and sent.status == 200:
            book.consents.append(sent.answer["consent_id"])
    for sent in random.sample(log, min(20, len(log))):
        first = (sent.status, sent.answer)
        if sent.headers:
            sent.headers = book.tokens[_role(sent.kind)]
        _send(server, sent, tally)
        assert (sent.status, sent.answer) == first, sent


def _role(kind: str) -> str:
    return "credit_approver" if kind == "backdated" else "loan_officer"


def _sign_in(server: Server, book: Book, officers: dict[str, str]) -> None:
    for role, name in officers.items():
        answer = httpx.post(f"{server.url}/api/v1/officers/login",
                            json={"username": name, "password": "pw-" + name + "-long"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        book.tokens[role] = {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _start(server: Server, day: date, book: Book, officers: dict[str, str]) -> None:
    server.start(day)
    _sign_in(server, book, officers)


def _approve_write_offs(server: Server, book: Book, day: date) -> None:
    """Maker-checker approved write-offs of the loans made 次级 at the last end of day."""
    book.write_offs = []
    for loan in book.floored:
        item = {"kind": "write_off", "subject": f"loan:{loan}",
                "params": {"business_date": day.isoformat()}}  # fmt: skip
        made = httpx.post(f"{server.url}/api/v1/approvals", json=item,
                          headers=book.tokens["loan_officer"], timeout=30)  # fmt: skip
        assert made.status_code == 200, made.text
        approval = made.json()["approval_id"]
        checked = httpx.post(f"{server.url}/api/v1/approvals/{approval}/approve", json={},
                             headers=book.tokens["credit_approver"], timeout=30)  # fmt: skip
        assert checked.status_code == 200, checked.text
        book.write_offs.append((loan, approval))
    book.floored = []


def _floor(engine: Engine, book: Book) -> None:
    """Make the next write-offs 次级 at the coming end of day (a grade floor, as a monitoring
    disposal sets it); they leave the repayment pool."""
    clock = SystemClock()
    uow = SqlUnitOfWork(engine, clock, actor="test:floor")
    for _ in range(WRITE_OFFS):
        loan = book.regular.pop()
        services.set_grade_floor(uow, clock, loan, LoanGrade.SUBSTANDARD, "kill -9 test")
        book.floored.append(loan)


def _end_of_day(server: Server, book: Book, day: str, tally: Tally,
                kill_after_s: float | None) -> Any:  # fmt: skip
    """POST /end-of-day; with `kill_after_s`, kill -9 the server that long after sending."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["answer"] = httpx.post(
                f"{server.url}/api/v1/end-of-day", json={"business_date": day}, timeout=120,
                headers=book.tokens["credit_approver"],
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


def _database(dialect: str, tmp_path: Path) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{tmp_path / 'cf.sqlite3'}"
    return own_database(postgres_url(), "kill9", fresh=True)  # a server of its own, emptied


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_kill9_during_traffic_and_end_of_day_is_exactly_once(
    dialect: str, tmp_path: Path, pii: None
) -> None:
    server = Server(tmp_path, _database(dialect, tmp_path))
    install_pii_cipher(PIICipher(server.pii_key))
    tally, log, rng = Tally(), [], random.Random()
    day = LPR_CURRENT_ON
    server.start(day)
    engine = make_engine(server.database)
    security = Security(engine, "unused", SystemClock(), DEFAULT_ACCESS)
    officers = {
        role: role[:4] + secrets.token_hex(4) for role in ("credit_approver", "loan_officer")
    }
    for role, name in officers.items():
        security.create_officer(name, "pw-" + name + "-long", role, datetime.now(UTC))
    book = Book([], [], [])
    try:
        _sign_in(server, book, officers)
        seeds = [Sent("application", "/api/v1/applications", _application(n, n % 4 != 0),
                      f"seed{n}") for n in range(9_000_000, 9_000_000 + LOANS + OFFERS)]  # fmt: skip
        for sent in seeds:
            _send(server, sent, tally)
        booked = [s.answer["loan_id"] for s in seeds if s.answer and s.answer.get("loan_id")]
        book.offers = [s.answer["offer"]["offer_id"] for s in seeds
                       if s.answer and s.answer.get("status") == "approved"][:OFFERS]  # fmt: skip
        assert len(booked) > LOANS // 2 and book.offers, Counter(s.status for s in seeds)
        split = len(booked) // 4
        book.regular, book.backdated = booked[split:], booked[:split]
        log += seeds
        for _ in range(ROUNDS):
            _approve_write_offs(server, book, day)  # none in the first round
            stop = threading.Event()
            starts = [c * len(KINDS) // CLIENTS for c in range(CLIENTS)]
            clients = [threading.Thread(target=_traffic, args=(server, book, log, tally, stop, c))
                       for c in starts]  # fmt: skip
            for client in clients:
                client.start()
            time.sleep(rng.uniform(0.5, 2.0))
            server.kill9()  # in the middle of the traffic
            tally.traffic_kills += 1
            stop.set()
            for client in clients:
                client.join()
            _start(server, day, book, officers)
            _answer_all(server, log, tally, book)
            _floor(engine, book)  # the next round's write-offs
            closing = day.isoformat()
            _end_of_day(server, book, closing, tally, rng.uniform(0.0, 0.08))
            _start(server, day + timedelta(days=1), book, officers)  # the killed date re-run
            done = _end_of_day(server, book, closing, tally, None)
            assert done is not None and done.status_code == 200, done
            again = _end_of_day(server, book, closing, tally, None).json()
            assert (again["loans_closed"], again["entries_posted"]) == (0, 0)
            book.previous_day, day = closing, day + timedelta(days=1)
        _check(engine, log, book)
        assert set(tally.kinds) == set(KINDS), tally.kinds  # every route was under the kills
    finally:
        server.stop()
        engine.dispose()
    print(f"\nkill -9 ({dialect}): {tally.requests} requests ({tally.retried} retries), "
          f"{tally.traffic_kills} kills in traffic, {tally.eod_kills} during end of day "
          f"({tally.eod_cut} cut it off), {ROUNDS} business dates, duplicates 0; "
          f"by route {dict(sorted(tally.kinds.items()))}")  # fmt: skip


def _check(engine: Engine, log: list[Sent], book: Book) -> None:
    assert not [s for s in log if s.status is not None and s.status >= 500]
    with engine.connect() as db:
        leaves = db.execute(
            select(audit_entries.c.action, audit_entries.c.subject, audit_entries.c.payload)
        ).all()
        claimed = db.execute(text("SELECT count(*) FROM idempotency_keys WHERE response = ''"))
        assert claimed.scalar_one() == 0  # no key without its response
        apps = Counter(db.execute(text("SELECT idempotency_key FROM applications")).scalars())
        loans = list(db.execute(text("SELECT loan_id FROM loans")).scalars())
        consents = db.execute(text("SELECT count(*) FROM consents")).scalar_one()
        report = verify_log(SqlAuditStore(db), digesters=row_digesters(db))
    assert report.ok, report.findings[:3]
    actions = Counter((action, subject) for action, subject, _ in leaves)
    posted = Counter(
        json.loads(p)["idempotency_key"].split(":", 1)[1]
        for action, _, p in leaves
        if action in ("loan.repayment_posted", "loan.prepayment_posted")
    )
    answered: dict[str, Counter[str]] = defaultdict(Counter)
    for sent in log:
        ok = sent.status == 200
        if sent.kind == "application":
            assert apps[sent.key] == 1, sent
        elif sent.kind in ("repayment", "prepayment", "backdated"):
            assert posted[sent.key] == (1 if ok else 0), sent
        elif ok and sent.kind == "accept":
            answered["accept"][sent.path.split("/")[4]] += 1
        elif ok and sent.kind == "write_off":
            answered["write_off"][sent.path.split("/")[4]] += 1
        elif ok and sent.kind == "consent":
            answered["consent"][sent.answer["consent_id"]] += 1
        elif ok and sent.kind == "withdrawal":
            answered["withdrawal"][sent.path.split("/")[4]] += 1
    for offer in book.offers:  # however often accepted: one acceptance, one loan
        assert actions["offer.accepted", offer] == (1 if answered["accept"][offer] else 0), offer
    for loan in answered["write_off"]:
        assert actions["loan.written_off", loan] == 1, loan
    recorded = [n for (action, _), n in actions.items() if action == "consent.recorded"]
    assert set(recorded) <= {1} and len(recorded) == consents == len(answered["consent"])
    assert len(recorded) == sum(s.kind == "consent" and s.status == 200 for s in log)  # 1 a key
    for consent in answered["withdrawal"]:  # however many keys: the first withdrawal's leaf
        assert actions["consent.withdrawn", consent] == 1, consent  # (attack13 finding 7)
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
    reconciled = reconcile_book(SqlUnitOfWork(engine, SystemClock(), writer=False))
    assert reconciled.ok and reconciled.loans == len(loans), reconciled.breaks[:3]
