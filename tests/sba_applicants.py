"""Two SBA applicants for tests that post to the served SBA spec (tests/e2e/sba_spec.json).

GOOD: a lender, state and industry with few charge-offs, a large guaranteed amount and 20 staff —
approved. BAD: a high charge-off lender and industry, a small guaranteed amount, one employee —
declined. Values are the spec's characteristics as the training data codes them.
"""

from __future__ import annotations

GOOD = {"Bank": "CDC SMALL BUS. FINAN CORP", "SBA_Appv": 500000, "BankState": "CA",
        "RetainedJob": 0, "NAICS": "531130", "NoEmp": 20, "CreateJob": 0, "UrbanRural": 1}  # fmt: skip
BAD = {"Bank": "BBCN BANK", "SBA_Appv": 15000, "BankState": "IL", "RetainedJob": 5,
       "NAICS": "531311", "NoEmp": 1, "CreateJob": 0, "UrbanRural": 2}  # fmt: skip
