# creditfactory — every step a fresh machine needs is here (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: venv demo cumcm-cv test lint typecheck imports unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

demo: venv
	$(BIN)/creditfactory demo $(DEMO_ARGS)

# The CUMCM model's 5-fold × 20 figures (model and benchmark on the same folds) that `make demo`
# prints: minutes of CPU, so run once after the model or its data change (adapters/cli/demo_cv.py).
cumcm-cv: venv
	$(BIN)/creditfactory model train --dataset cumcm-2020c --method ordinal --format json \
		--out var/model-cumcm-cv > /dev/null
	$(BIN)/python -m creditfactory.adapters.cli.demo_cv var/model-cumcm-cv/result.json \
		data/models/cumcm-2020c-ordinal-cv.json

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: venv
	$(BIN)/mypy

imports: venv
	$(BIN)/lint-imports

unit: venv
	$(BIN)/pytest -q tests $(PYTEST_ARGS)

test: lint typecheck imports unit

bench: venv
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
