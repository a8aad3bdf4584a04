"""Two SBA applicants for tests that post to the served SBA spec (tests/e2e/sba_spec.json).

GOOD: an industry with few charge-offs, a standard 7(a) loan of US$666,667 (guaranteed
US$500,000 at 75 %), 20 staff, no jobs to retain, no revolving line — approved. BAD: a high
charge-off industry, an SBAExpress loan of US$30,000 (guaranteed US$15,000 at 50 %), one employee,
five jobs to retain — declined. Values are the spec's characteristics as the training data codes
them. The loan's own characteristics (SBA_Appv, Express, RevLineCr) are set by the request, not
by what is declared (origination.loan_terms): `BAD_LOAN` is the request BAD's values describe;
GOOD at the tests' usual 300,000 under standard 7(a) (75 %: 225,000) is still approved.
"""

from __future__ import annotations

GOOD = {"SBA_Appv": 500000, "Express": "N", "RetainedJob": 0, "NAICS": "531130", "RevLineCr": "N",
        "NoEmp": 20}  # fmt: skip
BAD = {"SBA_Appv": 15000, "Express": "Y", "RetainedJob": 5, "NAICS": "531311", "RevLineCr": "N",
       "NoEmp": 1}  # fmt: skip
BAD_LOAN = {"amount": "30000", "programme": "sba_express", "revolving_line": False}
