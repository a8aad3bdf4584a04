"""Failed-login throttling: a growing delay per account (username) and per client address.

Each scope keeps its consecutive failures and the time of the last one. The first `free_*`
failures cost nothing; after that no attempt is checked (the password is not even looked at)
until `last failure + delay`, the delay doubling from `first_delay` with each further failure up
to a cap. A success clears the account's count; a scope whose last failure is older than
`forget_after` starts again from zero.

Why a growing delay and not a lock (OWASP Authentication Cheat Sheet, "Account Lockout" — a
lockout lets anyone who knows a username deny the officer service): the account's delay is capped
at `max_delay_officer` (60 s), so a stranger aiming failures at a victim's username slows the
victim by at most a minute, never locks them out; guessing still costs every attacker a minute
per try once the free failures are spent. The address scope is what stops one address from
guessing many accounts; it is capped at the same 60 s (attack13 finding 4: capped at 15 min,
25 failures with random usernames kept every officer behind one address — a NAT, or a reverse
proxy not listed in CREDITFACTORY_TRUSTED_PROXIES — out for up to 15 min). At 60 s one address
still gets only one checked guess a minute across all accounts (~1,440 a day, against per-account
delays and argon2id hashes), while a stranger aiming it at the officers behind that address
delays their sign-in by a minute at most. Callers must check and record atomically (a
count-then-insert race let 34 of 60 concurrent guesses through, issue 13 defect 5): the storage
adapter locks the scope rows for the whole attempt. Pure: state comes from storage, `now` from a
Clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from creditfactory.access.errors import LoginThrottled

__all__ = ["LoginThrottle", "ScopeState"]

ScopeState = tuple[int, datetime | None]
"""(consecutive failures, time of the last failure) of one scope."""


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Free failures and delay caps per scope ("officer", "address")."""

    free_per_officer: int = 5
    free_per_address: int = 20
    first_delay: timedelta = timedelta(seconds=1)
    max_delay_officer: timedelta = timedelta(seconds=60)
    max_delay_address: timedelta = timedelta(seconds=60)
    forget_after: timedelta = timedelta(minutes=15)

    def delay(self, scope: str, failures: int) -> timedelta:
        """The wait after `failures` consecutive failures: 0 while free, then first_delay ×
        2^(failures − free), capped for the scope."""
        free = self.free_per_officer if scope == "officer" else self.free_per_address
        cap = self.max_delay_officer if scope == "officer" else self.max_delay_address
        if failures < free:
            return timedelta(0)
        exponent = min(failures - free, 32)  # 2^32 s is past any cap
        grown: timedelta = self.first_delay * (2**exponent)
        return min(grown, cap)

    def current(self, state: ScopeState, now: datetime) -> int:
        """The failures that still count at `now` (0 once `forget_after` has passed)."""
        failures, last = state
        return 0 if last is None or now - last >= self.forget_after else failures

    def check(self, states: Mapping[str, ScopeState], now: datetime) -> None:
        """raises LoginThrottled("<scope>: …", retry_after_s) when a scope is still waiting."""
        for scope, state in sorted(states.items()):
            failures, last = self.current(state, now), state[1]
            if last is None or failures == 0:
                continue
            # a failure stamped ahead of this clock (another worker's clock, a test clock, a
            # hand-edited row) waits from now, so no wait ever exceeds the scope's cap
            last = min(last, now)
            frees_at = last + self.delay(scope, failures)
            if now < frees_at:
                wait = max(1, math.ceil((frees_at - now).total_seconds()))
                raise LoginThrottled(
                    f"{scope}: {failures} failed logins in a row; retry in {wait} s", wait
                )
