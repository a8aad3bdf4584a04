"""decisioning context: the credit policy as versioned decision tables, limit sizing and the
replayable decision record.

Modules:
- `rules`: decision-table rows (`Rule`) and `evaluate_table` (collect hit policy).
- `policy`: `DecisionPolicy` loaded from JSON (`load_policy`), `DEFAULT_POLICY` shipped in
  `policies/`; every decision records the version and the document digest.
- `facts`: `DecisionFacts`, what the tables read.
- `limits`: `size_limit` = min(score cap, working-capital need, product max, 普惠 10 M cap,
  concentration, requested).
- `decision`: `decide(DecisionInputs, DecisionPolicy) -> Decision` (approve / decline / refer,
  reasons in Chinese and English words, `DecisionRecord`); `gap_words` words data gaps.
- `approvable`: `approvable_range` — the amounts `decide` approves at one term on the known
  facts (what 在线测额 quotes, so the estimate and the decision agree).

Pure: imports kernel, scoring and pricing only (L2).
"""

from creditfactory.decisioning.approvable import ApprovableRange, approvable_range
from creditfactory.decisioning.decision import (
    Decision,
    DecisionInputs,
    DecisionRecord,
    Outcome,
    Reason,
    decide,
    digest,
    officer_reason,
    rule_reasons,
    score_reasons,
)
from creditfactory.decisioning.errors import DecisioningError, PolicyInvalid, UnknownFact
from creditfactory.decisioning.facts import DecisionFacts
from creditfactory.decisioning.limits import (
    LimitRequest,
    LimitSizing,
    exposure_breach,
    size_limit,
)
from creditfactory.decisioning.policy import (
    BUNDLED_POLICIES,
    DEFAULT_POLICY,
    DecisionPolicy,
    LimitRules,
    ScoreCap,
    VerificationRules,
    load_policy,
    policy_for,
)
from creditfactory.decisioning.rules import Rule, RuleHit, evaluate_table

__all__ = [
    "BUNDLED_POLICIES",
    "DEFAULT_POLICY",
    "ApprovableRange",
    "Decision",
    "DecisionFacts",
    "DecisionInputs",
    "DecisionPolicy",
    "VerificationRules",
    "DecisionRecord",
    "DecisioningError",
    "LimitRequest",
    "LimitRules",
    "LimitSizing",
    "Outcome",
    "PolicyInvalid",
    "Reason",
    "Rule",
    "RuleHit",
    "ScoreCap",
    "UnknownFact",
    "approvable_range",
    "decide",
    "digest",
    "evaluate_table",
    "load_policy",
    "policy_for",
    "officer_reason",
    "rule_reasons",
    "score_reasons",
    "exposure_breach",
    "size_limit",
]
