"""The amounts `decide` approves at one term on the facts known so far: what 在线测额 quotes.

The limit estimate and the application share one function, `decide`, so the estimate accounts
for everything the decision checks — knock-outs and referrals on the known facts (the PD
cut-offs among them), limit sizing (score cap, working-capital need, product max, 普惠 cap,
concentration, minimum), and the price (RAROC within the product cap, the all-in ceiling):

    top    = decide(inputs asking for `ceiling`)        not approved → no range, its reasons
    high   = top's sized limit                          (≤ ceiling, rounded down to the step)
    low    = max(high × range_floor rounded down, policy minimum)
    bottom = decide(inputs asking for `low`)            not approved → the range is [high, high]

Every amount in [low, high] is then approved at that term on the same facts and date: the caps
other than the request are the same, the sized limit stays ≥ the minimum, and the price per
unit of EAD is monotone in EAD for every pricing method here (relationship credit per unit
falls with EAD, standardised risk weights step up with it), so both ends priced within bounds
bound every amount between. tests/integration/test_estimate_agreement.py checks it on
generated applicants. Rates are the decision's own: `rates` gives the lowest and highest.
Pure; raises what `decide` raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from creditfactory.decisioning.decision import Decision, DecisionInputs, Outcome, decide
from creditfactory.decisioning.limits import floor_to_step
from creditfactory.decisioning.policy import DecisionPolicy
from creditfactory.kernel.money import Money

__all__ = ["ApprovableRange", "approvable_range"]


@dataclass(frozen=True, slots=True)
class ApprovableRange:
    """Approved amounts [low, high] (CNY) at the inputs' term, or none.

    at_high: the decision asking for the ceiling (its reasons say why when there is no range).
    at_low: the decision at `low`, None when there is no range. binding / caps: the sizing of
    `at_high` ("requested" is the ceiling the caller passed).
    """

    low: Money
    high: Money
    at_high: Decision
    at_low: Decision | None

    @property
    def has_range(self) -> bool:
        """True when some amount is approved."""
        return self.at_low is not None

    @property
    def binding(self) -> str:
        """The cap that set `high`."""
        return self.at_high.sizing.binding

    @property
    def caps(self) -> Mapping[str, Money]:
        """Every cap the sizing applied, by name."""
        return self.at_high.sizing.caps

    @property
    def rates(self) -> tuple[str, str] | None:
        """(lowest, highest) offered annual rate over the range, decimal text; None without one."""
        if self.at_low is None:
            return None
        found = [Decimal(str(d.record.annual_rate)) for d in (self.at_low, self.at_high)]
        return str(min(found)), str(max(found))


def _asking(inputs: DecisionInputs, amount: Money) -> DecisionInputs:
    return replace(inputs, limit=replace(inputs.limit, requested=amount))


def approvable_range(
    inputs: DecisionInputs, policy: DecisionPolicy, ceiling: Money, range_floor: Decimal
) -> ApprovableRange:
    """The approved range below `ceiling` (module docstring). range_floor: low ÷ high, in (0, 1].

    `inputs.limit.requested` is ignored (each call asks for its own amount).
    """
    top = decide(_asking(inputs, ceiling), policy)
    zero = Money.zero(ceiling.currency)
    if top.outcome is not Outcome.APPROVE:
        return ApprovableRange(zero, zero, top, None)
    high = top.record.limit
    low = max(floor_to_step(high * range_floor, policy.limits.rounding_step), policy.limits.minimum)
    bottom = decide(_asking(inputs, low), policy)
    if bottom.outcome is not Outcome.APPROVE:
        return ApprovableRange(high, high, top, top)
    return ApprovableRange(low, high, top, bottom)
