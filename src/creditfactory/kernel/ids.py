"""Identifiers: typed, prefixed strings (`loan_…`, `app_…`), made by an injected IdFactory.

The domain never calls uuid4; services receive an `IdFactory`. `SequentialIds` is deterministic for
tests and demos; `RandomIds` (uuid4 hex) is what adapters wire in production.
"""

from __future__ import annotations

import itertools
import uuid
from typing import NewType, Protocol

__all__ = [
    "ApplicationId",
    "FacilityId",
    "IdFactory",
    "JournalEntryId",
    "LoanId",
    "RandomIds",
    "SequentialIds",
]

LoanId = NewType("LoanId", str)
FacilityId = NewType("FacilityId", str)
ApplicationId = NewType("ApplicationId", str)
JournalEntryId = NewType("JournalEntryId", str)


class IdFactory(Protocol):
    """Makes a new id with the given prefix, e.g. new("loan") → "loan_…"."""

    def new(self, prefix: str) -> str: ...


class SequentialIds:
    """Deterministic ids: loan_000001, loan_000002, … (one counter per prefix)."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}

    def new(self, prefix: str) -> str:
        """Next id for `prefix`."""
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}_{next(counter):06d}"


class RandomIds:
    """Random ids: prefix + 32 hex characters of a UUID4."""

    def new(self, prefix: str) -> str:
        """A fresh random id for `prefix`."""
        return f"{prefix}_{uuid.uuid4().hex}"
