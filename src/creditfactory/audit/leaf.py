"""Audit leaves: what one state change looks like in the log, as canonical JSON bytes.

An `AuditEntry` is what a caller records (actor, action, subject, payload, time, optional digest
of the previous business state). Appending gives it a `sequence` (its 0-based leaf index) and
makes an `AuditRecord`, whose `leaf_data()` is the Merkle leaf:

    {"action":…,"actor":…,"payload_digest":<sha256 hex of canonical payload>,
     "prev_state_digest":<hex or null>,"sequence":<int>,"subject":…,"time":"YYYY-MM-DDTHH:MM:SS.ffffffZ"}

Canonical JSON: keys sorted (by code point), separators "," and ":", no whitespace, UTF-8 with
non-ASCII kept (ensure_ascii=False), and only str / int / bool / None / lists / string-keyed
objects — floats are refused (no money as float, and float text is not canonical).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from creditfactory.audit.errors import BadAuditEntry, NonCanonicalPayload

__all__ = [
    "AuditEntry",
    "AuditRecord",
    "canonical_json",
    "format_time",
    "parse_time",
    "sha256_hex",
]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_DEPTH = 64


def _check(value: Any, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise NonCanonicalPayload(f"payload nests deeper than {_MAX_DEPTH}")
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NonCanonicalPayload(f"payload key {key!r} is not a string")
            _check(item, depth + 1)
        return
    raise NonCanonicalPayload(
        f"payload value of type {type(value).__name__} has no canonical JSON form "
        "(pass amounts as decimal strings or minor units, times as ISO text)"
    )


def canonical_json(value: Any) -> str:
    """Canonical JSON text of `value` (see module docstring); raises NonCanonicalPayload."""
    _check(value)
    text = _dumps(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates have no UTF-8 form
        raise NonCanonicalPayload("payload text is not valid Unicode") from exc
    return text


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex characters."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def format_time(at: datetime) -> str:
    """A tz-aware time as UTC ISO-8601 with microseconds and "Z": 2026-01-31T08:00:00.000000Z."""
    if at.tzinfo is None:
        raise BadAuditEntry("time: must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Inverse of `format_time`; raises BadAuditEntry on any other shape."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise BadAuditEntry(f"time: {text!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ") from exc


def _require_text(name: str, value: str, max_len: int) -> None:
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise BadAuditEntry(f"{name}: must be non-empty text of at most {max_len} characters")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One state change to record.

    Attributes:
        actor: who did it (user id, "system:eod", channel id); ≤ 200 characters.
        action: what happened, dotted past tense ("ledger.entry_posted"); ≤ 100 characters.
        subject: what it happened to (loan id, journal entry id, …); ≤ 200 characters.
        payload: JSON-able evidence (the record, or the data pulled); digested into the leaf.
        recorded_at: tz-aware time of the change (from the caller's Clock).
        prev_state_digest: sha256 hex of the business state before the change, where relevant.
    Raises:
        BadAuditEntry, NonCanonicalPayload: on construction.
    """

    actor: str
    action: str
    subject: str
    payload: Mapping[str, Any]
    recorded_at: datetime
    prev_state_digest: str | None = None
    payload_json: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_text("actor", self.actor, 200)
        _require_text("action", self.action, 100)
        _require_text("subject", self.subject, 200)
        format_time(self.recorded_at)
        if self.prev_state_digest is not None and not _HEX64.fullmatch(self.prev_state_digest):
            raise BadAuditEntry("prev_state_digest: must be 64 lowercase hex characters")
        if not isinstance(self.payload, Mapping):
            raise NonCanonicalPayload("payload: must be a JSON object")
        object.__setattr__(self, "payload_json", canonical_json(self.payload))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An entry as stored: its sequence (0-based leaf index) and the canonical payload text.

    `payload_digest` is what the leaf commits to; `payload_json` is kept beside it so that
    verification can recompute the digest (and row digesters can compare business rows).
    """

    sequence: int
    recorded_at: datetime
    actor: str
    action: str
    subject: str
    payload_json: str
    payload_digest: str
    prev_state_digest: str | None = None

    @classmethod
    def from_entry(cls, sequence: int, entry: AuditEntry) -> AuditRecord:
        """The record `entry` becomes at `sequence`."""
        return cls(
            sequence=sequence,
            recorded_at=entry.recorded_at.astimezone(UTC),
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            payload_json=entry.payload_json,
            payload_digest=sha256_hex(entry.payload_json),
            prev_state_digest=entry.prev_state_digest,
        )

    def leaf_object(self) -> dict[str, Any]:
        """The leaf as a JSON object (before canonical encoding)."""
        return {
            "action": self.action,
            "actor": self.actor,
            "payload_digest": self.payload_digest,
            "prev_state_digest": self.prev_state_digest,
            "sequence": self.sequence,
            "subject": self.subject,
            "time": format_time(self.recorded_at),
        }

    def leaf_data(self) -> bytes:
        """The Merkle leaf data d: canonical JSON of `leaf_object()`, UTF-8 encoded."""
        # fields were checked when the entry was made; skip the payload walk on this hot path
        return _dumps(self.leaf_object()).encode("utf-8")
