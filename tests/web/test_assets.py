"""The browser assets are the vendored files the VERSIONS table names (version, licence,
sha256), the licences sit beside them, and no template loads anything from elsewhere or runs
inline script or style (the CSP allows this site's files only: such a page would break
silently in the browser)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from creditfactory.adapters.web.registry import STATIC_DIR

TEMPLATES = STATIC_DIR.parent / "templates"
VENDOR = STATIC_DIR / "vendor"


def test_vendored_files_match_the_versions_table() -> None:
    table = (VENDOR / "VERSIONS.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", table, re.M)
    assert {name for name, _ in rows} == {p.name for p in VENDOR.glob("*.js")}
    for name, digest in rows:
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    for licence in ("htmx-LICENSE", "echarts-LICENSE", "echarts-NOTICE"):
        assert (VENDOR / "LICENCES" / licence).stat().st_size > 0


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_load_only_this_sites_files() -> None:
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path  # no other host
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert 'src="/static/' in tag, (path, tag)  # no inline script
        assert "<style" not in text, path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path  # no inline event handler
        assert "hx-on" not in text, path  # htmx's hx-on needs eval, which the CSP refuses


def test_every_page_extends_the_layout() -> None:
    for path in _templates():
        if path.parent.name == "components" or path.name == "base.html":
            continue
        assert path.read_text(encoding="utf-8").startswith('{% extends "base.html" %}'), path
