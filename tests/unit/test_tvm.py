"""Decimal TVM against numpy-financial: its published test values
(../shared/cases/tvm_numpy_financial.json) and, as a property, the installed peer itself."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from typing import Any

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.shared import load_case

from creditfactory.servicing import tvm

CASES = load_case("tvm_numpy_financial.json")["cases"]


def _rate(text: str) -> Decimal:
    """'0.08/12' → Decimal(0.08)/12 at 34 digits."""
    with localcontext(prec=tvm.PRECISION):
        numerator, _, denominator = text.partition("/")
        return Decimal(numerator) / Decimal(denominator or 1)


def _call(case: dict[str, Any], per: int | None = None, when: Any = None) -> Decimal:
    fn = case["fn"]
    when = when if when is not None else case.get("when", "end")
    if fn in ("npv", "irr", "mirr"):
        values = [str(v) for v in case["values"]]
        if fn == "npv":
            return tvm.npv(_rate(case["rate"]), values)
        if fn == "irr":
            return tvm.irr(values)
        return tvm.mirr(values, str(case["finance_rate"]), str(case["reinvest_rate"]))
    if fn == "rate":
        return tvm.rate(case["nper"], case["pmt"], case["pv"], case["fv"], when)
    rate = _rate(case["rate"])
    fv = case.get("fv", 0)
    if fn == "pmt":
        return tvm.pmt(rate, case["nper"], case["pv"], fv, when)
    if fn == "pv":
        return tvm.pv(rate, case["nper"], case["pmt"], fv, when)
    if fn == "fv":
        return tvm.fv(rate, case["nper"], case["pmt"], case["pv"], when)
    if fn == "nper":
        return tvm.nper(rate, case["pmt"], case["pv"], fv, when)
    part = tvm.ipmt if fn == "ipmt" else tvm.ppmt
    return part(rate, per if per is not None else case["per"], case["nper"], case["pv"], fv, when)


def _close(got: Decimal, expected: Any, case: dict[str, Any]) -> None:
    if expected == "nan":
        assert got.is_nan()
        return
    if "decimals" in case:
        assert round(got, case["decimals"]) == round(Decimal(str(expected)), case["decimals"])
        return
    assert math.isclose(
        float(got),
        float(expected),
        rel_tol=case.get("rtol", 1e-9),
        abs_tol=case.get("atol", case.get("tol", 1e-12)),
    )


def _case_id(index: int, case: dict[str, Any]) -> str:
    return f"{index:02d}-{case['fn']}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(i, c) for i, c in enumerate(CASES, 1)])
def test_numpy_financial_case(case: dict[str, Any]) -> None:
    if isinstance(case.get("per"), list):
        whens = (
            case["when"] if isinstance(case["when"], list) else [case["when"]] * len(case["per"])
        )
        for per, when, expected in zip(case["per"], whens, case["expected"], strict=True):
            _close(_call(case, per=per, when=when), expected, case)
        return
    got = _call(case)
    _close(got, case["expected"], case)
    if "decimal_expected" in case:  # the exact Decimal value, to 25 significant digits
        assert abs(got - Decimal(case["decimal_expected"])) < Decimal("1e-20")


@settings(max_examples=150, deadline=None)
@given(
    rate_bp=st.integers(min_value=1, max_value=3000),  # the peer warns at 0 (0/0)
    nper=st.integers(min_value=1, max_value=360),
    pv=st.integers(min_value=1, max_value=10**8),
    when=st.sampled_from(["end", "begin"]),
)
def test_matches_installed_numpy_financial(rate_bp: int, nper: int, pv: int, when: str) -> None:
    """pmt, pv, fv, nper, ipmt and ppmt agree with the peer to float precision."""
    rate = Decimal(rate_bp) / 10000 / 12
    flt = float(rate)
    payment = tvm.pmt(rate, nper, pv, 0, when)  # type: ignore[arg-type]
    assert math.isclose(float(payment), npf.pmt(flt, nper, pv, 0, when), rel_tol=1e-9)
    assert math.isclose(float(tvm.pv(rate, nper, payment, 0, when)), pv, rel_tol=1e-9)  # type: ignore[arg-type]
    assert math.isclose(
        float(tvm.fv(rate, nper, payment, pv, when)),
        0,
        abs_tol=1e-9 * pv,  # type: ignore[arg-type]
    )
    assert math.isclose(float(tvm.nper(rate, payment, pv, 0, when)), nper, rel_tol=1e-9)  # type: ignore[arg-type]
    per = max(1, nper // 2)
    for ours, peer in ((tvm.ipmt, npf.ipmt), (tvm.ppmt, npf.ppmt)):
        got = float(ours(rate, per, nper, pv, 0, when))  # type: ignore[arg-type]
        assert math.isclose(
            got, float(peer(flt, per, nper, pv, 0, when)), rel_tol=1e-7, abs_tol=1e-6
        )


def test_level_payment_equal_factors_is_the_annuity() -> None:
    """A = P·r(1+r)^n/((1+r)^n−1): 100000 at 4.45 %/12 over 12 months = 8535.5644… (float check)."""
    rate = Decimal("0.0445") / 12
    assert round(tvm.level_payment(Decimal(100000), [rate] * 12), 4) == Decimal("8535.5644")
    assert tvm.level_payment(Decimal(1000), [Decimal(0)] * 4) == 250


def test_level_payment_needs_periods() -> None:
    with pytest.raises(ValueError, match="at least one period"):
        tvm.level_payment(Decimal(1), [])


def test_float_is_refused() -> None:
    from creditfactory.kernel.errors import LossyMoneyOperation

    with pytest.raises(LossyMoneyOperation):
        tvm.pmt(0.01, 12, 1000)  # type: ignore[arg-type]
