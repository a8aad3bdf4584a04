"""The officers' and approvers' desk (issue 14) at the service layer, on SQLite and PostgreSQL:
the inboxes (who is waiting on whom), the approver's override within bounds (amount, term, rate;
the bounds from the policy document and the product, never the override's own figures), sending
a recommendation back, the application page (declared vs verified, replay) and customer search
by name, USCC, application id and loan id."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from creditfactory.access import MakerCheckerViolation
from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.adapters.api.main import keep_serving_spec
from creditfactory.adapters.gateways import HttpDataGateway
from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork, borrower_id_for
from creditfactory.adapters.storage.pii import PIICipher, generate_pii_key, install_pii_cipher
from creditfactory.adapters.storage.referral_views import approvals_list, referrals_list
from creditfactory.decisioning.override import Override
from creditfactory.kernel.clock import SystemClock
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.ids import RandomIds
from creditfactory.kernel.money import Money
from creditfactory.origination import DataSources
from creditfactory.origination.application import demo_uscc
from creditfactory.scoring import load_spec
from creditfactory.service_layer.factory_ports import ApplicationNotFound, FactoryDeps
from creditfactory.service_layer.offer_flow import (
    accept_offer,
    check_referral,
    recommend_referral,
    return_referral,
)
from creditfactory.service_layer.organisation import add_branch
from creditfactory.service_layer.origination_flow import (
    ConsentGiven,
    SubmitApplication,
    submit_application,
)
from creditfactory.service_layer.ownership import scope_of
from creditfactory.service_layer.referral_desk import (
    application_page,
    customer_page,
    referral_row,
    search_customers,
)
from tests.lpr_fixture import current_series
from tests.sba_applicants import GOOD

HQ = scope_of(HEAD_OFFICE)  # the head office reaches every branch
SPEC_TEXT = (Path(__file__).parents[1] / "e2e" / "sba_spec.json").read_text(encoding="utf-8")
POLICY = json.loads(
    (Path(__file__).parents[2] / "src/creditfactory/decisioning/policies/credit-policy-2026.2.json")
    .read_text(encoding="utf-8")
)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _cipher() -> None:
    install_pii_cipher(PIICipher(generate_pii_key()))


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("vendor too slow", request=request)


def _deps(engine: Engine) -> FactoryDeps:
    """Wiring whose tax-grade source times out, so every application is referred (R01)."""
    clock = SystemClock()
    gateway = HttpDataGateway("http://vendor", 0.05, transport=httpx.MockTransport(_timeout))
    deps = FactoryDeps(uow=lambda: FactoryUnitOfWork(engine, clock), spec=load_spec(SPEC_TEXT),
                       spec_digest=json.loads(SPEC_TEXT)["sha256"], clock=clock, ids=RandomIds(),
                       lpr_series=current_series(),
                       sources=DataSources(tax_grade=gateway))  # fmt: skip
    keep_serving_spec(deps)
    return deps


def _referred(deps: FactoryDeps, name: str, amount: str = "300000",
              branch_id: str = HEAD_OFFICE) -> dict[str, Any]:  # fmt: skip
    uscc = demo_uscc(secrets.randbelow(10**8))
    cmd = SubmitApplication(channel_id="ch", idempotency_key=RandomIds().new("k"),
                            applicant_type="enterprise", name=name, amount=amount,
                            term_months=12, uscc=uscc, declared=GOOD,
                            consent=ConsentGiven(("tax",), "auth-2024-01"),
                            branch_id=branch_id)  # fmt: skip
    view = submit_application(deps, cmd)
    assert view["status"] == "referred", view["decision"]["reasons"]
    return {**view, "uscc": uscc}


def _inbox(engine: Engine, tag: str, waiting_for: str | None = None) -> list[dict[str, Any]]:
    """The referral inbox's rows whose applicant name holds `tag`, as the page shows them."""
    listed = referrals_list(HQ).subquery()
    query = select(listed).where(listed.c.applicant.contains(tag))
    if waiting_for is not None:
        query = query.where(listed.c.waiting_for == waiting_for)
    with engine.connect() as db:
        rows = [dict(r._mapping) for r in db.execute(query.order_by(listed.c.submitted_at))]
    return [referral_row(r, datetime.now(UTC)) for r in rows]


