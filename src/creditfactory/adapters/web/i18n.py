"""The workbench's languages: zh-CN (default) and English, through Babel message catalogues.

Strings in templates and page code are written in English and marked for translation
(`{% trans %}…{% endtrans %}`, `_("…")` in templates; `gettext` / `lazy` here). The zh-CN
catalogue is `locale/zh_CN/LC_MESSAGES/messages.po`, compiled to `messages.mo` next to it
(committed; `make messages` re-extracts, updates and compiles — babel.cfg at the repository
root). English needs no catalogue: the source strings are English.

The language of a request: a valid `?lang=` (which the page then keeps in the `cf_lang` cookie,
`render.render`), else the cookie, else zh-CN. An unknown value falls back to the default (a
language is a display preference, never an error).
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path
from typing import Final

from babel.support import NullTranslations, Translations
from starlette.requests import Request

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "LANG_PARAM", "lang_of", "translations"]

LANGS: Final = ("zh-CN", "en")
DEFAULT_LANG: Final = "zh-CN"
LANG_COOKIE: Final = "cf_lang"
LANG_PARAM: Final = "lang"
_LOCALES: Final = {"zh-CN": "zh_CN", "en": "en"}
LOCALE_DIR: Final = Path(__file__).parent / "locale"


def requested_lang(request: Request) -> str | None:
    """The language named by `?lang=` when it is one of LANGS, else None."""
    value = request.query_params.get(LANG_PARAM)
    return value if value in LANGS else None


def lang_of(request: Request) -> str:
    """The request's language (module docstring): `?lang=`, the cookie, zh-CN."""
    cookie = request.cookies.get(LANG_COOKIE)
    return requested_lang(request) or (cookie if cookie in LANGS else DEFAULT_LANG)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of `lang` (one of LANGS); English is the identity. Raises
    FileNotFoundError when the zh-CN catalogue is not compiled (`make messages`)."""
    if lang == "en":
        return NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [_LOCALES[lang]], domain="messages")
    if not isinstance(found, Translations):  # Babel answers NullTranslations when missing
        raise FileNotFoundError(f"{LOCALE_DIR}/{_LOCALES[lang]}/LC_MESSAGES/messages.mo")
    return found


def gettext(lang: str, message: str) -> str:
    """`message` (English source) in `lang`."""
    return translations(lang).gettext(message)
