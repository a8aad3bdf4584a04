"""Bilingual reasons of the training record (`scoring.training.wording`): the Chinese and the
English are rendered from one structured reason, so they carry the same figures.

Hand-worked values: SBA's ``Term`` fails the gate with IV 2.68, single-feature AUC 0.117 and a
value-shape gap of 0.86 on the 12-month grid (issue #12's closing note, reproduced by
``model train --dataset sba-case``); a template is Python's `str.format`, so 2.679 → "2.68".
"""

from __future__ import annotations

import re
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from creditfactory.scoring.training.wording import (
    KINDS,
    TEMPLATES,
    Reason,
    Text,
    in_language,
    joined,
)

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # CJK ideographs, punctuation
NUMBER = re.compile(r"\d+(?:\.\d+)?")
PROSE = {"why", "how"}  # an author's Text: its two languages need not hold the same numbers
NAMES = {"partner", "benchmark"}
LISTS = {"sources", "fields"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_template_has_both_languages_with_the_same_placeholders() -> None:
    for code, (zh, en) in TEMPLATES.items():
        assert CJK.search(zh), code
        assert not CJK.search(en.replace("信誉评级", "")), code
        assert _fields(zh) == _fields(en), code


def test_term_reasons_hand_worked() -> None:
    iv = Reason("iv", {"iv": 2.679053, "limit": 0.5})
    assert iv.en == "IV 2.68 > 0.5"
    assert iv.zh == "信息值 IV 2.68 > 0.5（强得可疑）"
    shape = Reason("shape", {"grid": 12.0, "gap": 0.862879, "limit": 0.5})
    assert shape.en == (
        "value shape differs by outcome: share on the multiples-of-12 grid differs by 0.86 "
        "between goods and bads (> 0.5)"
    )
    assert "12 的整数倍" in shape.zh and "0.86" in shape.zh
    auc = Reason("auc", {"auc": 0.117030, "low": 0.15, "high": 0.85})
    assert joined([iv, auc], "en") == "IV 2.68 > 0.5; single-feature AUC 0.117 outside [0.15, 0.85]"
    assert joined([iv, auc], "zh") == (
        "信息值 IV 2.68 > 0.5（强得可疑）；单变量 AUC 0.117 超出 [0.15, 0.85]"
    )


def test_prose_and_lists_are_localised() -> None:
    why = Text("贷款编号", "loan number")
    declared = Reason("declared", {"kind": KINDS["identifier"], "why": why})
    assert declared.en == "identifier: loan number"
    assert declared.zh == "标识符：贷款编号"
    derived = Reason("derived_declared", {"sources": ["Term", "xx"], "how": "xx = 30 × Term"})
    assert derived.en == "derived from excluded Term, xx (xx = 30 × Term)"
    assert derived.zh == "由已排除的 Term、xx 派生（xx = 30 × Term）"
    assert in_language("as written", "zh") == "as written"
    assert declared.to_dict()["params"]["why"] == {"zh": "贷款编号", "en": "loan number"}


def _params(code: str, draw: Any) -> dict[str, Any]:
    zh, _ = TEMPLATES[code]
    out: dict[str, Any] = {}
    for name in _fields(zh):
        if name in PROSE or name == "kind":
            out[name] = Text("中文", "text")
        elif name == "sample":
            out[name] = Text("验证样本：", "validation")
        elif name in NAMES:
            out[name] = draw(st.sampled_from(["SBA_Appv", "NoEmp", "paper logistic"]))
        elif name in LISTS:
            out[name] = draw(st.lists(st.sampled_from(["Term", "xx", "Bank"]), min_size=1))
        elif name in ("dof", "limit") and code == "max_features":
            out[name] = draw(st.integers(1, 30))
        else:
            out[name] = draw(st.floats(-5, 5, allow_nan=False).filter(lambda v: abs(v) > 1e-3))
    return out


@given(st.data())
def test_both_languages_carry_the_same_figures(data: Any) -> None:
    """Whatever the figures, the zh sentence holds exactly the numbers of the en sentence."""
    code = data.draw(
        st.sampled_from(sorted(c for c in TEMPLATES if not _fields(TEMPLATES[c][0]) & PROSE))
    )
    reason = Reason(code, _params(code, data.draw))
    assert sorted(NUMBER.findall(reason.zh)) == sorted(NUMBER.findall(reason.en)), reason
