"""Batch jobs the CLI starts, imported when a command runs: matplotlib, DuckDB and the simulator
stay out of the CLI's start-up."""

from __future__ import annotations

from types import ModuleType


def batch_job(name: str) -> ModuleType:
    """The `creditfactory.adapters.batch` module `name` (e.g. "monitoring_run")."""
    from creditfactory.adapters.batch import (
        monitoring_flow_ingest,
        monitoring_ingest,
        monitoring_report,
        monitoring_run,
        simulate_book,
        simulate_eval,
    )

    jobs = {
        "monitoring_flow_ingest": monitoring_flow_ingest,
        "monitoring_ingest": monitoring_ingest,
        "monitoring_report": monitoring_report,
        "monitoring_run": monitoring_run,
        "simulate_book": simulate_book,
        "simulate_eval": simulate_eval,
    }
    return jobs[name]
