"""Response shapes of the HTTP API, for the OpenAPI document (issue #14 "API documentation").

The routes return the read models' plain dicts (`service_layer.factory_views`, the flows); these
pydantic models only *describe* them: `answers(Model)` declares a model as a route's 200 (or
201) body without FastAPI re-validating or filtering the answer (`response_model=None`), so a
slow path stays as fast as it was. Every model forbids unknown keys (``additionalProperties:
false``), so tests/e2e/test_openapi_document.py can check real answers against them: a key a
read model adds without a line here fails that test instead of going undocumented.

Amounts are decimal text in the view's ``currency`` (``"300000.00"``); rates yearly fractions
as text (``"0.0400"``); times ISO 8601 UTC; ids as stored (masked where they identify a person).
"""

from __future__ import annotations

from inspect import cleandoc
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AccessToken",
    "ApplicationView",
    "ApprovalItem",
    "ApprovalList",
    "AuditBundle",
    "AuditProof",
    "ConsentRecorded",
    "ConsentWithdrawn",
    "EndOfDayResult",
    "LimitEstimateView",
    "LoanAfterPayment",
    "LoanView",
    "ModelPublished",
    "ModelStored",
    "OfficerCreated",
    "OfficerList",
    "OfficerRole",
    "PolicyPublished",
    "PolicyStored",
    "RatesImportView",
    "RatesView",
    "Recommendation",
    "ReferralList",
    "SignedTreeHead",
    "WriteOffResult",
    "answers",
]

Scalar = str | int | float | bool | None
FactValue = Scalar | list[Scalar] | list[list[Scalar]]
"""A declared, verified or scored value: text, number, flag, a list of them, or a list of
pairs (a contradiction in words: [zh, en])."""


class Shape(BaseModel):
    """Base of every response model: documented keys only (module docstring)."""

    model_config = ConfigDict(extra="forbid")


def answers(model: type[BaseModel], *statuses: int) -> dict[str, Any]:
    """Route keyword arguments declaring `model` as the answer's body for each of `statuses`
    (200 when none: a route answering 201 on creation and 200 on an idempotent repeat names
    both) (module docstring)."""
    described = {"model": model, "description": cleandoc(model.__doc__ or "")}
    return {"response_model": None, "responses": dict.fromkeys(statuses or (200,), described)}


# -- labels of the figures (issue #12 item 9) ------------------------------------------------


class PdHorizon(Shape):
    """The model's own PD window and the horizon it is converted to."""

    basis: Literal["months", "life_of_loan"]
    window_months: float | None = Field(examples=[84.0])
    converted_to_months: int = Field(examples=[12])


class ModelLabels(Shape):
    """The model and data set the decision's score, PD and grade come from."""

    model_id: str = Field(examples=["sba-case-scorecard"])
    spec_sha256: str = Field(description="sha256 of the frozen spec")
    dataset: str | None = Field(
        examples=["sba-case"], description="the training data set (null when the spec is silent)"
    )
    dataset_currency: str | None = Field(
        examples=["USD"], description="currency of the training data's amounts"
    )
    pd_horizon: PdHorizon


# -- decisions -------------------------------------------------------------------------------


class Change(Shape):
    """One figure an approver's override changed."""

    from_: str | int | None = Field(alias="from")
    to: str | int


class Changes(Shape):
    """What an approver's override changed (decisioning.override)."""

    amount: Change | None = None
    term_months: Change | None = None
    annual_rate: Change | None = None


class OverrideBounds(Shape):
    """What an override could set: amounts CNY, rates yearly fractions, months."""

    minimum: str
    maximum: str
    max_term_months: int
    rate_floor: str
    rate_cap: str


class OverrideMade(Shape):
    """An approver's change of the referred offer's terms, with the reason and the bounds."""

    changes: Changes
    reason: str
    bounds: OverrideBounds


class ReasonDetail(Shape):
    """The technical detail of a reason, for audit: the policy rule, fact and value hit; the
    scorecard characteristic, its value, bin and points lost; or who decided (maker, checker)
    and what an override changed, why."""

    rule: str | None = None
    fact: str | None = None
    value: FactValue = None
    feature: str | None = None
    bin: str | None = None
    points_lost: float | None = None
    maker: str | None = None
    checker: str | None = None
    changes: Changes | None = None
    reason: str | None = None


