"""`creditfactory model` bad input through the real entry point (main) in-process: non-UTF-8 files,
an --out that cannot be written, and a training run whose progress stays off stdout."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tests.cli import run_cli as _run

SPEC = Path(__file__).resolve().parents[1] / "e2e" / "sba_spec.json"
NOT_UTF8 = b"Term,ApprovalFY,FranchiseCode,NoEmp,CreateJob\n\xff\xfe\xe9,1,2,3,4\n"


def _one_line(err: str, needle: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {needle}"), err


def test_score_non_utf8_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    bad = tmp_path / "a.csv"
    bad.write_bytes(NOT_UTF8)
    args = ["model", "score", "--spec", str(SPEC), "--input", str(bad)]
    code, _, err = _run(args, monkeypatch, capsys)
    assert code == 2
    _one_line(err, "input: ")
    assert "not UTF-8" in err


def test_score_non_utf8_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    bad = tmp_path / "spec.json"
    bad.write_bytes(b"\xff\xfe{}")
    args = ["model", "score", "--spec", str(bad), "--input", str(bad)]
    code, _, err = _run(args, monkeypatch, capsys)
    assert code == 2
    _one_line(err, "spec: ")


def test_monitor_missing_reference(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    args = ["model", "monitor", "--spec", str(SPEC), "--reference", "/no/r.csv"]
    code, _, err = _run([*args, "--current", "/no/c.csv"], monkeypatch, capsys)
    assert code == 2
    _one_line(err, "reference: file not found")


def test_train_non_utf8_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    bad = tmp_path / "d.csv"
    bad.write_bytes(b"x,target\n\xff\xfe,1\n")
    code, _, err = _run(["model", "train", "--dataset", str(bad)], monkeypatch, capsys)
    assert code == 2
    _one_line(err, "dataset: ")
    assert "not UTF-8" in err


@pytest.mark.parametrize("out", ["/proc/nope", "/dev/null/sub"])
def test_train_unwritable_out(out: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """Refused before training starts (the probe runs first), naming --out."""
    args = ["model", "train", "--dataset", "sba-case", "--out", out]
    code, _, err = _run(args, monkeypatch, capsys)
    assert code == 2
    _one_line(err, "out: cannot write to")


def test_train_progress_keeps_stdout_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from creditfactory.scoring.training import pipeline

    seen: dict[str, Any] = {}

    def fake_train(dataset: str, *args: Any, **kwargs: Any) -> SimpleNamespace:
        seen["dataset"] = dataset
        return SimpleNamespace(result={"auc": 0.75})

    monkeypatch.setattr(pipeline, "train", fake_train)
    args = ["model", "train", "--dataset", "german", "--out", str(tmp_path / "o")]
    code, out, _ = _run([*args, "--format", "JSON"], monkeypatch, capsys)
    assert code == 0 and json.loads(out) == {"auc": 0.75} and seen["dataset"] == "german"
    assert not list((tmp_path / "o").iterdir())  # the write probe leaves nothing behind


def test_train_method_ignores_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from creditfactory.scoring.training import pipeline

    seen: dict[str, Any] = {}

    def fake_train(dataset: str, method: str, *args: Any, **kwargs: Any) -> SimpleNamespace:
        seen.update(method=method, binning=kwargs["binning_method"])
        return SimpleNamespace(result={})

    monkeypatch.setattr(pipeline, "train", fake_train)
    args = ["model", "train", "--dataset", "german", "--method", "LOGISTIC"]
    code, _, err = _run([*args, "--binning-method", "ChI"], monkeypatch, capsys)
    assert code == 0, err
    assert seen == {"method": "logistic", "binning": "chi"}