def test_the_inboxes_follow_the_recommendation(engine: Engine) -> None:
    deps = _deps(engine)
    tag = secrets.token_hex(4)
    app = _referred(deps, f"收件箱测试{tag}有限公司")
    app_id = app["application_id"]
    (row,) = _inbox(engine, tag, "recommendation")
    assert row["application_id"] == app_id and row["amount"] == 30_000_000  # 分
    assert row["recommendation"] is None and row["age_days"] == 0
    assert row["grade"] == app["decision"]["grade"] and row["score"] == app["decision"]["score"]
    assert [r["code"] for r in row["reasons"]][0] == "R01"
    # the data gap in the words gap_words gives the tax source's timeout
    assert row["data_gaps"] == [{"gap": "tax_grade: unavailable: timeout",
                                 "zh": "纳税信用等级暂时无法获取",
                                 "en": "the tax credit grade is temporarily unavailable"}]  # fmt: skip
    assert _inbox(engine, tag, "check") == []
    recommend_referral(deps, app_id, "off_maker", "approve", "经营稳定，建议批准")
    assert _inbox(engine, tag, "recommendation") == []
    (waiting,) = _inbox(engine, tag, "check")
    assert (waiting["maker"], waiting["note"], waiting["recommendation"]) == (
        "off_maker", "经营稳定，建议批准", "approve")  # fmt: skip
    with engine.connect() as db:
        pending = [dict(r._mapping) for r in db.execute(approvals_list(HQ))]
    (item,) = [r for r in pending if r["application_id"] == app_id]
    assert (item["kind"], item["maker"], item["applicant"]) == (
        "referral_decision", "off_maker", f"收件箱测试{tag}有限公司")  # fmt: skip


def test_approver_overrides_within_bounds_and_the_record_says_so(engine: Engine) -> None:
    deps = _deps(engine)
    app = _referred(deps, "调整测试有限公司")
    app_id = app["application_id"]
    recommend_referral(deps, app_id, "off_maker", "approve", "建议批准")
    page = application_page(deps, app_id)
    bounds = page["override_bounds"]
    # the bounds are the policy document's minimum, the requested amount (below the policy's
    # product maximum), the product's 36 months and the pricing product's 4 %-15 %
    assert Decimal(bounds["minimum"]) == Decimal(POLICY["limits"]["minimum"])
    assert Decimal(bounds["maximum"]) == Decimal("300000.00")
    assert (bounds["max_term_months"], bounds["rate_floor"], bounds["rate_cap"]) == (
        36, "0.04", "0.15")  # fmt: skip
    outside = [
        (Override("太多", amount=Money.of("300001")), "override.amount"),
        (Override("太少", amount=Money.of("9999")), "override.amount"),
        (Override("太长", term_months=37), "override.term_months"),
        (Override("太低", annual_rate=Decimal("0.0399")), "override.annual_rate"),
        (Override("太高", annual_rate=Decimal("0.1501")), "override.annual_rate"),
        (Override("  ", amount=Money.of("200000")), "override.reason"),
        (Override("什么都不改"), "override"),
    ]
    for override, field in outside:
        with pytest.raises(ValidationError) as refused:
            check_referral(deps, app_id, "off_checker", "credit_approver", override=override)
        assert refused.value.field == field
    assert application_page(deps, app_id)["status"] == "referred"  # nothing was written
    with pytest.raises(MakerCheckerViolation):  # the approver is never the maker
        check_referral(deps, app_id, "off_maker", "credit_approver",
                       override=Override("自己批", amount=Money.of("200000")))  # fmt: skip
    done = check_referral(deps, app_id, "off_checker", "credit_approver", "同意",
                          override=Override("现金流只支撑二十五万", amount=Money.of("250000"),
                                            term_months=24,
                                            annual_rate=Decimal("0.0875")))  # fmt: skip
    assert done["status"] == "approved"
    assert (done["offer"]["amount"], done["offer"]["term_months"],
            done["offer"]["annual_rate"]) == ("250000.00", 24, "0.0875")  # fmt: skip
    record = done["decision"]
    assert record["limit"] == "250000.00" and record["overrides"] == app["decision"]["decision_id"]
    assert record["override"]["changes"]["amount"] == {"from": app["decision"]["limit"],
                                                       "to": "250000.00"}  # fmt: skip
    assert record["override"]["reason"] == "现金流只支撑二十五万"
    last = record["reasons"][-1]
    assert last["code"] == "OVERRIDE" and "现金流只支撑二十五万" in last["zh"]
    assert last["detail"]["maker"] == "off_maker" and last["detail"]["checker"] == "off_checker"
    after = application_page(deps, app_id)
    assert [a["action"] for a in after["actions"]] == ["approve", "approve"]
    assert after["override_bounds"] is None and after["recommendation"] is None


