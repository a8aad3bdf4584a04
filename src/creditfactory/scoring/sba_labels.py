"""Words for the SBA 7(a) loan record's fields (SBAcase.11.13.17.csv; Li, Mickel & Taylor 2018).

`SBA_LABELS`: field → {"zh", "en"}, what a borrower or an officer reads instead of the column
name. Training writes them into the spec's labels (`scoring.training.datasets`); the served path
uses them as well for the record facts the SBA loan file verifies that the model does not score
(`origination.declared.RECORD_FACTS`, e.g. Franchise and New), which the spec has no label for.
Amounts are in US dollars, the data set's currency.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ASKED_FOR", "SBA_LABELS"]

SBA_LABELS: Final[dict[str, dict[str, str]]] = {
    "Bank": {"zh": "贷款银行", "en": "lending bank"},
    "BankState": {"zh": "贷款银行所在州", "en": "lender's state"},
    "NAICS": {"zh": "所属行业(北美行业分类)", "en": "industry (North American classification)"},
    "Term": {"zh": "贷款期限(月)", "en": "loan term (months)"},
    "NoEmp": {"zh": "员工人数", "en": "number of employees"},
    "New": {"zh": "新设企业(≤2年)", "en": "new business (≤ 2 years)"},
    "CreateJob": {"zh": "预计新增就业", "en": "jobs to be created"},
    "RetainedJob": {"zh": "预计保留就业", "en": "jobs to be retained"},
    "Franchise": {"zh": "特许经营", "en": "franchise"},
    "UrbanRural": {"zh": "城市或农村地区", "en": "urban or rural area"},
    "RevLineCr": {"zh": "循环授信", "en": "revolving line of credit"},
    "LowDoc": {"zh": "简易材料贷款计划", "en": "low-documentation loan programme"},
    "GrAppv": {"zh": "申请(批准)金额(美元)", "en": "amount applied for and approved (USD)"},
    "SBA_Appv": {"zh": "SBA担保金额(美元)", "en": "SBA-guaranteed amount (USD)"},
    "Portion": {"zh": "SBA担保比例(记录值)", "en": "SBA-guaranteed share (as recorded)"},
    "Express": {"zh": "SBAExpress快速贷款项目", "en": "SBAExpress programme"},
    "SBA_Appv_recorded": {
        "zh": "SBA担保金额(记录值,美元)",
        "en": "SBA-guaranteed amount as recorded (USD)",
    },
    "RealEstate": {"zh": "不动产抵押", "en": "real-estate backed"},
    "Recession": {"zh": "经历衰退期", "en": "active in the 2007–09 recession"},
    "daysterm": {"zh": "贷款期限(天)", "en": "loan term (days)"},
    "xx": {"zh": "贷款到期日", "en": "loan end date"},
    "DisbursementGross": {"zh": "放款金额(美元)", "en": "amount disbursed (USD)"},
    "ApprovalFY": {"zh": "批准财年", "en": "approval fiscal year"},
}

ASKED_FOR: Final[dict[tuple[str, str], dict[str, str]]] = {
    ("RevLineCr", "N"): {"zh": "所申请的定期贷款", "en": "the term loan asked for"},
    ("Express", "N"): {"zh": "所申请的标准7(a)项目", "en": "the standard 7(a) programme asked for"},
}
"""A product characteristic at the value the request sets, said as the product asked for: a
reason about RevLineCr N is about the term loan the applicant asked for, not about a revolving
line (which the platform does not book), and Express N about standard 7(a), not SBAExpress."""
