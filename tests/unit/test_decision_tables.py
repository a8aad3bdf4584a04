"""Decision tables and `decide`: knock-outs, referrals, outcomes, the record (hand-checked)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from creditfactory.decisioning import (
    DEFAULT_POLICY,
    DecisionFacts,
    DecisionInputs,
    LimitRequest,
    Outcome,
    PolicyInvalid,
    Rule,
    decide,
    digest,
    evaluate_table,
    load_policy,
)
from creditfactory.kernel.money import Money

AS_OF = date(2025, 6, 2)


def _inputs(facts: DecisionFacts, requested: str = "800000") -> DecisionInputs:
    return DecisionInputs(
        decision_id="dec_1",
        application_id="app_1",
        facts=facts,
        # a revenue figure sized it (rule R11 has its own tests, test_no_revenue_ceiling.py)
        limit=LimitRequest(facts.pd_12m, Money.of(requested), revenue_cap=Money.of(2_000_000)),
        term_months=12,
        as_of=AS_OF,
        decided_at=datetime(2025, 6, 2, 8, tzinfo=UTC),
        spec_digest="0" * 64,
        snapshot={"request": {"amount": requested}},
    )


def _facts(**kw: object) -> DecisionFacts:
    base: dict[str, object] = {"score": 620.0, "pd_12m": 0.03, "grade": "R3",
                               "applicant_type": "enterprise"}  # fmt: skip
    return DecisionFacts(**{**base, **kw})  # type: ignore[arg-type]


def test_clean_applicant_is_approved_at_the_requested_amount() -> None:
    d = decide(_inputs(_facts()), DEFAULT_POLICY)
    assert d.outcome is Outcome.APPROVE
    assert d.record.limit == Money.of(800000)
    assert d.record.limit_binding == "requested"
    assert d.record.reasons == ()
    assert d.offer is not None and d.record.annual_rate == str(d.offer.annual_rate.value)
    # The price components add up to the quote (pricing's invariant, surfaced in the record).
    # Each is recorded to 0.01 bp, so six of them agree with the exact total within 0.03 bp.
    total = sum(Decimal(v) for v in d.record.price_components.values())
    assert abs(total - d.offer.quote.total_bp) <= Decimal("0.03")


def test_price_components_are_plain_decimals_to_a_hundredth_of_a_bp() -> None:
    """Finding 7: the record showed operating_cost "1E+2" and 16-decimal components."""
    d = decide(_inputs(_facts()), DEFAULT_POLICY)
    assert d.record.price_components
    for name, value in d.record.price_components.items():
        assert "E" not in value.upper(), name
        assert Decimal(value).as_tuple().exponent == -2, (name, value)
    assert d.record.price_components["operating_cost"] == "100.00"


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"tax_grade": "D"}, "K01"),
        ({"dishonest_debtor": True}, "K02"),
        ({"business_age_months": 5}, "K03"),
        ({"invoice_months": 5}, "K04"),
        ({"registry_status": "revoked"}, "K05"),
        ({"bureau_max_dpd": 90}, "K06"),
        ({"pd_12m": 0.094}, "K07"),
    ],
)
def test_each_knockout_declines_with_its_code(facts: dict[str, object], code: str) -> None:
    d = decide(_inputs(_facts(**facts)), DEFAULT_POLICY)
    assert d.outcome is Outcome.DECLINE
    assert code in [r.code for r in d.record.reasons]
    assert all(r.text_zh and r.text_en for r in d.record.reasons)


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"data_gaps": ("tax_grade: unavailable: timeout",)}, "R01"),
        ({"pd_12m": 0.075}, "R02"),
        ({"identity_flagged": True}, "R03"),
        ({"enforcement_cases": 1}, "R04"),
        ({"tax_grade": "C"}, "R05"),
        ({"registry_status": "abnormal"}, "R06"),
    ],
)
def test_each_referral_refers_with_its_code(facts: dict[str, object], code: str) -> None:
    d = decide(_inputs(_facts(**facts)), DEFAULT_POLICY)
    assert d.outcome is Outcome.REFER
    assert d.record.reasons[0].code == code


def test_gap_reason_names_the_source_and_why_in_words() -> None:
    facts = _facts(data_gaps=("courts: consent: consent withdrawn",))
    reason = decide(_inputs(facts), DEFAULT_POLICY).record.reasons[0]
    assert reason.text_en.endswith(
        "(the authorisation for court enforcement records was withdrawn)"
    )
    assert reason.text_zh.endswith("（法院执行信息的授权已撤回）")
    assert reason.detail["value"] == ["courts: consent: consent withdrawn"]  # kept for audit


def test_boundaries_just_inside_do_not_fire() -> None:
    # 6 months of business and of invoices, PD just under the referral band: approve.
    facts = _facts(business_age_months=6, invoice_months=6, pd_12m=0.0749, bureau_max_dpd=89)
    assert decide(_inputs(facts), DEFAULT_POLICY).outcome is Outcome.APPROVE


def test_unknown_facts_never_knock_out() -> None:
    facts = _facts(tax_grade=None, dishonest_debtor=None, business_age_months=None)
    assert decide(_inputs(facts), DEFAULT_POLICY).outcome is Outcome.APPROVE


def test_knockout_wins_over_referral() -> None:
    facts = _facts(tax_grade="D", data_gaps=("bureau: not configured",))
    assert decide(_inputs(facts), DEFAULT_POLICY).outcome is Outcome.DECLINE


def test_record_is_replayable_and_digests_are_stable() -> None:
    first = decide(_inputs(_facts()), DEFAULT_POLICY).record.to_dict()
    again = decide(_inputs(_facts()), DEFAULT_POLICY).record.to_dict()
    assert first == again
    assert first["inputs_digest"] == digest({"request": {"amount": "800000"}})
    assert first["policy_version"] == "credit-policy-2026.2"
    assert first["policy_digest"] == DEFAULT_POLICY.digest
    assert json.loads(json.dumps(first)) == first


def test_rule_operators_on_missing_and_lists() -> None:
    table = (Rule("X1", "tax_grade", "missing", None, "缺", "missing"),
             Rule("X2", "data_gaps", "nonempty", None, "缺口", "gaps"))  # fmt: skip
    hits = evaluate_table(table, {"tax_grade": None, "data_gaps": ()})
    assert [h.rule.rule_id for h in hits] == ["X1"]


def test_policy_document_errors_name_the_path() -> None:
    with pytest.raises(PolicyInvalid, match="K01.op: must be one of"):
        bad = json.loads(_bundled_text())
        bad["knockouts"][0]["op"] = "between"
        load_policy(json.dumps(bad))
    with pytest.raises(PolicyInvalid, match="limits.product_max: required"):
        bad = json.loads(_bundled_text())
        del bad["limits"]["product_max"]
        load_policy(json.dumps(bad))


def _bundled_text() -> str:
    from importlib import resources

    path = resources.files("creditfactory.decisioning") / "policies" / "credit-policy-2026.2.json"
    return path.read_text("utf-8")
