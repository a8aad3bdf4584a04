"""The 310 flow in process (no HTTP), SQLite, one application after another: where the time of
`submit_application` goes. Figures: per application mean / p50 / p99; how long the write
transaction holds SQLite's single writer turn (what two server workers queue on; the decision,
price and contract are made before it — origination_flow `_plan`); SQL statements per
disbursed application; and how many start-up objects the server froze for the garbage collector
with what a full collection costs before and after (asgi.create_from_env).

    python -m bench.run flow              # 1,500 applications (the first 300 warm up)
    python -m bench.run --small flow      # 150
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.bench_factory import SPEC, _body, _rows, server_env
from creditfactory.adapters.api.asgi import create_from_env
from creditfactory.adapters.cli.demo import sign_off
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
from creditfactory.service_layer.origination_flow import SubmitApplication, submit_application


class _Timed(FactoryUnitOfWork):
    """Records how long each writing unit of work is open (it holds the writer turn)."""

    held: list[float] = []

    def __enter__(self) -> FactoryUnitOfWork:
        self._opened = time.perf_counter()
        return super().__enter__()

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        _Timed.held.append(time.perf_counter() - self._opened)


def _full_collection() -> float:
    started = time.perf_counter()
    gc.collect()
    return time.perf_counter() - started


def _command(body: dict[str, Any], key: str) -> SubmitApplication:
    return SubmitApplication(channel_id="bench", idempotency_key=key, amount=body["amount"],
                             term_months=body["term_months"], declared=body["declared"],
                             **body["applicant"])  # fmt: skip


def _ms(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {"mean_ms": round(statistics.fmean(ms), 3), "p50_ms": round(ms[len(ms) // 2], 3),
            "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 3)}  # fmt: skip


def run(small: bool) -> dict[str, Any]:
    """Figures (module docstring)."""
    count, warm = (150, 30) if small else (1500, 300)
    with tempfile.TemporaryDirectory() as tmp:
        saved = dict(os.environ)
        url = f"sqlite:///{Path(tmp) / 'flow.sqlite3'}"
        os.environ.update(server_env(url, Path(tmp)))
        sign_off(url, SPEC)  # the spec records no checks: served once signed off
        os.environ["CREDITFACTORY_FOLLOW_PUBLICATIONS_S"] = "0"
        try:
            app = create_from_env()  # ends with gc.freeze()
            frozen = gc.get_freeze_count()
            full_after = _full_collection()
            gc.unfreeze()
            full_before = _full_collection()
            gc.freeze()
            engine, deps = app.state.engine, app.state.deps
            deps = replace(deps, uow=lambda: _Timed(engine, deps.clock))
            statements = [0]
            event.listen(
                engine,
                "before_cursor_execute",
                lambda *_: statements.__setitem__(0, statements[0] + 1),
            )
            rows, totals, per_disbursed = _rows(), [], []
            for i in range(count):
                command = _command(_body(rows[i % len(rows)], 10**7 + i), f"flow-{i}")
                before, started = statements[0], time.perf_counter()
                view = submit_application(deps, command)
                totals.append(time.perf_counter() - started)
                if i >= warm and view["status"] == "disbursed":
                    per_disbursed.append(statements[0] - before)
            engine.dispose()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return {
        "applications": count - warm,
        "per_application": _ms(totals[warm:]),
        "writer_turn_per_application": _ms(_Timed.held[warm:]),
        "statements_per_disbursed_application": statistics.fmean(per_disbursed),
        "gc_frozen_objects": frozen,
        "gc_full_collection_ms": {
            "before_freeze": round(full_before * 1000, 1),
            "after_freeze": round(full_after * 1000, 1),
        },  # fmt: skip
    }