class Reason(Shape):
    """One reason of a decision, in words (zh / en) with its technical detail."""

    code: str = Field(examples=["R01"])
    kind: str = Field(examples=["referral"], description="knockout | referral | score | officer")
    zh: str = Field(examples=["外部数据缺失，需人工审核"])
    en: str = Field(examples=["external data missing; manual review"])
    detail: ReasonDetail | None = None


class FactRow(Shape):
    """One characteristic in the verification block: its name and words, the value used and,
    when a record source verified it, the source's provenance (source, version, record id,
    retrieval time) and what was declared."""

    name: str = Field(examples=["annual_sales"])
    zh: str = Field(examples=["年销售额（元，不含税）"])
    en: str = Field(examples=["annual sales (CNY, excl. VAT)"])
    value: FactValue = None
    declared: FactValue = None
    contradicts: bool | None = None
    scored: FactValue = None
    why_zh: str | None = None
    why_en: str | None = None
    source: str | None = None
    version: str | None = None
    record_id: str | None = None
    retrieved_at: str | None = None
    currency: str | None = None
    booking_currency: str | None = None
    note_zh: str | None = None
    note_en: str | None = None


class Words(Shape):
    """A sentence in Chinese and English."""

    zh: str
    en: str


class LoanAsked(Shape):
    """The loan the decision scored, where the served model scores one (SBA)."""

    amount: str = Field(examples=["300000"])
    programme: str = Field(examples=["sba_7a"])
    guarantee_share: str = Field(examples=["0.75"])
    guaranteed_amount: str = Field(examples=["225000.00"])
    guarantee_booked: bool
    revolving_line: bool


class Verification(Shape):
    """What the pulled sources verified, what was only declared, what they contradict."""

    verified: list[FactRow]
    declared_only: list[FactRow]
    contradictions: list[Words]
    scored_conservatively: list[FactRow] | None = None
    from_request: list[FactRow] | None = None
    loan_asked: LoanAsked | None = None


class PriceComponents(Shape):
    """The price build-up, yuan per year on the limit (empty when not priced)."""

    funding_ftp: str | None = None
    operating_cost: str | None = None
    expected_loss: str | None = None
    capital_cost: str | None = None
    capital_benefit: str | None = None
    tax_adjustment: str | None = None


class Versions(Shape):
    """Versions of the rules the price came from."""

    lpr_series: str | None = None
    policy: str | None = None
    product: str | None = None
    rate_card: str | None = None


class LprUsed(Shape):
    """The LPR fixing the price is based on (empty when not priced)."""

    series_version: str | None = None
    tenor: str | None = None
    rate: str | None = Field(default=None, examples=["0.03"])
    fixing_date: str | None = None
    current_until: str | None = None
    stale: bool | None = None
    confidence: str | None = Field(default=None, description="C confirmed, P provisional, U not")
    source: str | None = None


class DecisionRecord(Shape):
    """The replayable decision record: outcome, reasons, digests of inputs, spec and policy,
    score, PD (12 months), grade, limit and price."""

    decision_id: str
    application_id: str
    outcome: Literal["approve", "refer", "decline"]
    reasons: list[Reason]
    inputs_digest: str
    spec_digest: str
    policy_version: str
    policy_digest: str
    score: float
    pd_12m: float = Field(description="PD over 12 months, a fraction")
    grade: str = Field(examples=["R3"])
    limit: str = Field(examples=["300000"])
    limit_binding: str = Field(examples=["requested"])
    annual_rate: str | None
    spread_bp: int | None
    price_components: PriceComponents
    expected_loss: str | None
    raroc: str | None
    versions: Versions
    decided_at: str | None
    verification: Verification
    lpr: LprUsed
    model_approval: str | None = Field(
        default=None,
        description="the maker-checker approval the model spec is served under (its report's "
        "checks failed, or it was published); null when its checks passed",
    )
    decided_by: str = Field(description="system, or the officer who checked it")
    overrides: str | None = Field(default=None, description="the decision an override replaces")
    override: OverrideMade | None = Field(default=None, description="an approver's override")


class Applicant(Shape):
    """Who applied (masked)."""

    applicant_type: Literal["enterprise", "individual_business", "unregistered_operator"]
    name: str
    identifier: str = Field(examples=["913501********0Y43"], description="USCC or ID, masked")