def test_override_amount_keeps_the_exposure_caps(engine: Engine) -> None:
    """A borrower already holding 4,900,000 of open offers can be overridden to at most the
    100,000 left under the policy's 5,000,000 concentration cap."""
    deps = _deps(engine)
    app = _referred(deps, "敞口测试有限公司", amount="3000000")
    with deps.uow() as uow:  # an open offer on the same borrower, written as the flow writes one
        row = uow.applications.get(app["application_id"])
        held = {"offer_id": RandomIds().new("offer"), "application_id": app["application_id"],
                "currency": "CNY", "amount_minor": 490_000_000, "annual_rate": Decimal("0.08"),
                "term_months": 12, "product_key": deps.product_key, "status": "open",
                "expires_at": deps.clock.now().replace(year=2099)}  # fmt: skip
        uow.applications.add_offer(held)
        uow.commit()
    assert row is not None
    recommend_referral(deps, app["application_id"], "off_maker", "approve", "")
    cap = Decimal(POLICY["limits"]["concentration_cap"]) - Decimal("4900000")
    page = application_page(deps, app["application_id"])
    assert Decimal(page["override_bounds"]["maximum"]) == cap
    with pytest.raises(ValidationError) as refused:
        check_referral(deps, app["application_id"], "off_checker", "credit_approver",
                       override=Override("多给", amount=Money.of(cap + 1)))  # fmt: skip
    assert refused.value.field == "override.amount"


def test_override_on_a_recommended_decline_is_refused(engine: Engine) -> None:
    deps = _deps(engine)
    app_id = _referred(deps, "拒绝测试有限公司")["application_id"]
    recommend_referral(deps, app_id, "off_maker", "decline", "资料不全")
    with pytest.raises(ValidationError) as refused:
        check_referral(deps, app_id, "off_checker", "credit_approver",
                       override=Override("改批", amount=Money.of("100000")))  # fmt: skip
    assert refused.value.field == "override"
    assert check_referral(deps, app_id, "off_checker", "credit_approver")["status"] == "declined"


def test_send_back_frees_the_application_for_a_new_recommendation(engine: Engine) -> None:
    deps = _deps(engine)
    app_id = _referred(deps, "退回测试有限公司")["application_id"]
    recommend_referral(deps, app_id, "off_maker", "approve", "")
    with pytest.raises(ValidationError):
        return_referral(deps, app_id, "off_checker", "credit_approver", " ")
    with pytest.raises(MakerCheckerViolation):
        return_referral(deps, app_id, "off_maker", "credit_approver", "自己退回")
    view = return_referral(deps, app_id, "off_checker", "credit_approver", "请补充纳税信息")
    assert view["status"] == "referred"
    page = application_page(deps, app_id)
    assert page["recommendation"] is None and page["override_bounds"] is None
    assert page["actions"][-1]["action"] == "return"
    assert page["actions"][-1]["note"] == "请补充纳税信息"
    recommend_referral(deps, app_id, "off_other", "decline", "同意退回意见")  # free again


def test_application_page_shows_verification_replay_and_prices(engine: Engine) -> None:
    deps = _deps(engine)
    app = _referred(deps, "详情测试有限公司")
    page = application_page(deps, app["application_id"])
    assert page["replay"] == {"decision_id": app["decision"]["decision_id"], "replayed": True,
                              "identical": True, "differences": []}  # fmt: skip
    assert page["price_components"] == app["decision"]["price_components"]
    assert page["verification"] == app["decision"]["verification"]
    declared = {d["name"]: d["value"] for d in page["verification"]["declared_only"]}
    assert declared["NoEmp"] == GOOD["NoEmp"]  # no record source: what the applicant declared
    with pytest.raises(ApplicationNotFound):
        application_page(deps, "app_missing")


