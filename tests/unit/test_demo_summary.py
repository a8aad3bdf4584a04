"""What `make demo` prints is true: the currency of each data set, the PD horizon, the data set's
name, the served model's out-of-sample figures as the training result holds them, and the share of
decisions citing verified facts. The allocation report names the appetite and each firm's why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from creditfactory.adapters.cli import demo
from creditfactory.adapters.cli.allocation_report import appetite_text, shadow_text
from creditfactory.adapters.cli.demo_invoices import InvoiceRun, print_summary
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.allocation import Candidate, ShadowPrices, explain, not_offered
from creditfactory.pricing.appetite import CUMCM_APPETITE

RESULT = {
    "validation": {"auc": 0.8123, "auc_ci": [0.781, 0.842], "brier": 0.1104, "ks": 0.49},
    "out_of_time": {
        "auc": 0.6612,
        "brier": 0.1502,
        "train": "ApprovalFY <= 2004: 1200 rows, 300 bads",
        "test": "ApprovalFY > 2004: 900 rows, 100 bads",
    },
    "benchmark": {"name": "paper logistic (Li, Mickel & Taylor 2018)", "auc": 0.735},
}


def test_model_figures_quote_the_training_result() -> None:
    lines = demo.model_figures(RESULT, None, "SBA's Default is a charge-off")
    assert "AUC 0.812 (95% CI 0.781–0.842), Brier 0.110, KS 0.490" in lines[0]
    assert lines[1] == (
        "out-of-time: AUC 0.661, Brier 0.150 (train ApprovalFY <= 2004: 1200 rows, 300 bads; "
        "test ApprovalFY > 2004: 900 rows, 100 bads)"
    )
    assert lines[2] == "benchmark paper logistic (Li, Mickel & Taylor 2018): AUC 0.735"
    assert lines[3] == "PD horizon: not stated by the spec — SBA's Default is a charge-off"


def test_missing_figures_are_said_missing_not_invented() -> None:
    cv = {"validation": {"auc": 0.84, "auc_std": 0.093, "ks": 0.65}}
    lines = demo.model_figures(cv, None, "x")
    assert "AUC 0.840 ± 0.093 (no CI" in lines[0]
    assert "(no CI in the result), Brier —" in lines[0]
    assert lines[1] == "out-of-time: not in the training result"
    why = "none — no loan dates"
    assert demo.model_figures(cv, None, "x", why)[1] == "out-of-time: none — no loan dates"


def test_pd_horizon_in_words() -> None:
    life = {"basis": "life_of_loan", "months": 12, "reference_months": 84, "note": "SBA Default"}
    assert demo.pd_horizon_text(life, "x").startswith(
        "life of the loan; decisions' pd_12m is converted to 12 months"
    )
    assert demo.pd_horizon_text({"basis": "months", "months": 12}, "x").startswith("12 months")


def _app(status: str, amount: str, verification: Any = None) -> dict[str, Any]:
    decision: dict[str, Any] = {
        "reasons": [{"kind": "knockout", "code": "K07", "en": "PD above policy", "zh": "违约概率高"}]
        if status == "declined" else [],
        "expected_loss": "100.00", "pd_12m": 0.02, "grade": "R5", "limit": amount,
        "annual_rate": "0.06",
    }  # fmt: skip
    if verification is not None:
        decision["verification"] = verification
    offer = {"amount": amount, "annual_rate": "0.06", "term_months": 12}
    return {"status": status, "decision": decision, "offer": offer}


def test_sba_summary_prints_us_dollars_never_cny() -> None:
    results = [
        ("sba-1", _app("disbursed", "50000.00"), 0.01),
        ("sba-2", _app("declined", "0"), 0.02),
    ]
    rows = {
        "sba-1": {"Default": "0", "ChgOffPrinGr": "0", "GrAppv": "50000"},
        "sba-2": {"Default": "1", "ChgOffPrinGr": "100", "GrAppv": "100"},
    }
    with demo.console.capture() as captured:
        demo._summary(results, 1.0)
        demo._backtest(results, rows)
    text = captured.get()
    assert "US$ 50,000.00 in 1 loans" in text and "U.S. SBA 7(a)" in text
    assert "CNY" not in text and "元" not in text
    assert "PD 12-month" in text


def test_a_422_at_intake_is_counted_and_named_not_a_crash() -> None:
    problem = {
        "status": 422,
        "field": "declared.UrbanRural",
        "detail": "declared.UrbanRural: required",
    }
    results = [
        ("sba-1", _app("disbursed", "50000.00", {"verified": []}), 0.01),
        ("sba-2", {"status": demo.REJECTED, "problem": problem}, 0.01),
    ]
    with demo.console.capture() as captured:
        demo._summary(results, 1.0)
    text = " ".join(captured.get().split())  # rich wraps at the console width
    assert "rejected (422)" in text and "1 (50.0%)" in text
    assert "at intake (HTTP 422), 1 applications: declared.UrbanRural: required" in text
    assert "0 of 1 decisions cite verified facts" in text


def test_verified_share_counts_decisions_citing_verified_facts() -> None:
    sales = {"name": "annual_sales", "value": "1200000", "source": "invoices"}
    apps = [
        _app("disbursed", "1", {"verified": [sales], "declared_only": [], "contradictions": []}),
        _app("disbursed", "1", {"verified": [], "declared_only": [{"name": "NoEmp"}]}),
        _app("declined", "1", {"verified": [sales], "contradictions": [{"zh": "不符", "en": "x"}]}),
        _app("declined", "1", {"verified": [], "declared_only": []}),
    ]
    assert demo.verified_share(apps) == (
        "2 of 4 decisions cite verified facts (50.0%): 2 verified by real data, 0 by synthetic "
        "fixtures (not real records); 1 with a declaration contradicted by verified data; 0 with "
        "an unverified fact scored at its worst value"
    )
    # findings V7: the registry / court / tax facts of the demo come from synthetic fixtures
    registry = {"name": "registry_status", "value": "active", "version": "cn-records-synthetic",
                "source": "工商登记 business registry (synthetic fixture)"}  # fmt: skip
    mixed = [
        _app("approved", "1", {"verified": [sales, registry]}),
        _app("approved", "1", {"verified": [registry]}),
        _app("declined", "1", {"verified": []}),
    ]
    assert demo.verified_share(mixed) == (
        "2 of 3 decisions cite verified facts (66.7%): 1 verified by real data, 2 by synthetic "
        "fixtures (not real records); 0 with a declaration contradicted by verified data; 0 with "
        "an unverified fact scored at its worst value"
    )
    worst = {"verified": [registry], "scored_conservatively": [{"name": "NoEmp", "scored": 0}]}
    assert demo.verified_share([_app("declined", "1", worst)]).endswith(
        "; 1 with an unverified fact scored at its worst value"
    )
    assert demo.verified_share([_app("declined", "1")]) == (
        "decisions carry no verified/declared record"
    )


def test_invoice_dir_default_override_and_bad_input(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "cumcm2020c_sme_invoices"
    monkeypatch.setenv("CREDITFACTORY_SHARED_DATA", str(tmp_path))
    assert demo.invoice_dir(None) is None  # absent by default: the flow is skipped with a line
    data.mkdir()
    (data / "enterprises_without_credit_record.csv").write_text("企业代号,企业名称\n")
    assert demo.invoice_dir(None) == data.resolve()
    assert demo.invoice_dir(data) == data.resolve()
    with pytest.raises(ValidationError) as raised:
        demo.invoice_dir(tmp_path / "nowhere")
    assert raised.value.field == "invoices"


def test_invoice_summary_and_report_are_labelled(tmp_path: Path) -> None:
    c = Candidate(
        "E1", "R6", D("0.045"), D("0.45"), Rate.of("0.0765"), Money.of(1_000_000), D("0"),
        D("0.0203"), D("0.121"),
    )  # fmt: skip
    firms = [
        {"企业代号": "E1", "企业名称": "***商贸有限公司"},
        {"企业代号": "E2", "企业名称": "个体经营E2"},
    ]
    apps = [_app("approved", "1000000"), _app("declined", "0")]
    amounts = {"E1": Money.of(1_000_000)}
    lines = [
        *explain([c], amounts, CUMCM_APPETITE),
        not_offered("E2", "declined", "违约概率高", "PD above policy"),
    ]
    prices = ShadowPrices(D("0.0061"), D("0.18"), {"R6": D(0)})
    run = InvoiceRun(
        list(zip(firms, apps, strict=True)), [c], amounts, amounts, lines, [], prices,
        CUMCM_APPETITE, 1.0,
    )  # fmt: skip
    with demo.console.capture() as captured:
        path = print_summary(run, tmp_path, demo.console)
    text = captured.get()
    assert "amounts in CNY (元)" in text and "CUMCM 2020 C" in text and "US$" not in text
    assert "PD horizon 12 months" in text and "PD 12-month × LGD" in text
    assert "risk-appetite-cumcm-2026-12" in text
    assert "budget 0.0061; EL budget 0.1800" in text
    assert "hurdle" in text and "synthetic" in text and "real" in text  # rich wraps the cells
    said = appetite_text(run)
    assert "RAROC hurdle 12% per loan" in said and "EL budget 2,500,000 CNY a year" in said
    assert "per borrower 0 or 100,000–1,000,000 CNY" in said
    report = path.read_text(encoding="utf-8")
    assert "data:image/png;base64," in report
    assert "足额发放至单户上限 1,000,000 元" in report
    assert "funded in full to the per-borrower cap of 1,000,000 CNY" in report
    assert "declined by the credit policy: PD above policy" in report
    assert "12%" in report and "R7 20%" in report  # the appetite, printed
    assert "EP 0.00%" in report  # the objective: economic profit per yuan, priced at the hurdle
    assert "registry, court and tax records are synthetic fixtures" in report
    assert "工商登记、司法、纳税记录为合成样例" in report
    slack = shadow_text(ShadowPrices(D(0), D("0.18"), {}))
    assert slack.startswith("budget 0.0000; EL budget 0.1800; 0 for the budget: one more CNY")
    assert (tmp_path / "cumcm_allocation.csv").read_text(encoding="utf-8").count("\n") == 3


def test_budget_option_is_checked() -> None:
    assert demo._budget("100000000") == Money.of(100_000_000)
    for bad in ("abc", "-5", "0"):
        with pytest.raises(ValidationError) as raised:
            demo._budget(bad)
        assert raised.value.field == "budget"


def test_appetite_scales_its_el_budget_with_the_budget() -> None:
    half = CUMCM_APPETITE.with_budget(Money.of(50_000_000))
    assert half.el_budget == Money.of(1_250_000) and half.version == CUMCM_APPETITE.version
    assert CUMCM_APPETITE.effective_date == date(2026, 12, 8)
