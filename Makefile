# The two commands of the README: `make run` and `make test`. Both build the virtualenv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench-provisioning bench-webhooks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

.env:
	cp .env.example .env

run: $(STAMP) .env
	mkdir -p .data
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/stack.py -- $(BIN)/python scripts/run.py

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/stack.py -- \
		$(BIN)/pytest -rs --create-db --cov --cov-report=term:skip-covered --cov-fail-under=85 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench-provisioning: $(STAMP)
	$(BIN)/python scripts/stack.py -- $(BIN)/python scripts/bench_provisioning.py

clean:
	rm -rf $(VENV) .data test-artifacts .coverage

bench-webhooks: $(STAMP)
	$(BIN)/python scripts/stack.py -- $(BIN)/python scripts/bench_webhooks.py
