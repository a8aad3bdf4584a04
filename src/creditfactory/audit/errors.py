"""The audit context's errors.

```
DomainError
└── AuditError
    ├── NonCanonicalPayload     a payload holds a value canonical JSON refuses (float, NaN, bytes, …)
    ├── BadAuditEntry           an entry field breaks its rule (naive time, empty actor, bad digest)
    ├── EntryNotInLog           a sequence asked for is not (yet) in the log
    ├── BadTreeHead             a signed tree head or bundle document is malformed
    └── SigningKeyUnavailable   no signing key and this environment may not generate one
```
Bad proofs are not errors: the verifiers in `merkle` return False, and `verify` collects findings.
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = [
    "AuditError",
    "BadAuditEntry",
    "BadTreeHead",
    "EntryNotInLog",
    "NonCanonicalPayload",
    "SigningKeyUnavailable",
]


class AuditError(DomainError):
    """Root of the audit context's errors."""


class NonCanonicalPayload(AuditError):
    """A payload value has no canonical JSON form (float, NaN, bytes, a non-string key, …)."""


class BadAuditEntry(AuditError):
    """An audit entry field breaks its rule; the message names the field."""


class EntryNotInLog(AuditError):
    """The sequence asked for is outside the log (0 ≤ sequence < tree size)."""


class BadTreeHead(AuditError):
    """A signed tree head, proof or bundle document is malformed (missing field, bad hex, …)."""


class SigningKeyUnavailable(AuditError):
    """No tree-head signing key, and generating one is refused here (production)."""
