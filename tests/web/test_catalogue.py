"""The zh-CN catalogue is complete and compiled: every string marked in adapters/web (templates
and Python, extracted here with Babel as `make messages` does) has a zh-CN translation in
messages.po, and the committed messages.mo says what messages.po says (a .po edited without
`make messages` fails here, not in a browser)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from creditfactory.adapters.web.i18n import LOCALE_DIR, gettext, translations

ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _text(message: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return message if isinstance(message, str) else tuple(message)


def _extracted() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    web = ROOT / "src" / "creditfactory" / "adapters" / "web"
    return {_key(m[2]) for m in extract_from_dir(web, method_map, options)}


def test_every_marked_string_has_a_zh_cn_translation() -> None:
    with PO.open("rb") as f:
        catalogue = read_po(f)
    translated = {_key(m.id): m.string for m in catalogue if m.id}
    missing = sorted(s for s in _extracted() if not translated.get(s))
    assert not missing, f"run `make messages` and translate in {PO.name}: {missing}"


def test_the_compiled_catalogue_matches_the_po() -> None:
    with PO.open("rb") as f:
        source = {_key(m.id): _text(m.string) for m in read_po(f) if m.id}
    with MO.open("rb") as f:
        compiled = {_key(m.id): _text(m.string) for m in read_mo(f) if m.id}
    assert compiled == source, "messages.mo is stale: run `make messages`"


def test_english_is_the_source_and_zh_cn_the_default() -> None:
    assert gettext("en", "Sign out") == "Sign out"
    assert gettext("zh-CN", "Sign out") == "退出"
    assert translations("zh-CN").ngettext("Please wait %(num)s second.",
                                          "Please wait %(num)s seconds.", 30) == "请等待 %(num)s 秒。"  # fmt: skip
