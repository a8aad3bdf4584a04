"""Declared facts against the served spec: unknown, wrong type and missing names are refused
naming `declared.<name>` (issue 12: `{"foo": 1}` was accepted and declined on a missing
`ApprovalFY`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.origination import InvalidField
from creditfactory.origination.declared import (
    DOCUMENTED_FACTS,
    check_declared,
    declared_schema,
)
from creditfactory.scoring.spec import Bin, Calibration, Characteristic, Scaling, ScorecardSpec

AS_OF = date(2020, 1, 1)


def _characteristic(name: str, dtype: str) -> Characteristic:
    normal = Bin("all", 0.0, 0.0, categories=("1", "2") if dtype == "categorical" else ())
    return Characteristic(name, dtype, 1.0, (normal, Bin("Missing", 0.0, 0.0, kind="missing")))


SPEC = ScorecardSpec(
    model_id="t",
    model_type="scorecard",
    features=("NoEmp", "UrbanRural", "log_sales_12m"),
    scaling=Scaling(),
    calibration=Calibration(0.0, 0.0),
    characteristics=(
        _characteristic("NoEmp", "numerical"),
        _characteristic("UrbanRural", "categorical"),
        _characteristic("log_sales_12m", "numerical"),
    ),
    labels={"NoEmp": {"zh": "员工人数", "en": "number of employees"}},
)
FULL = {"NoEmp": 5, "UrbanRural": "1", "log_sales_12m": 13.2}


def _refused(declared: dict[str, Any], wired: tuple[str, ...] = ()) -> tuple[str, str]:
    with pytest.raises(InvalidField) as caught:
        check_declared(declared, declared_schema(SPEC, wired), AS_OF)
    return caught.value.field, caught.value.rule


def test_the_measured_defect_unknown_fact_is_refused_by_name() -> None:
    field, rule = _refused({"foo": 1, **FULL})
    assert field == "declared.foo"
    assert rule.endswith("(expected one of: NoEmp, UrbanRural, log_sales_12m, annual_sales, "
                         "established_date, lawsuits_as_defendant)")  # fmt: skip


def test_missing_characteristic_is_refused_by_name_unless_a_wired_source_computes_it() -> None:
    field, rule = _refused({"UrbanRural": "1", "log_sales_12m": 1.0})
    assert field == "declared.NoEmp" and "number of employees" in rule
    assert _refused({"NoEmp": 5, "UrbanRural": "1"})[0] == "declared.log_sales_12m"
    # log_sales_12m is an invoice feature: with invoices wired nobody has to declare it
    check_declared({"NoEmp": 5, "UrbanRural": "1"}, declared_schema(SPEC, ("invoices",)), AS_OF)
    # null says "not known": scored in the Missing bin, so accepted; an absent key is not
    check_declared({**FULL, "NoEmp": None}, declared_schema(SPEC, ()), AS_OF)


def test_null_is_refused_where_the_model_cannot_score_an_unknown_value() -> None:
    raw = ScorecardSpec(model_id="raw", model_type="logistic", features=("NoEmp",),
                        scaling=Scaling(), calibration=Calibration(0.0, 0.0))  # fmt: skip
    with pytest.raises(InvalidField, match="declared.NoEmp: required: .* unknown"):
        check_declared({"NoEmp": None}, declared_schema(raw, ()), AS_OF)
    no_missing_bin = ScorecardSpec(
        model_id="t", model_type="scorecard", features=("NoEmp",), scaling=Scaling(),
        calibration=Calibration(0.0, 0.0),
        characteristics=(Characteristic("NoEmp", "numerical", 1.0, (Bin("all", 0.0, 0.0),)),),
    )  # fmt: skip
    with pytest.raises(InvalidField, match="declared.NoEmp"):
        check_declared({"NoEmp": None}, declared_schema(no_missing_bin, ()), AS_OF)


@pytest.mark.parametrize(
    ("name", "value"),
    [("NoEmp", "12"), ("NoEmp", True), ("UrbanRural", 1.5), ("UrbanRural", False),
     ("established_date", "2019-02-30"), ("established_date", 20190101),
     ("established_date", "2020-06-01"), ("annual_sales", -1), ("annual_sales", "1000000"),
     ("lawsuits_as_defendant", 1.5)],
)  # fmt: skip
def test_wrong_types_are_refused_by_name(name: str, value: Any) -> None:
    assert _refused({**FULL, name: value})[0] == f"declared.{name}"


def test_categories_take_text_or_integer_codes_and_documented_facts_are_optional() -> None:
    schema = declared_schema(SPEC, ())
    check_declared({**FULL, "UrbanRural": 2}, schema, AS_OF)
    facts = {
        "annual_sales": 1_200_000,
        "established_date": "2015-03-02",
        "lawsuits_as_defendant": 0,
    }
    check_declared({**FULL, **facts}, schema, AS_OF)
    assert {f.name for f in DOCUMENTED_FACTS} == set(facts)


def test_unknown_is_reported_before_type_and_type_before_missing() -> None:
    assert _refused({"zzz": 1, "NoEmp": "x"})[0] == "declared.zzz"
    assert _refused({"NoEmp": "x"})[0] == "declared.NoEmp"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20))
def test_any_name_outside_the_schema_is_refused(name: str) -> None:
    schema = declared_schema(SPEC, ())
    if name in schema:
        return
    with pytest.raises(InvalidField, match=f"declared.{name}:"):
        check_declared({**FULL, name: 1}, schema, AS_OF)
