# Two commands for a fresh machine with Python 3.11 and pip: `make run` and `make test`.
# Commands land in .venv/bin (run them as .venv/bin/fazhi …, or `. .venv/bin/activate` first).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
PORT ?= 8000
PORTAL_PORT ?= 8801

.PHONY: run test check lint types audit install clean

$(RUN_STAMP): pyproject.toml hatch_build.py ingest/_walk.c $(wildcard ingest/_walk*.h)  ## fazhi and what it needs at run time
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -c "from ingest.blocks import walk_in_use; print('ingest: the layout walk in', walk_in_use())"
	$(BIN)/python -m compileall -q -j 0 api crawler fazhi ingest portalsim store >/dev/null  # bytecode now: every command starts faster, even where Python writes none
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)  ## plus the test and lint tools
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(RUN_STAMP)  ## the demo: simulated portals + API + a first crawl (make run PORT=8080 PORTAL_PORT=8802)
	$(BIN)/fazhi run --port $(PORT) --portal-port $(PORTAL_PORT)

test: $(STAMP)  ## the suite (on every core, then the timing-bound tests alone), with a throw-away PostgreSQL server and Debian's Chromium
	scripts/with-postgres scripts/with-chromium scripts/run-tests $(BIN)

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
