"""Live stability's reference is what the served path can produce (finding 5 of the session-5
new-user pass): 37 % of the SBA development rows record RevLineCr "unrecorded", a "no answer"
intake refuses, and the served path books term loans only (RevLineCr N), so against the trained
counts every live population read RevLineCr CSI ≈ 5 — "act" every night. Those categories are left
out of the reference, the rest renormalised, and the output says what was left out. The served
spec no longer scores RevLineCr (the revolving lines left the development population): the
rule is checked on it plus the 2026-12-07 spec's RevLineCr (tests/sba_applicants)."""

from __future__ import annotations

import numpy
from tests.sba_applicants import with_revolving_line
from tests.stability_samples import current_spec, drifted, undrifted, with_reference

from creditfactory.origination.served_values import never_served
from creditfactory.scoring.runtime import score
from creditfactory.scoring.stability import (
    MIN_DECISIONS,
    StabilityStatus,
    csi_against_development,
    stability_against_development,
)

SPEC = with_reference(with_revolving_line(current_spec()), numpy.random.default_rng(5))
REVLINE = next(c for c in SPEC.characteristics if c.feature == "RevLineCr")


def test_never_served_names_the_refused_no_answer_and_the_revolving_line() -> None:
    assert never_served(SPEC)["RevLineCr"] == {"unrecorded", "y"}  # category_key: casefolded
    assert "Express" not in never_served(SPEC)  # SBAExpress and 7(a) are both requested


def test_defect_05_a_population_drawn_as_intake_accepts_is_stable() -> None:
    rows = undrifted(SPEC, MIN_DECISIONS + 200, numpy.random.default_rng(9))
    scores = [score(SPEC, r).score for r in rows]
    check = stability_against_development(SPEC, scores, rows, left_out=never_served(SPEC))
    assert check.status is StabilityStatus.STABLE, [
        (c.name, c.value) for c in check.characteristics
    ]
    # all "N" against the trained unrecorded / N / Y counts (304 / 251 / 364 in the 2026-12-07
    # spec): (1 − 251/919)·ln(1/(251/919)) + the two emptied bins ≈ 5 — the nightly "act"
    whole = csi_against_development(REVLINE, (r["RevLineCr"] for r in rows))
    assert whole is not None and whole.value > 1
    assert stability_against_development(SPEC, scores, rows).status is StabilityStatus.ACT  # before
    (note,) = check.reference
    assert (note.name, set(note.left_out)) == ("RevLineCr", {"unrecorded", "Y"})
    unrecorded_and_y = sum(b.count for b in REVLINE.bins if b.label in ("unrecorded", "Y"))
    assert (note.rows_left_out, note.rows) == (unrecorded_and_y, sum(b.count for b in REVLINE.bins))


def test_defect_05_a_drifted_population_still_acts() -> None:
    rows = drifted(SPEC, MIN_DECISIONS)
    scores = [score(SPEC, r).score for r in rows]
    check = stability_against_development(SPEC, scores, rows, left_out=never_served(SPEC))
    assert check.status is StabilityStatus.ACT


def test_the_notes_are_recorded_when_decisions_are_too_few() -> None:
    check = stability_against_development(SPEC, [], [], left_out=never_served(SPEC))
    assert check.status is StabilityStatus.INSUFFICIENT
    assert [n.name for n in check.reference] == ["RevLineCr"]
