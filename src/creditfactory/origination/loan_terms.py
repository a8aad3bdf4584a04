"""The loan's own characteristics, from the request — never from the applicant's declarations (pure).

A scorecard may score the loan asked for as well as the applicant: the SBA scorecards score the
amount (GrAppv), the SBA-guaranteed amount (SBA_Appv) and share (Portion), the programme
(Express: SBAExpress or not) and whether the loan is a revolving line (RevLineCr). None of them is a fact the applicant knows better than the
lender: the amount and the product are in the request, and the guaranteed share is set by the
programme's rule for that amount. `request_features` computes them; a declared value of one of
them is not scored (the decision records it beside the computed one: `from_request`).

Programme rules (`guarantee_share`, by `scoring.sba_programme`), U.S. SBA, for the programmes the
request may name:

- ``sba_7a`` (standard 7(a)): 85 % of a loan up to US$150,000, 75 % above — 15 U.S.C.
  § 636(a)(2)(A); SBA SOP 50 10. (The 90 % of 2009–2010 was temporary: American Recovery and
  Reinvestment Act of 2009 § 502; shares of 90 % and 100 % in the SBA case data are not a
  current programme's.)
- ``sba_express`` (SBAExpress): 50 % — 15 U.S.C. § 636(a)(31); SBA SOP 50 10.

`programme` None is the standard programme and `revolving_line` None a term loan: the product the
platform books (`servicing.products.SME_TERM_LOAN`). It books term loans only, so a request for a
revolving line is refused (`term_loan_only`, 422 naming ``revolving_line``) and advice never
proposes one (`asking_for`): scoring a product that is not booked would approve one loan and book
another. Amounts pass as the request's amount
(the SBA backtest sends US dollars through the CNY engine one-for-one; docs/credit-factory.md).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_CEILING, Decimal
from typing import Any, Final

from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.scoring import ScorecardSpec
from creditfactory.scoring.sba_programme import SMALL_LOAN_LIMIT
from creditfactory.scoring.sba_programme import guarantee_share as programme_share

__all__ = [
    "MONEY_FACTS",
    "PROGRAMMES",
    "REQUEST_FACTS",
    "amount_segments",
    "asking_for",
    "guarantee_share",
    "loan_asked",
    "request_categories",
    "request_features",
    "term_loan_only",
]

SBA_7A, SBA_EXPRESS = "sba_7a", "sba_express"
PROGRAMMES: Final = (SBA_7A, SBA_EXPRESS)

REQUEST_FACTS: Final = frozenset({"GrAppv", "SBA_Appv", "Portion", "Express", "RevLineCr"})
"""Characteristics computed from the request (module docstring), by the SBA scorecard's names."""

MONEY_FACTS: Final = frozenset({"GrAppv", "SBA_Appv"})
"""The amounts among `REQUEST_FACTS` (in the model's data currency: the request's amount
one-for-one, module docstring)."""


def guarantee_share(programme: str | None, amount: Money) -> Decimal:
    """The SBA-guaranteed share of a loan of `amount` under `programme` (module docstring; the
    rule is `scoring.sba_programme`, the one training recomputes SBA_Appv with). raises
    ValueError for an unknown programme or a non-positive amount."""
    if programme not in (None, *PROGRAMMES):
        raise ValueError(f"unknown programme {programme!r}: one of {', '.join(PROGRAMMES)}")
    return programme_share(amount.amount, express=programme == SBA_EXPRESS)


def term_loan_only(revolving_line: bool | None) -> None:
    """Refuse a revolving line (module docstring): raises ValidationError naming
    ``revolving_line``; a term loan (False / None) passes."""
    if revolving_line:
        raise ValidationError(
            "revolving_line", "revolving lines are not offered: the product booked is a term loan"
        )


def request_features(
    features: Collection[str], amount: Money, programme: str | None, revolving_line: bool | None
) -> dict[str, float | str]:
    """The characteristics among `features` that the request sets: GrAppv = amount, Portion =
    the programme's share for it, SBA_Appv = amount × share, Express Y under SBAExpress else N,
    RevLineCr Y for a revolving line else N. Numbers as floats (the scorecard's)."""
    share = guarantee_share(programme, amount)
    values: dict[str, float | str] = {
        "GrAppv": float(amount.amount),
        "SBA_Appv": float(amount.amount * share),
        "Portion": float(share),
        "Express": "Y" if programme == SBA_EXPRESS else "N",
        "RevLineCr": "Y" if revolving_line else "N",
    }
    return {name: value for name, value in values.items() if name in features}