class Offer(Shape):
    """The offer of an approved application."""

    offer_id: str
    currency: str = Field(examples=["CNY"])
    amount: str = Field(examples=["300000.00"])
    annual_rate: str = Field(examples=["0.0400"])
    term_months: int
    status: str = Field(examples=["open"], description="open | accepted | superseded | expired")
    expires_at: str
    loan_id: str | None
    loan_asked: LoanAsked | None = None


class ApplicationView(Shape):
    """An application: status, the latest decision record, its offer and loan, with the labels
    of its figures (`currency`, `pd_horizon_months`, `model`)."""

    application_id: str
    status: str = Field(examples=["disbursed"])
    currency: str = Field(examples=["CNY"], description="ISO 4217 currency of every amount")
    pd_horizon_months: int = Field(examples=[12], description="horizon of every PD and grade")
    model: ModelLabels | None = Field(description="null only before a decision")
    applicant: Applicant
    requested_amount: str = Field(examples=["300000.00"])
    term_months: int
    decision: DecisionRecord | None
    offer: Offer | None
    loan_id: str | None


class Target(Shape):
    """The value of a characteristic that would change the outcome."""

    op: Literal["at_least", "at_most", "below", "is"]
    value: FactValue


class Advice(Shape):
    """One thing the borrower can do to raise the limit."""

    factor: str = Field(examples=["invoices"])
    kind: Literal["characteristic", "policy"]
    zh: str
    en: str
    points: float | None = None
    target: Target | None = None
    limit_high: str | None = None


class Caps(Shape):
    """The limit caps (yuan) the estimate met."""

    score: str | None = None
    revenue_multiple: str | None = None
    product_max: str | None = None
    inclusive_cap: str | None = None
    concentration: str | None = None
    scored_amount: str | None = None


class LimitEstimateView(Shape):
    """在线测额: the approvable limit and rate range, no hard inquiry."""

    currency: str = Field(examples=["CNY"])
    pd_horizon_months: int = Field(examples=[12])
    model: ModelLabels | None
    limit_low: str = Field(examples=["350000"])
    limit_high: str = Field(examples=["500000"])
    term_months: int
    binding: str = Field(examples=["revenue_multiple"])
    caps: Caps
    policy_version: str
    score: float
    grade: str
    rate_low: str | None
    rate_high: str | None
    reasons: list[Reason]
    data_gaps: dict[str, str] = Field(
        examples=[{"tax_grade": "consent: no consent given"}],
        description="source → why its data are missing",
    )
    how_to_raise_limit: list[Advice]
    hard_inquiry: bool
    verification: Verification


# -- loans -----------------------------------------------------------------------------------


class Installment(Shape):
    """One installment: due and paid principal and interest."""

    seq: int
    due_date: str
    principal_due: str
    interest_due: str
    principal_paid: str
    interest_paid: str


class LoanView(Shape):
    """A loan: schedule, balances, DPD and five-category grade (五级分类)."""

    loan_id: str
    status: str = Field(examples=["active"])
    currency: str = Field(examples=["CNY"], description="ISO 4217 currency of every amount")
    product: str
    principal: str
    annual_rate: str
    disbursement_date: str
    principal_outstanding: str
    days_past_due: int
    grade: str = Field(examples=["PASS"], description="PASS | SPECIAL_MENTION | SUBSTANDARD | "
                       "DOUBTFUL | LOSS (正常 / 关注 / 次级 / 可疑 / 损失)")  # fmt: skip
    schedule: list[Installment]


class LoanAfterPayment(Shape):
    """The loan after a repayment or prepayment."""

    loan_id: str
    status: str
    currency: str = Field(examples=["CNY"])
    principal_outstanding: str
    overpayment: str
    days_past_due: int
    grade: str


class WriteOffResult(Shape):
    """The loan after 核销."""

    loan_id: str
    status: str = Field(examples=["written_off"])
    approval_id: str
    business_date: str
    principal_outstanding: str


class EndOfDayResult(Shape):
    """A closed business date."""

    business_date: str
    loans_closed: int
    entries_posted: int


# -- consents, officers, referrals, approvals --------------------------------------------------


class ConsentRecorded(Shape):
    """The consent's id."""

    consent_id: str


class ConsentWithdrawn(Shape):
    """A withdrawn consent."""

    consent_id: str
    withdrawn: bool


class AccessToken(Shape):
    """A bearer token for the `Authorization` header (8 h)."""

    access_token: str
    token_type: Literal["bearer"]


