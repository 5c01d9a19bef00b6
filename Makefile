# The two commands of the README: `make run` and `make test`. Both build the virtualenv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Prism (npm) for the Cal.com contract tests, installed by `make test` when npm exists; they skip without it.
PRISM := $(if $(shell command -v npm 2>/dev/null),node_modules/.package-lock.json)

.PHONY: run test lint bench bench-webhooks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

.env:
	cp .env.example .env

run: $(STAMP) .env
	mkdir -p .data
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/stack.py -- $(BIN)/python scripts/run.py

test: $(STAMP) $(PRISM)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/stack.py -- \
		$(BIN)/pytest -rs --create-db --cov --cov-report=term:skip-covered --cov-fail-under=85 --durations=15 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

# Issue 16's suite: its own PostgreSQL, Redis, gunicorn and Celery worker; needs Debian's wrk. One table.
bench: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m scripts.bench

clean:
	rm -rf $(VENV) .data test-artifacts .coverage

bench-webhooks: $(STAMP)
	$(BIN)/python scripts/stack.py -- $(BIN)/python scripts/bench_webhooks.py
