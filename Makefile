# Two commands for a fresh machine with Python 3.11 and pip: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint types audit install clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## the demo: simulated portals + API + a first crawl
	$(BIN)/fazhi run

test: $(STAMP)  ## the suite, with a throw-away PostgreSQL server and Debian's Chromium for the browser tests
	scripts/with-postgres scripts/with-chromium $(BIN)/pytest -q -rs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

audit: $(STAMP)  ## known vulnerabilities in the installed dependencies (pip-audit; skipped offline)
	BIN=$(BIN) scripts/audit

check: lint types test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
