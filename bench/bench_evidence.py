"""What the row evidence costs on the servicing hot paths (issue 13, defect 7: the last audit
leaf of every transaction carries the digests of the loans, installments and journal rows it
wrote, read back inside the transaction — `adapters/storage/state_digesters.py`).

On SQLite (a file, WAL), the same book is run twice on fresh databases: with the evidence, as
served, and without it (the engine-event hooks that collect the written rows, and the commit
safety net, removed for that run only — the leaves are still appended, without digests):
booking and disbursement (ledger append), repayments on the business date, and end of day
over the whole book for a few business dates. Each mode runs twice, alternately; the faster
run counts. Prints seconds, ms per operation and the overhead in per cent.

`python -m bench.run evidence` (400 loans, 400 repayments, 5 business dates) or `--small`
(40, 40, 2). Figures only; nothing asserts on time.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, event

from creditfactory.adapters.storage import audit_store, state_digesters
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.kernel.clock import FixedClock
from creditfactory.servicing import services
from creditfactory.servicing.services import BookLoan

START = date(2024, 1, 31)
_HOOKS = [  # (event, listener) that make the evidence; see the module docstring
    ("before_execute", state_digesters._before),
    ("after_execute", state_digesters._after),
    ("commit", audit_store._evidence_before_commit),
]


@contextmanager
def _evidence(on: bool) -> Iterator[None]:
    if on:
        yield
        return
    for name, listener in _HOOKS:
        event.remove(Engine, name, listener)
    try:
        yield
    finally:
        for name, listener in _HOOKS:
            event.listen(Engine, name, listener)


def _timed(phase: dict[str, float], name: str, start: float) -> None:
    phase[name] = time.perf_counter() - start


def _book(engine: Engine, loans: int, repayments: int, days: int) -> dict[str, float]:
    uow, phase = SqlUnitOfWork(engine, FixedClock(START)), dict[str, float]()
    ids = [f"loan_{uuid.uuid4().hex[:12]}" for _ in range(loans)]
    start = time.perf_counter()
    for loan_id in ids:
        services.book_loan(
            uow, BookLoan(loan_id, "b_" + loan_id, "sme-term@2024.1", "100000", "0.0445", 12, START)
        )
        services.disburse_loan(uow, FixedClock(START), loan_id, START)
    _timed(phase, "book_and_disburse", start)
    day = START + timedelta(days=1)
    clock = FixedClock(day)
    start = time.perf_counter()
    for n in range(repayments):
        services.post_repayment(
            uow, clock, ids[n % loans], Decimal("500.00"), day, uuid.uuid4().hex
        )
    _timed(phase, "repayment", start)
    start = time.perf_counter()
    for offset in range(days):
        business = day + timedelta(days=offset)
        services.end_of_day(uow, FixedClock(business), business)
    _timed(phase, "end_of_day", start)
    return phase


def run(small: bool) -> dict[str, object]:
    """Figures for `small` (40 loans, 40 repayments, 2 dates) or full (400, 400, 5)."""
    loans, repayments, days = (40, 40, 2) if small else (400, 400, 5)
    best: dict[bool, dict[str, float]] = {}
    install_pii_cipher(PIICipher(generate_pii_key()))  # as bootstrap does: the keys' seals
    with tempfile.TemporaryDirectory() as tmp:
        for attempt, on in enumerate((True, False, True, False)):
            engine = make_engine(f"sqlite:///{Path(tmp) / f'evidence{attempt}.sqlite3'}")
            upgrade_schema(engine)
            with _evidence(on):
                phase = _book(engine, loans, repayments, days)
            engine.dispose()
            kept = best.setdefault(on, phase)
            best[on] = {name: min(kept[name], seconds) for name, seconds in phase.items()}
    counts = {"book_and_disburse": loans, "repayment": repayments, "end_of_day": loans * days}
    figures: dict[str, object] = {"loans": loans, "repayments": repayments, "business_dates": days}
    for name, count in counts.items():
        with_s, without_s = best[True][name], best[False][name]
        figures[name] = {
            "operations": count,
            "seconds_with_evidence": round(with_s, 3),
            "seconds_without_evidence": round(without_s, 3),
            "ms_per_operation_with": round(1000 * with_s / count, 3),
            "ms_per_operation_without": round(1000 * without_s / count, 3),
            "overhead_percent": round(100 * (with_s / without_s - 1), 1),
        }
    return figures
