"""access context: who may do what — roles and permissions as versioned data, maker-checker
(four eyes) rules, failed-login throttling. Pure: kernel only; storage and HTTP live in adapters.

Modules:
- `policy`: `AccessPolicy` (role → permissions, route → permission) from
  `policies/access-<version>.json`; `DEFAULT_ACCESS`.
- `maker_checker`: `ApprovalItem`, `ApprovalKind`, `request` / `approve` / `reject` /
  `authorise_execution` / `executed`.
- `throttle`: `LoginThrottle` (per officer and per address sliding window).
- `errors`: the context's error tree.
"""

from creditfactory.access.errors import (
    AccessError,
    AccessPolicyInvalid,
    ItemNotPending,
    LoginThrottled,
    MakerCheckerViolation,
    PermissionDenied,
    SubjectBusy,
)
from creditfactory.access.maker_checker import (
    ApprovalItem,
    ApprovalKind,
    ApprovalStatus,
    approve,
    authorise_execution,
    executed,
    reject,
    request,
)
from creditfactory.access.policy import (
    DEFAULT_ACCESS,
    PUBLIC,
    ROLES,
    AccessPolicy,
    load_access_policy,
)
from creditfactory.access.throttle import LoginThrottle

__all__ = [
    "DEFAULT_ACCESS",
    "PUBLIC",
    "ROLES",
    "AccessError",
    "AccessPolicy",
    "AccessPolicyInvalid",
    "ApprovalItem",
    "ApprovalKind",
    "ApprovalStatus",
    "ItemNotPending",
    "LoginThrottle",
    "LoginThrottled",
    "MakerCheckerViolation",
    "PermissionDenied",
    "SubjectBusy",
    "approve",
    "authorise_execution",
    "executed",
    "load_access_policy",
    "reject",
    "request",
]
