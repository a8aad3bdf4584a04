"""Masking (信息屏蔽) of C2-class personal financial information for logs, API responses and pages.

JR/T 0171-2020 requires masked display of ID and phone numbers; its Appendix A patterns are
unconfirmed here (DOMAIN.md §8.3), so we use the common "first 6 / last 4" for identifiers and
"138****1234" for mobile numbers. Masking never reveals more than the unmasked ends, and an input
too short to keep both ends is masked whole.

Names of natural persons (a 个体工商户's operator, an unregistered operator — and a 个体工商户's
trade name, which usually carries the operator's name) are personal information under PIPL
Art 4 and are shown as the surname-first "张*" form (GB/T 35273-2020 de-identification examples
keep the first character); enterprise names are not personal information and are shown whole.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MASK_CHAR", "mask_id_number", "mask_name", "mask_phone"]

MASK_CHAR: Final = "*"
MOBILE_LENGTH: Final = 11


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    if len(value) <= keep_head + keep_tail:
        return MASK_CHAR * len(value)
    hidden = len(value) - keep_head - keep_tail
    return value[:keep_head] + MASK_CHAR * hidden + value[len(value) - keep_tail :]


def mask_id_number(value: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """Mask the middle of an ID number (resident ID, USCC, bank card): first 6 / last 4 kept.

    "11010519491231002X" → "110105********002X". Separators and spaces are removed first; a value
    of ≤ keep_head + keep_tail characters is masked entirely.
    """
    compact = "".join(value.split()).replace("-", "")
    return _mask(compact, keep_head, keep_tail)


def mask_phone(value: str) -> str:
    """Mask a phone number: 11-digit mobile → "138****1234"; others keep only the last 4.

    A leading "+86" / "86" country code is dropped before masking.
    """
    compact = "".join(value.split()).replace("-", "")
    compact = compact.removeprefix("+86")
    if len(compact) == MOBILE_LENGTH + 2 and compact.startswith("86"):
        compact = compact[2:]
    if len(compact) == MOBILE_LENGTH:
        return _mask(compact, 3, 4)
    return _mask(compact, 0, 4)


def mask_name(value: str) -> str:
    """Mask a natural person's name (or a trade name carrying one): the first character kept,
    every other non-space character masked: "张三" → "张*", "欧阳娜娜" → "欧***"."""
    compact = "".join(value.split())
    return _mask(compact, 1, 0) if len(compact) > 1 else MASK_CHAR * len(compact)
