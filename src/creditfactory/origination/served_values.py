"""The categories the served path never scores, per characteristic of a spec (pure).

Live stability compares decisions with the development rows the served path can produce
(`scoring.stability`, "The reference"), so it needs what intake and the request leave out:

- a characteristic the request sets (`loan_terms.REQUEST_FACTS`): every category but the values
  `loan_terms.request_categories` gives it — RevLineCr only ``N`` (term loans only), Express
  ``Y`` / ``N``;
- a declared characteristic: its "no answer" categories intake refuses
  (`scoring.runtime.gaining_no_answers`, `origination.declared`), e.g. SBA RevLineCr
  ``unrecorded``. A null is not left out: a wired source may give none (scored on Missing).
"""

from __future__ import annotations

from creditfactory.origination.loan_terms import request_categories
from creditfactory.scoring import ScorecardSpec
from creditfactory.scoring.runtime import category_key, gaining_no_answers

__all__ = ["never_served"]


def never_served(spec: ScorecardSpec) -> dict[str, frozenset[str]]:
    """`category_key`s the served path never scores, by feature (only features with some)."""
    given = request_categories(spec.features)
    out = {}
    for ch in spec.characteristics:
        if ch.feature in given:
            known = {category_key(c) for b in ch.bins for c in b.categories}
            refused = known - {category_key(v) for v in given[ch.feature]}
        else:
            refused = {g for g in gaining_no_answers(ch) if g is not None}
        if refused:
            out[ch.feature] = frozenset(refused)
    return out
