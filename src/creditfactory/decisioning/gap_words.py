"""Data gaps in words: "tax_grade: unavailable: timeout" → "纳税信用等级暂时无法获取 / the tax
credit grade is temporarily unavailable".

A gap is "source: why" as `origination.decision_facts` writes it, where why is "not configured",
"consent: <ensure_consent reason>" or "unavailable: <SourceUnavailable reason>"
(docs/origination.md §4). The borrower reads the source's name and what they can do about it;
the raw gap text stays in the reason's technical detail.
"""

from __future__ import annotations

from typing import Final

__all__ = ["gap_words"]

_SOURCES: Final[dict[str, tuple[str, str]]] = {
    "invoices": ("增值税发票数据", "VAT invoice data"),
    "tax_grade": ("纳税信用等级", "the tax credit grade"),
    "registry": ("工商登记信息", "the business registration record"),
    "courts": ("法院执行信息", "court enforcement records"),
    "bureau": ("征信报告", "the credit report"),
}
_OTHER_SOURCE: Final = ("外部数据", "external data")

# (prefix of why, zh, en templates over the source's name); the first match wins.
_STATES: Final = (
    ("not configured", "{zh}暂未接入", "{en} is not connected"),
    ("consent: consent withdrawn", "{zh}的授权已撤回", "the authorisation for {en} was withdrawn"),
    ("consent: consent expired", "{zh}的授权已过期", "the authorisation for {en} has expired"),
    ("consent: separate", "{zh}需要单独授权", "{en} needs a separate authorisation"),
    ("consent:", "{zh}未获授权", "{en} was not authorised"),
    ("unavailable:", "{zh}暂时无法获取", "{en} is temporarily unavailable"),
    ("", "{zh}缺失", "{en} is missing"),
)


def gap_words(gap: str) -> tuple[str, str]:
    """(zh, en) of one gap ("source: why"); unknown sources and states get generic words."""
    source, _, why = gap.partition(": ")
    zh, en = _SOURCES.get(source, _OTHER_SOURCE)
    _, zh_text, en_text = next(s for s in _STATES if why.startswith(s[0]))
    return zh_text.format(zh=zh), en_text.format(en=en)
