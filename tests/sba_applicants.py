"""Two SBA applicants for tests that post to the served SBA spec (tests/e2e/sba_spec.json).

GOOD: an industry with few charge-offs, a large guaranteed amount, 20 staff, no jobs to retain,
urban — approved. BAD: a high charge-off industry, a small guaranteed amount, one employee, rural
— declined. Values are the spec's characteristics as the training data codes them.
"""

from __future__ import annotations

GOOD = {"SBA_Appv": 500000, "RetainedJob": 0, "NAICS": "531130", "NoEmp": 20, "CreateJob": 0,
        "UrbanRural": 1}  # fmt: skip
BAD = {"SBA_Appv": 15000, "RetainedJob": 5, "NAICS": "531311", "NoEmp": 1, "CreateJob": 0,
       "UrbanRural": 2}  # fmt: skip
