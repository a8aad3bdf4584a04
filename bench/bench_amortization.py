"""Throughput of `servicing.amortization.build_schedule` over a mixed book of loan terms.

Figures: schedules/s and installment rows/s, p50/p99 per schedule, peak traced memory.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from datetime import date, timedelta

from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.amortization import build_schedule
from creditfactory.servicing.schedule import AmortizationMethod, ScheduleTerms


def _book(count: int, seed: int = 7) -> list[ScheduleTerms]:
    rng = random.Random(seed)
    methods = list(AmortizationMethod)
    return [
        ScheduleTerms(
            principal=Money.from_minor(rng.randint(1_000_000, 500_000_000)),
            annual_rate=Rate.from_bp(rng.randint(300, 1800)),
            method=rng.choice(methods),
            term=rng.choice([3, 6, 12, 24, 36]),
            start_date=date(2024, 1, 1) + timedelta(days=rng.randint(0, 700)),
            day_count=rng.choice([None, DayCount.ACT_360]),
        )
        for _ in range(count)
    ]


def run(small: bool) -> dict[str, object]:
    """Build a seeded book of schedules; return timing and memory figures."""
    book = _book(500 if small else 20_000)
    latencies, rows = [], 0
    tracemalloc.start()
    began = time.perf_counter()
    for terms in book:
        start = time.perf_counter()
        rows += len(build_schedule(terms).installments)
        latencies.append(time.perf_counter() - start)
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    latencies.sort()
    return {
        "schedules": len(book),
        "installments": rows,
        "seconds": round(seconds, 3),
        "schedules_per_s": round(len(book) / seconds),
        "rows_per_s": round(rows / seconds),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        "peak_mib": round(peak / 2**20, 2),
    }
