"""Two SBA applicants for tests that post to the served SBA spec (tests/e2e/sba_spec.json).

GOOD: an industry with few charge-offs, a large guaranteed amount at a 90 % guaranteed share,
20 staff, no jobs to retain, no revolving line — approved. BAD: a high charge-off industry, a
small guaranteed amount at the 50 % (SBAExpress) share, one employee, five jobs to retain — declined.
Values are the spec's characteristics as the training data codes them. The loan's own
characteristics (SBA_Appv, Portion, RevLineCr) are set by the request, not by what is declared
(origination.loan_terms): `BAD_LOAN` is the request BAD's values describe — 30,000 under SBAExpress
(50 %: 15,000 guaranteed), a term loan; GOOD's 90 % share is no current programme's, and at the
tests' usual 300,000 under standard 7(a) (75 %: 225,000) it is still approved.
"""

from __future__ import annotations

GOOD = {"SBA_Appv": 500000, "Portion": 0.9, "RetainedJob": 0, "CreateJob": 0, "NAICS": "531130",
        "RevLineCr": "N", "NoEmp": 20}  # fmt: skip
BAD = {"SBA_Appv": 15000, "Portion": 0.5, "RetainedJob": 5, "CreateJob": 0, "NAICS": "531311",
       "RevLineCr": "N", "NoEmp": 1}  # fmt: skip
BAD_LOAN = {"amount": "30000", "programme": "sba_express", "revolving_line": False}
