"""Pricing as the decision flow calls it: `offer_rate(PricingRequest(...))`, a pure function call.

Reports p50/p99 latency in µs per call for each method over a spread of PDs (the target is
< 100 µs p99), plus the IRB risk weight alone and the CUMCM optimisation for three grades.
Figures only; nothing asserts on time.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.capital import irb_risk_weight
from creditfactory.pricing.offer import offer_rate
from creditfactory.pricing.optimisation import AcceptancePoint, optimise_rates
from creditfactory.pricing.policy import Method
from creditfactory.pricing.quote import PricingRequest

_PDS = [Decimal(p) for p in ("0.003", "0.01", "0.02", "0.04", "0.08")]


def _latencies_us(call: Callable[[int], object], n: int) -> dict[str, float]:
    for i in range(min(n, 200)):  # warm caches (LPR series, decimal contexts)
        call(i)
    samples = []
    for i in range(n):
        start = time.perf_counter_ns()
        call(i)
        samples.append((time.perf_counter_ns() - start) / 1000)
    samples.sort()
    return {
        "calls": n,
        "p50_us": round(statistics.median(samples), 2),
        "p99_us": round(samples[int(0.99 * (n - 1))], 2),
        "max_us": round(samples[-1], 2),
    }


def _request(i: int) -> PricingRequest:
    return PricingRequest(
        _PDS[i % len(_PDS)], Decimal("0.45"), Money(Decimal(500_000)), 12, date(2024, 6, 30)
    )


def run(small: bool) -> dict[str, object]:
    """Figures for `python -m bench.run pricing`."""
    n = 2_000 if small else 50_000
    figures: dict[str, object] = {}
    for method in Method:
        figures[f"offer_rate_{method.value}"] = _latencies_us(
            lambda i, m=method: offer_rate(_request(i), m), n
        )
    figures["offer_rate_with_explanations"] = _latencies_us(
        lambda i: offer_rate(_request(i)).explain_for_audit(), n // 4
    )
    figures["irb_risk_weight"] = _latencies_us(
        lambda i: irb_risk_weight(_PDS[i % len(_PDS)], Decimal("0.45"), "corporate", 2.5, 10), n
    )
    curve = [
        AcceptancePoint(Rate(Decimal(400 + 40 * k) / 10_000), Decimal(k) / 30) for k in range(29)
    ]
    grades = {"A": Decimal("0.01"), "B": Decimal("0.03"), "C": Decimal("0.08")}
    curves = {g: curve for g in grades}
    figures["optimise_3_grades_29_points"] = _latencies_us(
        lambda i: optimise_rates(
            curves, grades, Decimal("0.45"), Money(Decimal(10**6)), date(2019, 12, 31)
        ),
        n // 20,
    )
    tracemalloc.start()
    for i in range(1_000):
        offer_rate(_request(i))
    figures["peak_memory_kib_1000_offers"] = round(tracemalloc.get_traced_memory()[1] / 1024, 1)
    tracemalloc.stop()
    return figures