PROGRAMME_FACTS: Final = frozenset({"SBA_Appv", "Portion", "Express"})
"""The characteristics the programme sets (the rest of `REQUEST_FACTS`: the amount, the product)."""


def loan_asked(
    features: Collection[str], amount: Money, programme: str | None
) -> dict[str, Any] | None:
    """What a decision scored about the loan itself, for its record and its offer: the
    ``programme`` (None asked → ``sba_7a``), its ``guarantee_share`` and ``guaranteed_amount`` on
    the requested ``amount`` (decimal text; what was scored — an offer of less keeps them),
    ``revolving_line`` False (term loans only) and ``guarantee_booked`` False —
    the platform records the programme but books no guarantee (no guarantor, no claim in the
    ledger; the lender carries the loss). None when the spec scores no programme characteristic
    (`PROGRAMME_FACTS`). raises ValueError for an unknown programme."""
    if not PROGRAMME_FACTS.intersection(features):
        return None
    share = guarantee_share(programme, amount)
    return {"programme": programme or SBA_7A, "amount": str(amount.amount),
            "guarantee_share": str(share),
            "guaranteed_amount": str((amount * share).rounded().amount),
            "revolving_line": False, "guarantee_booked": False}  # fmt: skip


def request_categories(features: Collection[str]) -> dict[str, frozenset[str]]:
    """The values the request can give each categorical characteristic among `features`, over
    every programme and the one product booked (a term loan): Express Y / N, RevLineCr N."""
    given: dict[str, set[str]] = {}
    for programme in PROGRAMMES:
        asked = request_features(features, Money.of(1), programme, revolving_line=False)
        for name, value in asked.items():
            if isinstance(value, str):
                given.setdefault(name, set()).add(value)
    return {name: frozenset(values) for name, values in given.items()}


CENT: Final = Decimal("0.01")


def _edges(spec: ScorecardSpec, feature: str) -> set[Decimal]:
    return {
        Decimal(str(edge))
        for ch in spec.characteristics
        if ch.feature == feature
        for b in ch.bins
        for edge in (b.lower, b.upper)
        if edge is not None
    }


def amount_segments(
    spec: ScorecardSpec, programme: str | None, floor: Money, ceiling: Money
) -> list[tuple[Money, Money]]:
    """The amounts in [floor, ceiling] cut where a characteristic the request sets may change
    bin (GrAppv's bin edges; SBA_Appv's divided by each share; the 7(a) share's step above
    US$150,000): within one [low, high] every amount scores the same (a bin holds
    lower ≤ x < upper). One segment when the spec scores neither amount. Ascending."""
    shares = {guarantee_share(programme, floor), guarantee_share(programme, ceiling)}
    cuts = _edges(spec, "GrAppv") | {
        e / s
        for e in _edges(spec, "SBA_Appv")
        for s in shares
        if guarantee_share(programme, Money.of((e / s).quantize(CENT, ROUND_CEILING))) == s
    }  # an edge divided by a share the amount it gives does not have is no cut
    if "Portion" in spec.features or "SBA_Appv" in spec.features:
        cuts.add(SMALL_LOAN_LIMIT + CENT)  # the share steps down above it
    inside = sorted(c.quantize(CENT, ROUND_CEILING) for c in cuts)
    starts = [floor.amount, *(c for c in inside if floor.amount < c <= ceiling.amount)]
    ends = [c - CENT for c in starts[1:]] + [ceiling.amount]
    return [(Money.of(lo), Money.of(hi)) for lo, hi in zip(starts, ends, strict=True)]


def asking_for(
    feature: str, value: object, programme: str | None, revolving_line: bool | None
) -> tuple[str | None, bool | None] | None:
    """The (programme, revolving_line) to ask for so that `feature` takes `value` — another
    product (RevLineCr Y / N: a revolving line or a term loan; Express Y / N: SBAExpress or
    standard 7(a)) — or None when only the amount
    sets it (GrAppv, SBA_Appv, Portion: the amount is the estimate's range, not advice) or when
    the product is not offered (RevLineCr Y: a revolving line, `term_loan_only`)."""
    if feature == "RevLineCr" and value == "N":
        return programme, False
    if feature == "Express" and value in ("Y", "N"):
        return (SBA_EXPRESS if value == "Y" else SBA_7A), revolving_line
    return None
