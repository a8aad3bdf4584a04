"""The loan's own characteristics come from the request (origination.loan_terms).

Values from the statute: 15 U.S.C. § 636(a)(2)(A) — a 7(a) loan of US$150,000 or less is
guaranteed at 85 %, a larger one at 75 %; § 636(a)(31) — SBAExpress at 50 %.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.sba_applicants import GOOD

from creditfactory.kernel.money import Money
from creditfactory.origination.loan_terms import (
    amount_segments,
    asking_for,
    guarantee_share,
    request_features,
)
from creditfactory.scoring import load_spec, score
from creditfactory.scoring.spec import Bin, Characteristic

SPEC = load_spec((Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8"))
# The served spec scores no amount (issue #12: the amount sizes the limit only). The segment
# mechanism still serves a spec that does: the served one plus an SBA_Appv characteristic with
# the 2026-12-07 spec's lowest and highest edges (US$31,875 and US$155,625), points falling as the
# amount rises (the only direction the adapter allows, datasets.SBA_SCORECARD).
AMOUNT = Characteristic("SBA_Appv", "numerical", 0.05, (
    Bin("[-inf, 31875)", 10.0, 0.5, upper=31875.0),
    Bin("[31875, 155625)", 0.0, 0.0, lower=31875.0, upper=155625.0),
    Bin("[155625, inf)", -10.0, -0.5, lower=155625.0),
    Bin("Missing", -10.0, 0.0, kind="missing"),
))  # fmt: skip
AMOUNT_SPEC = replace(
    SPEC, features=(*SPEC.features, "SBA_Appv"), characteristics=(*SPEC.characteristics, AMOUNT)
)


@pytest.mark.parametrize(
    ("programme", "amount", "share"),
    [("sba_7a", "150000", "0.85"), ("sba_7a", "150000.01", "0.75"), (None, "10000", "0.85"),
     (None, "2000000", "0.75"), ("sba_express", "40000", "0.50"),
     ("sba_express", "350000", "0.50")],
)  # fmt: skip
def test_the_programme_sets_the_share(programme: str | None, amount: str, share: str) -> None:
    assert guarantee_share(programme, Money.of(amount)) == Decimal(share)


def test_an_unknown_programme_is_refused() -> None:
    with pytest.raises(ValueError, match="sba_7a, sba_express"):
        guarantee_share("sba_504", Money.of("100000"))


def test_request_features_are_the_specs_only() -> None:
    every = ("GrAppv", "SBA_Appv", "Portion", "Express", "RevLineCr", "NoEmp")
    assert request_features(every, Money.of("200000"), None, None) == {
        "GrAppv": 200000.0, "SBA_Appv": 150000.0, "Portion": 0.75, "Express": "N",
        "RevLineCr": "N",
    }  # fmt: skip
    express = request_features(("SBA_Appv", "Express", "RevLineCr"), Money.of("30000"),
                               "sba_express", True)  # fmt: skip
    assert express == {"SBA_Appv": 15000.0, "Express": "Y", "RevLineCr": "Y"}
    assert request_features(("NoEmp",), Money.of("30000"), None, None) == {}


def test_only_a_product_characteristic_can_be_asked_for() -> None:
    assert asking_for("RevLineCr", "N", "sba_express", True) == ("sba_express", False)
    assert asking_for("Express", "Y", None, True) == ("sba_express", True)
    assert asking_for("SBA_Appv", 100_000, None, None) is None  # the amount is the range
    assert asking_for("RevLineCr", "unrecorded", None, None) is None
    # term loans only: a revolving line is never advised (loan_terms.term_loan_only)
    assert asking_for("RevLineCr", "Y", None, False) is None


LIMITS = (Money.of("10000"), Money.of("3000000"))


def test_the_served_spec_scores_every_amount_the_same() -> None:
    for programme in (None, "sba_express"):
        assert amount_segments(SPEC, programme, *LIMITS) == [LIMITS]


@given(
    spec=st.sampled_from([SPEC, AMOUNT_SPEC]),
    programme=st.sampled_from([None, "sba_express"]),
    data=st.data(),
)
def test_every_amount_of_a_segment_scores_the_same(
    spec: Any, programme: str | None, data: st.DataObject
) -> None:
    segments = amount_segments(spec, programme, *LIMITS)
    assert segments[0][0] == LIMITS[0] and segments[-1][1] == LIMITS[1]
    assert all(
        a[1].amount + Decimal("0.01") == b[0].amount for a, b in itertools.pairwise(segments)
    )
    low, high = data.draw(st.sampled_from(segments))
    cents = data.draw(st.lists(st.integers(int(low.amount * 100), int(high.amount * 100)),
                               min_size=2, max_size=2))  # fmt: skip
    asked = [request_features(spec.features, Money.of(Decimal(c) / 100), programme, False)
             for c in cents]  # fmt: skip
    assert len({score(spec, {**GOOD, **a}).score for a in asked}) == 1


def test_a_cut_lies_where_the_guaranteed_amount_crosses_a_bin_edge() -> None:
    # the lowest SBA_Appv edge (31,875): under 7(a) at 85 % the first amount at or above it is
    # 37,500.00; under SBAExpress at 50 %, 63,750.00
    starts = {low.amount for low, _ in amount_segments(AMOUNT_SPEC, None, *LIMITS)}
    assert Decimal("37500.00") in starts and Decimal("37499.99") not in starts
    express = {low.amount for low, _ in amount_segments(AMOUNT_SPEC, "sba_express", *LIMITS)}
    assert Decimal("63750.00") in express
