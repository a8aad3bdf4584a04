"""Two SBA applicants for tests that post to the served SBA spec (tests/e2e/sba_spec.json).

GOOD: an industry with few charge-offs, a large guaranteed amount at a 90 % guaranteed share,
20 staff, no jobs to retain, no revolving line — approved. BAD: a high charge-off industry, a
small guaranteed amount at the 50 % (SBAExpress) share, one employee, five jobs to retain — declined.
Values are the spec's characteristics as the training data codes them.
"""

from __future__ import annotations

GOOD = {"SBA_Appv": 500000, "Portion": 0.9, "RetainedJob": 0, "CreateJob": 0, "NAICS": "531130",
        "RevLineCr": "N", "NoEmp": 20}  # fmt: skip
BAD = {"SBA_Appv": 15000, "Portion": 0.5, "RetainedJob": 5, "CreateJob": 0, "NAICS": "531311",
       "RevLineCr": "N", "NoEmp": 1}  # fmt: skip
