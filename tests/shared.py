"""Access to ../shared/ for tests: fail under CI=true when it is missing, skip with a reason
elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(*parts: str) -> Path:
    """Path inside ../shared/, failing (CI) or skipping (elsewhere) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"../shared/{'/'.join(parts)} is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def load_case(name: str) -> Any:
    """A JSON case file from ../shared/cases/."""
    return json.loads(shared_path("cases", name).read_text(encoding="utf-8"))
