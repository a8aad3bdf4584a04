"""File-backed tax-grade, registry, court-list and bureau sources (one JSON document).

Document shape (see `codec` for each record's fields)::

    {"tax_grade": {"<subject_id>": {...}}, "registry": {...}, "courts": {...}, "bureau": {...}}

A subject absent from a section is "unknown" (None, or a clean court record). A malformed
record raises `SourceUnavailable(source, "malformed record: …")`, as the HTTP adapter does, so
tests and demos exercise the same failure path. For tests and demos only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from creditfactory.adapters.gateways.codec import (
    MalformedRecord,
    bureau_from_json,
    courts_from_json,
    registry_from_json,
    tax_grade_from_json,
)
from creditfactory.origination.errors import SourceUnavailable
from creditfactory.origination.ports import (
    BureauReport,
    CourtRecord,
    RegistryRecord,
    TaxGradeRecord,
)

__all__ = ["FileRecordSource"]

R = TypeVar("R")


class FileRecordSource:
    """Implements TaxGradeSource, RegistrySource, CourtListSource and BureauSource from a dict."""

    def __init__(self, document: Mapping[str, Mapping[str, Any]]) -> None:
        self._doc = document

    @classmethod
    def from_path(cls, path: Path) -> FileRecordSource:
        """Load the JSON document at `path` (UTF-8)."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _record(self, section: str, subject_id: str, parse: Callable[[str, Any], R]) -> R | None:
        raw = self._doc.get(section, {}).get(subject_id)
        if raw is None:
            return None
        try:
            return parse(subject_id, raw)
        except MalformedRecord as exc:
            raise SourceUnavailable(section, f"malformed record: {exc}") from exc

    def tax_grade(self, subject_id: str) -> TaxGradeRecord | None:
        """The grade in section "tax_grade", or None."""
        return self._record("tax_grade", subject_id, tax_grade_from_json)

    def registry_record(self, subject_id: str) -> RegistryRecord | None:
        """The record in section "registry", or None."""
        return self._record("registry", subject_id, registry_from_json)

    def court_record(self, subject_id: str) -> CourtRecord:
        """The record in section "courts", or a clean record when absent."""
        found = self._record("courts", subject_id, courts_from_json)
        return found or CourtRecord(subject_id, False, 0, False)

    def bureau_report(self, subject_id: str) -> BureauReport | None:
        """The report in section "bureau", or None (thin file)."""
        return self._record("bureau", subject_id, bureau_from_json)
