"""Headless Debian chromium for browser tests, through Playwright's `executable_path`
(Playwright's own browser download does not work here; `.ci/run` installs the `chromium`
package). Missing: the test fails under CI=true and is skipped elsewhere."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched Playwright Browser, closed (with Playwright) on exit. Use it from a
    module-scoped fixture: while it runs, Playwright's loop is the main thread's, and a later
    module's `anyio.run` would refuse to start."""
    if shutil.which(CHROMIUM) is None:
        message = f"{CHROMIUM} is missing (Debian package chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
