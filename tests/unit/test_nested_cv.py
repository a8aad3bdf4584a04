"""Validation without peeking (issue #12 item 3, closing5 #12 item 5): the ordinal model's
calibration method is chosen inside each training fold by inner CV, and the leakage gate is
refitted on each training fold; the outer test fold informs neither."""

from __future__ import annotations

from typing import Any

import numpy
import pandas
import pytest
from tests.shared import shared_path

from creditfactory.scoring.training import pipeline
from creditfactory.scoring.training.fold_gate import FoldGated, fold_summary
from creditfactory.scoring.training.leakage import GateResult
from creditfactory.scoring.training.ordinal import OrdinalLogistic
from creditfactory.scoring.training.validation import repeated_cv


def _graded(n: int = 240, seed: int = 3) -> tuple[pandas.DataFrame, pandas.Series, numpy.ndarray]:
    # the CUMCM shape: every firm of the worst grade defaults, the others at 5 %
    rng = numpy.random.default_rng(seed)
    X = pandas.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    latent = 1.5 * X["a"] + rng.logistic(size=n)
    grades = pandas.Series(numpy.digitize(latent, [-1.0, 0.5, 1.5]), index=X.index)
    y = ((grades == 3) | (rng.random(n) < 0.05)).to_numpy().astype(int)
    return X, grades, y


def test_calibration_choice_reads_its_own_rows_only() -> None:
    # corrupting every grade outside the training rows changes neither the choice nor the inner
    # Brier scores it was made on
    X, grades, y = _graded()
    rows = X.index[:160]
    corrupted = grades.copy()
    corrupted.loc[X.index[160:]] = 0
    kwargs: dict[str, Any] = {"start": ["a"], "candidates": ["b"]}
    honest = OrdinalLogistic(ordinal=grades, **kwargs).fit(X.loc[rows], y[:160])
    other = OrdinalLogistic(ordinal=corrupted, **kwargs).fit(X.loc[rows], y[:160])
    assert honest.calibration_choice_ == other.calibration_choice_


def test_the_choice_is_the_lowest_inner_brier_and_names_the_spec_method() -> None:
    X, grades, y = _graded()
    model = OrdinalLogistic(ordinal=grades, start=["a"]).fit(X[["a"]], y)
    choice = model.calibration_choice_
    assert set(choice["inner_brier"]) == {"graded_platt", "platt"}
    assert choice["method"] == min(choice["inner_brier"], key=choice["inner_brier"].get)
    assert model.calibration_.method == choice["method"]
    spec = model.to_spec("m")
    assert spec.calibration.method == f"{choice['method']}_oof"
    assert spec.training["calibration_choice"] == choice
    fixed = OrdinalLogistic(ordinal=grades, start=["a"], calibrations=("platt",)).fit(X[["a"]], y)
    assert fixed.calibration_choice_ == {"method": "platt", "inner_brier": {}}
    assert fixed.to_spec("m").calibration.method == "platt_oof"
    assert (fixed.calibration_.floor, fixed.calibration_.ceiling) == (0.0, 1.0)


def test_an_unknown_calibration_name_is_refused() -> None:
    X, grades, y = _graded()
    with pytest.raises(ValueError, match="calibrations: choose from graded_platt, platt"):
        OrdinalLogistic(ordinal=grades, start=["a"], calibrations=("isotonic",)).fit(X, y)


def test_graded_platt_is_not_chosen_where_it_cannot_be_fitted() -> None:
    # no worst-grade firm defaults, every 7th other one does: the worst grade does not default
    # more than the rest, so graded Platt refuses on every inner fold and plain Platt serves
    X, grades, _ = _graded()
    worst = (grades == 3).astype(int)
    y = ((numpy.arange(len(X)) % 7 == 0) & (worst == 0)).to_numpy().astype(int)
    model = OrdinalLogistic(ordinal=worst, start=["a"]).fit(X[["a"]], y)
    assert model.calibration_choice_["method"] == "platt"
    assert model.calibration_choice_["inner_brier"]["graded_platt"] is None


def test_the_fold_gate_sees_the_training_fold_only() -> None:
    X, grades, y = _graded()
    seen: list[set[int]] = []

    def gate(rows: pandas.DataFrame, outcome: numpy.ndarray) -> GateResult:
        seen.append(set(rows.index))
        keep = ["a"] if len(seen) % 2 else ["a", "b"]  # folds may keep different fields
        return GateResult(keep, {}, {})

    def make(fold_gate: GateResult) -> tuple[list[str], Any]:
        kept = fold_gate.kept
        return kept, OrdinalLogistic(ordinal=grades, start=["a"], candidates=kept[1:])

    cv = repeated_cv(lambda: FoldGated(gate, make), X, y, n_splits=4, n_repeats=2)
    assert len(seen) == 8 and len(cv["fold_records"]) == 8
    for repeat in range(2):
        held_out: set[int] = set()
        for training in seen[repeat * 4 : repeat * 4 + 4]:
            assert len(training) == 180  # 3 of 4 folds of 240 rows
            held_out |= set(X.index) - training
        assert held_out == set(X.index)  # each row held out once per repeat, never gated then
    first = cv["fold_records"][0]
    assert (first["repeat"], first["fold"]) == (0, 0)
    assert first["calibration"]["method"] in ("graded_platt", "platt")


def test_fold_summary_counts_hand_worked() -> None:
    records = [
        {"excluded": ["x", "y"], "characteristics": ["a"], "calibration": {"method": "platt"}},
        {"excluded": ["x"], "characteristics": ["a", "b"],
         "calibration": {"method": "graded_platt"}},
        {"excluded": [], "characteristics": ["a"], "calibration": {"method": "graded_platt"}},
    ]  # fmt: skip
    assert fold_summary(records) == {
        "folds": 3,
        "excluded": {"x": 2, "y": 1},
        "characteristics": {"a": 3, "b": 1},
        "calibration": {"graded_platt": 2, "platt": 1},
    }


def test_cumcm_cv_gates_each_training_fold_not_all_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # before: the gate ran once on all 123 rated firms and every fold reused its screening
    shared_path("data", "cumcm2020c_sme_invoices")
    sizes: list[int] = []
    real = pipeline.run_gate

    def spy(frame: pandas.DataFrame, *args: Any) -> GateResult:
        sizes.append(len(frame))
        return real(frame, *args)

    monkeypatch.setattr(pipeline, "run_gate", spy)
    result = pipeline.train("cumcm-2020c", "ordinal", cv_repeats=1).result
    assert sizes[0] == 123  # the served model: the same procedure on all rows
    # 5 training folds (123 − 25, 25, 25, 24, 24), for the model and for the best-single
    # benchmark, which each fold chooses by its own gate's IV
    assert sorted(sizes[1:]) == [98] * 6 + [99] * 4
    best = result["benchmark"]["models"][1]
    assert "chosen inside each training fold" in best["name"]
    assert best["paired"]["folds"] == 5 and "rating" not in best["features"]
    choices = result["cv"]["fold_choices"]
    assert choices["folds"] == 5 and sum(choices["calibration"].values()) == 5
    assert choices["characteristics"]["log_sales_monthly"] == 5  # always in (the start field)
    assert choices["excluded"]["rating"] == 5  # an outcome field, declared so, in every fold
