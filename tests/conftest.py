"""Shared fixtures for the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import shared_path


@pytest.fixture
def shared_dir() -> Path:
    """../shared/ (fails under CI=true when missing)."""
    return shared_path()
