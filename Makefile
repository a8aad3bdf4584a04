# creditfactory — every step a fresh machine needs is here (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: venv demo cumcm-cv test lint typecheck imports unit bench reliability messages screenshots clean

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

# The workbench's zh-CN catalogue (Babel): extract the marked strings of adapters/web, merge them
# into messages.po (translate the new empty entries there), compile messages.mo. Both files are
# committed; tests/unit/test_web_i18n.py fails when the .mo is older than the .po.
LOCALE := src/creditfactory/adapters/web/locale
messages: venv
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output --project creditfactory \
		-o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d $(LOCALE) -l zh_CN --no-fuzzy-matching \
		--ignore-obsolete --no-wrap
	sed -i '/^"POT-Creation-Date: /d' $(LOCALE)/zh_CN/LC_MESSAGES/messages.po  # no churn to merge
	$(BIN)/pybabel compile -d $(LOCALE) -l zh_CN --statistics

# Screenshots of every workbench page (the browser tests write var/screenshots/), copied to
# docs/screenshots/ for the README.
screenshots: venv
	rm -rf var/screenshots
	$(BIN)/pytest -q -p no:cacheprovider tests/browser $(PYTEST_ARGS)
	mkdir -p docs/screenshots && rm -f docs/screenshots/*.png && cp var/screenshots/*.png docs/screenshots/

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

# issue 13's reliability suite at full size (CI runs it small inside `make test`): concurrent
# duplicates on every idempotent route, kill -9 during traffic and end of day, and the other
# engineers' matrices under tests/reliability/. Prints the figures (requests, kills, …).
reliability: venv
	RELIABILITY_FULL=1 $(BIN)/pytest -q -s -p no:cacheprovider tests/reliability $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
