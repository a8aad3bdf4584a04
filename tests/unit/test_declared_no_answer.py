"""Issue 12, "It can be gamed": a category that means "no answer" in the training data (SBA
RevLineCr ``unrecorded``, the data's stray codes 0 / T — 37 % of loans) scored +7 against −16 for
"N", and intake accepted it, so answering "unrecorded" instead of "N" gained 23 points. Now a "no
answer" (null, or a category the dataset adapter declares as one) is accepted only when it scores
no more than the worst real answer, else refused naming the allowed answers
(origination.declared). Expected values: the served spec's bins (tests/e2e/sba_spec.json) and the
SBA 7(a) form's Y / N answers.

The served spec no longer scores RevLineCr (the revolving lines left the development population,
issue #12): the rule is checked on the served spec plus the RevLineCr characteristic of the spec
served on 2026-12-07 (its bins and points as they were: "unrecorded" +3, "N" −13, "Y" +11,
Missing +1), so the mechanism stays tested for any field an adapter declares "no answer" for
(LowDoc's "unrecorded" among them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sba_applicants import BAD, GOOD, with_revolving_line

from creditfactory.origination import InvalidField
from creditfactory.origination.declared import check_declared, declared_schema
from creditfactory.scoring import score
from creditfactory.scoring.runtime import find_bin, gaining_no_answers, real_answer_bins
from creditfactory.scoring.spec import Characteristic, ScorecardSpec, load_spec
from creditfactory.scoring.training.datasets import SBA_NO_ANSWER

SERVED_SBA = load_spec(
    (Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8")
)
SBA = with_revolving_line(SERVED_SBA)
GOOD = {**GOOD, "RevLineCr": "N"}
BAD = {**BAD, "RevLineCr": "N"}
SERVED = {"sba": SBA}  # the CUMCM adapter declares no "no answer" (all fields are numbers)
AS_OF = date(2026, 3, 20)


def _revline() -> Characteristic:
    return next(c for c in SBA.characteristics if c.feature == "RevLineCr")


def test_the_served_sba_spec_carries_the_adapters_no_answer_categories() -> None:
    """The adapter's declaration (`SBA_NO_ANSWER`) reaches every served field it names, and
    only those (the served characteristics: none of RevLineCr / LowDoc)."""
    for ch in SERVED_SBA.characteristics:
        assert ch.no_answer == SBA_NO_ANSWER.get(ch.feature, ())
    assert SBA_NO_ANSWER["RevLineCr"] == _revline().no_answer == ("unrecorded",)


def test_switching_n_to_unrecorded_is_refused_naming_the_answers() -> None:
    """Before the fix "unrecorded" passed and scored 23 points above "N" (+7 against −16)."""
    schema = declared_schema(SBA, ())
    for applicant in (GOOD, BAD):
        check_declared(applicant, schema, AS_OF)  # "N" is an answer
        for spelled in ("unrecorded", " UNRECORDED ", "Unrecorded"):
            with pytest.raises(InvalidField) as caught:
                check_declared({**applicant, "RevLineCr": spelled}, schema, AS_OF)
            assert caught.value.field == "declared.RevLineCr"
            assert "answer one of N, Y" in str(caught.value)


def test_gaining_no_answers_of_the_served_revolving_line() -> None:
    """Worst real answer "N" −13; ``unrecorded`` +3 and Missing +1 both gain: both refused."""
    ch = _revline()
    assert min(b.points for b in real_answer_bins(ch)) == -13.0
    assert gaining_no_answers(ch) == frozenset({None, "unrecorded"})


def _no_answers(spec: ScorecardSpec) -> list[tuple[str, str]]:
    return [(ch.feature, c) for ch in spec.characteristics for c in ch.no_answer]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SERVED)), st.data())
def test_no_no_answer_category_of_a_served_spec_scores_above_the_worst_real_answer(
    name: str, data: st.DataObject
) -> None:
    """Property over every served spec's no-answer categories: either intake refuses it, or
    the applicant's score with it is no higher than with the field's worst real answer."""
    spec = SERVED[name]
    feature, category = data.draw(st.sampled_from(_no_answers(spec)))
    applicant = dict(data.draw(st.sampled_from([GOOD, BAD])))
    schema = declared_schema(spec, ())
    ch = next(c for c in spec.characteristics if c.feature == feature)
    try:
        check_declared({**applicant, feature: category}, schema, AS_OF)
    except InvalidField as refused:
        assert refused.field == f"declared.{feature}"
        return
    worst_real = min(
        score(spec, {**applicant, feature: answer}).score
        for b in real_answer_bins(ch)
        for answer in b.categories
        if answer not in ch.no_answer
    )
    assert find_bin(ch, category) is not None
    assert score(spec, {**applicant, feature: category}).score <= worst_real
