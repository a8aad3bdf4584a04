"""The credit policy a server starts with follows the served model's data set (issue #12, CUMCM's
own cut-offs): the CUMCM model is decided by credit-policy-cumcm-2026.1, the SBA model by
credit-policy-sba-2026.1 (cut-offs set on the refit SBA model's PDs)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from creditfactory.scoring.spec import dump_spec, load_spec
from tests.integration.test_served_sources import SPEC, _served


def _spec_of(dataset: str, tmp_path: Path) -> Path:
    spec = load_spec(SPEC.read_text(encoding="utf-8"))
    path = tmp_path / "spec.json"
    training = {**spec.training, "dataset": dataset}
    path.write_text(dump_spec(replace(spec, training=training)), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("dataset", "version"),
    [("cumcm-2020c", "credit-policy-cumcm-2026.1"), ("sba-case", "credit-policy-sba-2026.1")],
)
def test_the_served_spec_s_data_set_picks_the_policy(
    dataset: str, version: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _spec_of(dataset, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))["training"]["dataset"] == dataset
    for app in _served(tmp_path, monkeypatch, MODEL_SPEC=str(path)):
        assert app.state.deps.policy.version == version  # type: ignore[attr-defined]
