"""Warning levels per borrower and per loan, with the signals that contributed.

A `SignalHit` is one observation on `observed_on`. Its points on `as_of` are
`weight × 0.5 ** (age_days / half_life_days)` (EVENT mode) — so scores can be carried forward
incrementally: a stored score decays by the same factor as every hit in it. STATE hits (DPD) count
their full weight and are live only on the day they are observed. Hits dated after `as_of` are
ignored (no look-ahead). The score is a float: it is a risk index, not an amount.

Per loan: the borrower-wide hits (loan_id None) plus that loan's own hits. Per borrower: all of
its hits. Level = RuleBook.level(score, severities of live hits).

END rules (`SignalRule.ends`): a hit of an END kind on day R removes every hit of the kinds it ends
observed on or before R (for the same borrower, any loan); END hits themselves score nothing and
are not contributors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from creditfactory.monitoring.rules import RuleBook, SignalMode, WarningLevel
from creditfactory.servicing.classification import LoanGrade

__all__ = [
    "Contribution",
    "SignalHit",
    "WarningAssessment",
    "assess",
    "assess_book",
    "decay_factor",
    "points",
]


@dataclass(frozen=True)
class SignalHit:
    """One signal observation: borrower, optional loan, kind, date and the evidence key
    (`source_id`: the event id, transaction id or loan id that caused it)."""

    borrower_id: str
    kind: str
    observed_on: date
    source_id: str
    loan_id: str | None = None


@dataclass(frozen=True)
class Contribution:
    """What one signal kind adds to an assessment: points on the day, hits, latest hit."""

    kind: str
    points: float
    hits: int
    last_on: date
    live: bool


@dataclass(frozen=True)
class WarningAssessment:
    """A borrower's or a loan's level on `as_of`, its score, the contributors (largest first) and
    the five-category floor the warning imposes."""

    subject_id: str
    as_of: date
    level: WarningLevel
    score: float
    contributors: tuple[Contribution, ...]
    grade_floor: LoanGrade


def decay_factor(age_days: int, half_life_days: int) -> float:
    """0.5 ** (age / half-life); 1.0 for age ≤ 0."""
    return 1.0 if age_days <= 0 else 0.5 ** (age_days / half_life_days)


def points(hit: SignalHit, as_of: date, book: RuleBook) -> float:
    """Points of one hit on `as_of` (0 when it is in the future or a STATE hit of another day)."""
    rule = book.rule(hit.kind)
    age = (as_of - hit.observed_on).days
    if age < 0:
        return 0.0
    if rule.mode is SignalMode.STATE:
        return float(rule.weight) if age == 0 else 0.0
    return rule.weight * decay_factor(age, rule.half_life_days)


def _live(kind: str, last_on: date, as_of: date, book: RuleBook) -> bool:
    rule = book.rule(kind)
    age = (as_of - last_on).days
    if rule.mode is SignalMode.STATE:
        return age == 0
    return 0 <= age < rule.half_life_days


def _not_ended(hits: list[SignalHit], book: RuleBook) -> list[SignalHit]:
    """Drop hits cancelled by a later (or same-day) END hit of the same borrower."""
    ended_on: dict[tuple[str, str], date] = {}
    for h in hits:
        for kind in book.rule(h.kind).ends:
            key = (h.borrower_id, kind)
            ended_on[key] = max(ended_on.get(key, h.observed_on), h.observed_on)
    if not ended_on:
        return hits
    return [
        h
        for h in hits
        if (end := ended_on.get((h.borrower_id, h.kind))) is None or h.observed_on > end
    ]


def assess(
    subject_id: str, hits: Iterable[SignalHit], as_of: date, book: RuleBook
) -> WarningAssessment:
    """Score and level of `subject_id` from `hits` (already selected for that subject)."""
    by_kind: dict[str, list[SignalHit]] = defaultdict(list)
    for hit in _not_ended([h for h in hits if h.observed_on <= as_of], book):
        if not book.rule(hit.kind).ends:
            by_kind[hit.kind].append(hit)
    contributions = []
    for kind, group in by_kind.items():
        last_on = max(h.observed_on for h in group)
        total = sum(points(h, as_of, book) for h in group)
        contributions.append(
            Contribution(kind, total, len(group), last_on, _live(kind, last_on, as_of, book))
        )
    contributions.sort(key=lambda c: (-c.points, c.kind))
    score = sum(c.points for c in contributions)
    live = [book.rule(c.kind).severity for c in contributions if c.live]
    level = book.level(score, live)
    floor = book.grade_floor(level)
    for c in contributions:
        rule_floor = book.rule(c.kind).grade_floor
        if c.live and rule_floor is not None:
            floor = floor.worst(rule_floor)
    return WarningAssessment(subject_id, as_of, level, score, tuple(contributions), floor)


def assess_book(
    hits: Iterable[SignalHit], as_of: date, book: RuleBook, loans: dict[str, str]
) -> tuple[dict[str, WarningAssessment], dict[str, WarningAssessment]]:
    """Assess every borrower and every loan. `loans` maps loan_id → borrower_id (loans without
    hits are assessed too, as green). Returns (by borrower, by loan)."""
    per_borrower: dict[str, list[SignalHit]] = defaultdict(list)
    for hit in hits:
        per_borrower[hit.borrower_id].append(hit)
    for borrower_id in loans.values():
        per_borrower.setdefault(borrower_id, [])
    for borrower_id, group in per_borrower.items():  # an END ends the kind for every loan
        per_borrower[borrower_id] = _not_ended([h for h in group if h.observed_on <= as_of], book)
    borrowers = {b: assess(b, hs, as_of, book) for b, hs in per_borrower.items()}
    by_loan = {
        loan_id: assess(
            loan_id,
            [h for h in per_borrower[b] if h.loan_id in (None, loan_id)],
            as_of,
            book,
        )
        for loan_id, b in loans.items()
    }
    return borrowers, by_loan
