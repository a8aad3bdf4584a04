"""Benchmark harness: `python -m bench.run [--small] [NAME ...]`.

Each `bench/bench_<name>.py` defines `run(small: bool) -> dict[str, object]` returning figures
(seconds, rows/s, p50/p99 latency, peak memory). The harness prints them and writes
`bench/results/<name>.json`. Benchmarks print figures; they never assert on time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _names() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(
        m.name[6:] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="small sizes, for CI")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {_names()})")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for name in args.names or _names():
        module = importlib.import_module(f"bench.bench_{name}")
        figures = module.run(small=args.small)
        figures = {
            "benchmark": name,
            "small": args.small,
            "at": datetime.now(UTC).isoformat(),
            **figures,
        }
        print(json.dumps(figures, indent=2, default=str))
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
