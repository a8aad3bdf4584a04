"""The access context's errors.

```
DomainError
└── AccessError
    ├── AccessPolicyInvalid     the roles/permissions document breaks its schema
    ├── PermissionDenied        the caller's role lacks the permission (HTTP 403)
    ├── MakerCheckerViolation   the checker is the maker, or the checked action has no
    │                           approved item (HTTP 403)
    ├── SubjectBusy             the subject already has an open item (HTTP 409)
    ├── ItemNotPending          the item was decided or executed already (HTTP 409)
    └── LoginThrottled          too many failed logins for the officer or the address (HTTP 429)
```
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = [
    "AccessError",
    "AccessPolicyInvalid",
    "ItemNotPending",
    "LoginThrottled",
    "MakerCheckerViolation",
    "PermissionDenied",
    "SubjectBusy",
]


class AccessError(DomainError):
    """Root of the access context's errors; messages read "<field>: <rule>"."""


class AccessPolicyInvalid(AccessError):
    """The access document is malformed (unknown role, permission or route entry)."""


class PermissionDenied(AccessError):
    """The role does not hold the permission."""


class MakerCheckerViolation(AccessError):
    """Four-eyes rule broken: self-check, or an action without an approved item."""


class SubjectBusy(AccessError):
    """One open (pending or approved, not executed) item per subject at a time."""


class ItemNotPending(AccessError):
    """The item is not in the state the step needs."""


class LoginThrottled(AccessError):
    """Failed logins over the limit; `retry_after_s` says when to try again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