def test_customer_search_by_name_uscc_application_and_loan(engine: Engine) -> None:
    deps = _deps(engine)
    tag = secrets.token_hex(4)
    first = _referred(deps, f"客户{tag}有限公司")
    second = _referred(deps, f"另一家{tag}公司")
    recommend_referral(deps, first["application_id"], "off_maker", "approve", "")
    approved = check_referral(deps, first["application_id"], "off_checker", "credit_approver")
    assert approved["status"] == "approved"
    by_name = search_customers(deps, tag, HQ)
    assert {c["name"] for c in by_name} == {f"客户{tag}有限公司", f"另一家{tag}公司"}
    spaced = " ".join((first["uscc"][:6], first["uscc"][6:].lower()))  # typed as people type
    (by_uscc,) = search_customers(deps, spaced, HQ)
    assert by_uscc["identifier"] == first["applicant"]["identifier"]
    assert by_uscc["identifier"] != first["uscc"]  # masked, never the identifier itself
    (by_app,) = search_customers(deps, second["application_id"], HQ)
    assert by_app["name"] == f"另一家{tag}公司"
    customer = customer_page(deps, by_uscc["borrower_id"], HQ)
    assert [a["application_id"] for a in customer["applications"]] == [first["application_id"]]
    assert customer["applications"][0]["status"] == "approved"
    loan = accept_offer(deps, approved["offer"]["offer_id"], "ch")["loan_id"]
    (by_loan,) = search_customers(deps, loan, HQ)
    assert by_loan["borrower_id"] == by_uscc["borrower_id"]
    (booked,) = customer_page(deps, by_loan["borrower_id"], HQ)["loans"]
    assert booked["loan_id"] == loan and booked["principal_minor"] == Money.of(
        approved["offer"]["amount"]).to_minor()  # fmt: skip
    assert all("%" in c["name"] for c in search_customers(deps, "%", HQ))  # a wildcard is a letter
    with pytest.raises(ApplicationNotFound):
        customer_page(deps, "bor_000000000000000000000000", HQ)
    with pytest.raises(ValidationError):
        search_customers(deps, "  ", HQ)


def test_a_sub_branch_officer_sees_only_their_subtree(engine: Engine) -> None:
    """Tree HQ → F (分行) → A, B (支行): a referral submitted at A is in A's and F's inbox,
    approval list, search and customer page, not in B's; the head office sees it too."""
    deps = _deps(engine)
    tag = secrets.token_hex(3)
    ids = {"F": f"F{tag}", "A": f"A{tag}", "B": f"B{tag}"}
    add_branch(deps, ids["F"], "测试分行", "test branch", "branch", HEAD_OFFICE, "test")
    add_branch(deps, ids["A"], "甲支行", "sub-branch A", "sub_branch", ids["F"], "test")
    add_branch(deps, ids["B"], "乙支行", "sub-branch B", "sub_branch", ids["F"], "test")
    app = _referred(deps, f"支行{tag}有限公司", branch_id=ids["A"])
    recommend_referral(deps, app["application_id"], "off_maker", "approve", "")

    def sees(branch: str) -> tuple[bool, bool, bool, bool]:
        scope = scope_of(branch)
        with engine.connect() as db:
            listed = referrals_list(scope).subquery()
            inbox = db.execute(select(listed.c.application_id)
                               .where(listed.c.applicant.contains(tag))).scalars().all()  # fmt: skip
            pending = approvals_list(scope).subquery()
            items = db.execute(select(pending.c.application_id)
                               .where(pending.c.applicant.contains(tag))).scalars().all()  # fmt: skip
        found = search_customers(deps, tag, scope)
        try:
            page = bool(customer_page(deps, borrower_id_for(app["uscc"]), scope)["applications"])
        except ApplicationNotFound:
            page = False
        return bool(inbox), bool(items), bool(found), page

    assert sees(ids["A"]) == (True, True, True, True)
    assert sees(ids["F"]) == (True, True, True, True)
    assert sees(HEAD_OFFICE) == (True, True, True, True)
    assert sees(ids["B"]) == (False, False, False, False)
