# make run: install everything, migrate the embedded SQLite database, load the demo, serve.
# make test: install everything and run the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test install assets lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/.built: node_modules/.installed assets/app.scss assets/init.js scripts/build-assets.mjs
	npm run --silent build
	touch $@

install: $(INSTALLED) static/.built

assets: static/.built

run: install
	$(BIN)/governance migrate
	$(BIN)/governance demo --if-empty
	$(BIN)/governance serve --host 127.0.0.1 --port 8000

# The suite runs on TEST_WORKERS processes (pytest-xdist), each on databases, folders and ports of
# its own; a module's tests stay on one worker (--dist loadscope), so its module-scoped fixtures are
# made once. `make test TEST_WORKERS=0` runs it in this one process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules static