class ReferralRow(Shape):
    """A referred application in the queue."""

    application_id: str
    applicant_type: str
    applicant_name_masked: str
    subject_masked: str
    requested_minor: int = Field(description="requested amount in 分")
    term_months: int
    status: str
    loan_id: str | None
    submitted_at: str


class ReferralList(Shape):
    """The referral queue, oldest first."""

    data: list[ReferralRow]
    count: int


class Recommendation(Shape):
    """The maker's recommendation, waiting for a checker."""

    application_id: str
    recommendation: Literal["approve", "decline"]
    maker: str
    approval_id: str


class ApprovalItem(Shape):
    """A maker-checker item."""

    approval_id: str
    kind: str = Field(examples=["role_change"])
    subject: str = Field(examples=["officer:off_123f4619a524"])
    params: dict[str, str] = Field(examples=[{"role": "auditor"}])
    maker: str
    note: str
    status: Literal["pending", "approved", "rejected", "executed"]
    created_at: str
    checker: str | None
    decided_at: str | None
    executed_by: str | None
    executed_at: str | None


class ApprovalList(Shape):
    """Maker-checker items, oldest first."""

    data: list[ApprovalItem]
    count: int


class OfficerRow(Shape):
    """An officer (never a password hash)."""

    officer_id: str
    username: str
    role: str
    active: bool
    branch_id: str  # the officer's branch (总行 HQ / 分行 / 支行): their scope's root


class OfficerList(Shape):
    """Officers and their roles."""

    data: list[OfficerRow]
    count: int


class OfficerCreated(Shape):
    """A new officer, without a role, at a branch."""

    officer_id: str
    role: Literal["none"]
    branch_id: str


class OfficerRole(Shape):
    """The officer's role after an approved change."""

    officer_id: str
    role: str


class PolicyStored(Shape):
    """A stored credit-policy draft."""

    version: str
    policy_digest: str


class PolicyPublished(PolicyStored):
    """A published credit policy."""

    published: bool


class ModelStored(Shape):
    """A stored scorecard spec, by its sha256."""

    spec_digest: str


class ModelPublished(ModelStored):
    """A published scorecard spec."""

    published: bool


# -- rates -----------------------------------------------------------------------------------


class Fixing(Shape):
    """One LPR fixing (percent text)."""

    effective_date: str
    one_year: str = Field(examples=["3.00"])
    over_five_year: str = Field(examples=["3.50"])
    confidence: Literal["C", "P", "U"]
    source: str


class ImportedFixing(Fixing):
    """A fixing with the import it came in."""

    import_id: str
    status: Literal["pending", "published", "rejected"]
    imported_by: str
    decided_by: str | None


class RatesImportView(Shape):
    """An import of LPR fixings and its approval item."""

    import_id: str
    subject: str
    status: Literal["pending", "published", "rejected"]
    approval_id: str
    imported_by: str
    decided_by: str | None
    fixings: list[Fixing]


class RatesView(Shape):
    """The LPR series in force and the imports."""

    series_version: str
    last_fixing: Fixing | None
    current_until: str | None
    stale: bool
    business_date: str
    imported: list[ImportedFixing]
    series: list[Fixing]


# -- audit -----------------------------------------------------------------------------------


class SignedTreeHead(Shape):
    """The signed tree head of the audit log (RFC 6962 Merkle tree, Ed25519)."""

    format: Literal["creditfactory-audit-sth/1"]
    tree_size: int
    root_hash: str = Field(description="hex")
    timestamp: str
    algorithm: Literal["Ed25519"]
    key_id: str
    signature: str = Field(description="hex")


class AuditProof(Shape):
    """An entry's inclusion proof against the current signed head."""

    sequence: int
    tree_size: int
    leaf_hash: str
    inclusion_proof: list[str] = Field(description="sibling hashes, hex, leaf to root")
    signed_tree_head: SignedTreeHead


class AuditBundle(Shape):
    """Leaf, payload, inclusion proof and signed head, for `audit check-bundle` offline."""

    format: Literal["creditfactory-audit-bundle/1"]
    sequence: int
    leaf: str = Field(description="the leaf's canonical JSON")
    payload: str = Field(description="the payload's canonical JSON (its digest is in the leaf)")
    inclusion_proof: list[str]
    signed_tree_head: SignedTreeHead
