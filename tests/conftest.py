"""Shared fixtures for the whole suite.

Under CI=true Hypothesis runs derandomized (the same examples every run), so a red CI always
reproduces; locally it explores new examples each run and keeps failures in .hypothesis/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.shared import shared_path

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture
def shared_dir() -> Path:
    """../shared/ (fails under CI=true when missing)."""
    return shared_path()
