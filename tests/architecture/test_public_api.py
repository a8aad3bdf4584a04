"""Each context declares its public surface in `__all__` (httpx-style pin), every name there
imports, and the domain modules stay free of the clock, uuid and random (time, ids and randomness
are inputs)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import creditfactory

CONTEXTS = [
    "kernel",
    "ledger",
    "servicing",
    "pricing",
    "scoring",
    "origination",
    "audit",
    "decisioning",
    "monitoring",
]
SRC = Path(creditfactory.__file__).parent


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_exported_name_exists(context: str) -> None:
    package = importlib.import_module(f"creditfactory.{context}")
    exported = getattr(package, "__all__", None)
    assert exported, f"creditfactory.{context} has no __all__"
    missing = [name for name in exported if not hasattr(package, name)]
    assert not missing


def test_servicing_and_ledger_surfaces_are_pinned() -> None:
    from creditfactory import ledger, servicing

    assert sorted(ledger.__all__) == sorted(
        ["CHART_V1", "A", "Account", "AccountType", "ChartOfAccounts", "EmptyEntry", "JournalEntry", "LedgerError",
         "Posting", "UnbalancedEntry", "UnknownAccount", "balances", "reversal_of", "trial_balance"]
    )  # fmt: skip
    assert {
        "Loan",
        "LoanStatus",
        "LoanGrade",
        "build_schedule",
        "repay",
        "prepay",
        "run_end_of_day",
    } <= set(servicing.__all__)


_BANNED = re.compile(
    r"\b(date\.today|datetime\.now|datetime\.utcnow|uuid4|import random|from random)\b"
)


def _domain_modules() -> list[Path]:
    files: list[Path] = []
    for context in CONTEXTS:
        for path in (SRC / context).rglob("*.py"):
            if "training" not in path.parts:
                files.append(path)
    return files


@pytest.mark.parametrize("path", _domain_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_reads_no_clock_ids_or_randomness(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    allowed = path.name in {"clock.py", "ids.py"}  # the kernel's own adapters-side implementations
    assert allowed or not _BANNED.search(text), f"{path.name}: time, ids and randomness are inputs"


def test_all_context_packages_are_listed() -> None:
    found = {m.name for m in pkgutil.iter_modules(creditfactory.__path__) if m.ispkg}
    assert set(CONTEXTS) <= found
