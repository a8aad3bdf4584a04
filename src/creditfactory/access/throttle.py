"""Failed-login throttling: a sliding window per officer (username) and per client address.

`LoginThrottle.check(failures_by_scope, now)` raises LoginThrottled when any scope has at least
its limit of failures inside the window; `retry_after_s` is when the oldest counted failure
leaves it. Defaults follow OWASP's authentication guidance (lock an account after a handful of
failures, throttle an address at a higher count so one attacker cannot lock every account
without being slowed). Pure: the failure times come from storage, `now` from a Clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from creditfactory.access.errors import LoginThrottled

__all__ = ["LoginThrottle"]


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Limits per scope ("officer", "address") within `window`."""

    window: timedelta = timedelta(minutes=15)
    per_officer: int = 5
    per_address: int = 20

    def limit(self, scope: str) -> int:
        """The failure limit of a scope."""
        return self.per_officer if scope == "officer" else self.per_address

    def since(self, now: datetime) -> datetime:
        """Failures at or after this time count."""
        return now - self.window

    def check(self, failures: Mapping[str, Sequence[datetime]], now: datetime) -> None:
        """raises LoginThrottled("<scope>: …", retry_after_s) when a scope is over its limit."""
        for scope, times in sorted(failures.items()):
            recent = sorted(t for t in times if t >= self.since(now))
            limit = self.limit(scope)
            if len(recent) >= limit:
                frees_at = recent[len(recent) - limit] + self.window
                wait = max(1, math.ceil((frees_at - now).total_seconds()))
                raise LoginThrottled(
                    f"{scope}: {len(recent)} failed logins in {self.window}; retry later", wait
                )
